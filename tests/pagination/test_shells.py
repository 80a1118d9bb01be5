"""The sync and async shells with scripted servers (httpx2.MockTransport).

Behaviour the sandbox does not show on its own: plain httpx2 clients, client-level
params across next links, POST searches, plans that disagree with the server, and the
at-least-once checkpoint after breaking out of a loop.
"""

from __future__ import annotations

import json

import httpx2
import pytest

import tether
from tether import AsyncPaginator, Checkpoint, ConfigurationError, Cursor, Paginator

ROWS = [{"id": n} for n in range(1, 31)]


def link_server(seen: list[httpx2.Request], *, odd_next: bool = False) -> httpx2.MockTransport:
    """Pages of 10 with a Link header; ``odd_next`` adds a token to page 2's next link."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        page = int(request.url.params.get("page", "1"))
        links = [f'</rows?page={page + 1}&per_page=10>; rel="next"'] if page < 3 else []
        if odd_next and page == 2:
            links = [f'</rows?page={page + 1}&per_page=10&t={page}>; rel="next"']
        links.append('</rows?page=3&per_page=10>; rel="last"')
        headers = {"Link": ", ".join(links), "X-Total-Count": "30"}
        return httpx2.Response(200, json=ROWS[(page - 1) * 10 : page * 10], headers=headers)

    return httpx2.MockTransport(handler)


def test_plain_httpx2_client_keeps_its_params_on_next_links() -> None:
    seen: list[httpx2.Request] = []
    client = httpx2.Client(
        base_url="https://api.example", params={"api_key": "k"}, transport=link_server(seen)
    )
    pager = Paginator(client, "/rows?per_page=10", params={"page": 1})
    assert [row["id"] for row in pager] == list(range(1, 31))
    assert [r.url.params.get("api_key") for r in seen] == ["k", "k", "k"]
    assert [r.url.params.get("page") for r in seen] == ["1", "2", "3"]
    secret = Paginator(client, "/rows", params={"page": 1, "access_token": "s3cret"})
    assert "s3cret" not in repr(secret)


def test_post_search_with_a_cursor() -> None:
    bodies: list[dict[str, str]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        assert request.method == "POST"
        bodies.append(json.loads(request.content))
        after = int(request.url.params.get("after", "0"))
        nxt = after + 10 if after + 10 < 30 else None
        return httpx2.Response(200, json={"hits": ROWS[after : after + 10], "cursor": nxt})

    client = tether.Client(base_url="https://api.example", transport=httpx2.MockTransport(handler))
    pager = client.paginate(
        "/search",
        method="post",
        json={"q": "x"},
        strategy=Cursor("cursor", param="after"),
        items="hits",
    )
    assert len(list(pager)) == 30
    assert bodies == [{"q": "x"}] * 3


async def test_a_plan_that_disagrees_falls_back_to_page_by_page() -> None:
    seen: list[httpx2.Request] = []
    async with httpx2.AsyncClient(
        base_url="https://api.example", transport=link_server(seen, odd_next=True)
    ) as client:
        pager = AsyncPaginator(client, "/rows", params={"page": 1, "per_page": 10})
        assert [row["id"] async for row in pager] == list(range(1, 31))
    # Pages 2 and 3 were planned from page 1's links; page 2 then pointed elsewhere,
    # so the paginator followed the server's link instead of its planned page 3.
    sent = [(r.url.params["page"], r.url.params.get("t")) for r in seen]
    assert ("3", None) in sent
    assert sent[-1] == ("3", "2")
    assert pager.stop_reason == "all 30 items received"


async def test_async_concurrency_is_validated() -> None:
    async with tether.AsyncClient(base_url="https://api.example") as client:
        with pytest.raises(ConfigurationError, match="concurrency"):
            client.paginate("/rows", concurrency=0)


def test_request_options_are_checked_before_any_request() -> None:
    with tether.Client() as client:
        with pytest.raises(ConfigurationError, match="stream"):
            client.paginate("https://api.example/rows", stream=True)
        with pytest.raises(ConfigurationError, match=r"need AsyncClient\.paginate"):
            client.paginate("https://api.example/rows", concurrency=4)
        with pytest.raises(ConfigurationError, match="timout"):
            client.paginate("https://api.example/rows", timout=3)


def test_breaking_out_redelivers_the_last_item_on_resume() -> None:
    seen: list[httpx2.Request] = []
    client = httpx2.Client(base_url="https://api.example", transport=link_server(seen))
    pager = Paginator(client, "/rows", params={"page": 1, "per_page": 10})
    for row in pager:
        if row["id"] == 14:
            break
    saved = pager.checkpoint
    assert (saved.items, saved.skip) == (13, 3)
    resumed = Paginator(client, checkpoint=Checkpoint.from_json(saved.to_json()))
    assert [row["id"] for row in resumed][:2] == [14, 15]


def test_pages_checkpoint_moves_once_the_next_page_is_asked_for() -> None:
    seen: list[httpx2.Request] = []
    client = httpx2.Client(base_url="https://api.example", transport=link_server(seen))
    pager = Paginator(client, "/rows", params={"page": 1, "per_page": 10})
    pages = pager.pages()
    first = next(pages)
    assert pager.checkpoint == first.before
    second = next(pages)
    assert pager.checkpoint == second.before == first.checkpoint
    assert pager.checkpoint.items == 10


def stripe_server(seen: list[httpx2.Request]) -> httpx2.MockTransport:
    """A Stripe-style list: ``limit``, ``starting_after=<id>``, ``has_more``."""
    customers = [{"id": f"cus_{n:03d}", "n": n} for n in range(1, 26)]

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        limit = int(request.url.params.get("limit", "10"))
        after = request.url.params.get("starting_after")
        start = next(i + 1 for i, c in enumerate(customers) if c["id"] == after) if after else 0
        body = {
            "object": "list",
            "url": "/v1/customers",
            "has_more": start + limit < len(customers),
            "data": customers[start : start + limit],
        }
        return httpx2.Response(200, json=body)

    return httpx2.MockTransport(handler)


async def test_stripe_lists_are_detected_and_resumed_sync_and_async() -> None:
    seen: list[httpx2.Request] = []
    base = "https://api.example"
    with tether.Client(base_url=base, transport=stripe_server(seen)) as client:
        pager = client.paginate("/v1/customers", params={"limit": 10}, max_items=12)
        assert [c["n"] for c in pager] == list(range(1, 13))
        assert pager.strategy == tether.LastItemID()
        saved = pager.checkpoint.to_json()
        rest = client.paginate(checkpoint=Checkpoint.from_json(saved))
        assert [c["n"] for c in rest] == list(range(13, 26))
        assert rest.stop_reason == "has_more is False"
    assert [r.url.params.get("starting_after") for r in seen] == [
        None,
        "cus_010",
        "cus_010",
        "cus_020",
    ]
    async with tether.AsyncClient(base_url=base, transport=stripe_server([])) as client:
        items = [c["n"] async for c in client.paginate("/v1/customers", params={"limit": 7})]
    assert items == list(range(1, 26))
