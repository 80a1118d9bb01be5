"""The paginators against the live sandbox: all five styles, filters, faults, resuming."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

import tether
from tether.sandbox import SandboxServer

PHOTOS = list(range(1, 5001))
# A fast retry policy: faults are injected, waiting long between attempts proves nothing.
RETRY = tether.Retry(attempts=10, initial_wait=0.005, max_wait=0.02)

# The sandbox's five styles (first-page parameters for a page size) and what
# auto-detection must make of each; json-server 1.x's also without its page parameter.
STYLES: dict[str, tuple[Callable[[int], dict[str, Any]], type[tether.Strategy]]] = {
    "page/per_page": (lambda size: {"page": 1, "per_page": size}, tether.LinkHeader),
    "_page/_limit": (lambda size: {"_page": 1, "_limit": size}, tether.LinkHeader),
    "offset/limit": (lambda size: {"offset": 0, "limit": size}, tether.OffsetLimit),
    "cursor/limit": (lambda size: {"cursor": "", "limit": size}, tether.NextURL),
    "_page/_per_page": (lambda size: {"_page": 1, "_per_page": size}, tether.PageNumber),
    "_per_page alone": (lambda size: {"_per_page": size}, tether.PageNumber),
}
# Albums 3 and 7 (photos 101-150 and 301-350) in pages of 20: five pages, the last partial.
ALBUMS_3_AND_7 = list(range(101, 151)) + list(range(301, 351))
STYLE_IDS = list(STYLES)


def photo_requests(sandbox: SandboxServer) -> dict[str, int]:
    counts: dict[str, int] = sandbox.stats()["routes"].get("GET /photos", {})
    return counts


def ids(photos: list[dict[str, Any]]) -> list[int]:
    return [photo["id"] for photo in photos]


@pytest.mark.parametrize("style", STYLE_IDS)
def test_sync_full_collection_and_filter(sandbox: SandboxServer, style: str) -> None:
    make, detected = STYLES[style]
    with tether.Client(base_url=sandbox.url) as client:
        pager = client.paginate("/photos", params=make(250))
        assert ids(list(pager)) == PHOTOS
        assert isinstance(pager.strategy, detected)
        assert pager.detection is not None
        assert pager.checkpoint.done
        assert pager.checkpoint.items == 5000
        # 20 pages of 250; styles without a total may need one more request to see the end.
        assert photo_requests(sandbox)["200"] <= 21

        albums = client.paginate("/photos", params={**make(20), "albumId": [3, 7]})
        assert ids(list(albums)) == ALBUMS_3_AND_7


@pytest.mark.parametrize("style", STYLE_IDS)
async def test_async_full_collection_and_filter(sandbox: SandboxServer, style: str) -> None:
    make, detected = STYLES[style]
    async with tether.AsyncClient(base_url=sandbox.url) as client:
        pager = client.paginate("/photos", params=make(250))
        assert ids([photo async for photo in pager]) == PHOTOS
        assert isinstance(pager.strategy, detected)
        assert photo_requests(sandbox)["200"] <= 21

        albums = client.paginate("/photos", params={**make(20), "albumId": [3, 7]})
        assert ids([photo async for photo in albums]) == ALBUMS_3_AND_7


@pytest.mark.parametrize("style", STYLE_IDS)
async def test_identical_with_ten_percent_503(sandbox: SandboxServer, style: str) -> None:
    params = STYLES[style][0](250)
    with sandbox.faults(route="GET /photos", probability=0.1, kind="status", status=503, seed=11):
        with tether.Client(base_url=sandbox.url, retry=RETRY) as client:
            synced = ids(list(client.paginate("/photos", params=params)))
        async with tether.AsyncClient(base_url=sandbox.url, retry=RETRY) as aclient:
            pager = aclient.paginate("/photos", params=params, concurrency=4)
            concurrent = ids([photo async for photo in pager])
    assert synced == concurrent == PHOTOS
    assert photo_requests(sandbox).get("503", 0) > 0


def test_explicit_strategy_and_items_path(sandbox: SandboxServer) -> None:
    strategy = tether.PageNumber("_page", "_per_page", size=400, pages_path="pages")
    with tether.Client(base_url=sandbox.url) as client:
        pager = client.paginate("/photos", strategy=strategy, items="data")
        assert ids(list(pager)) == PHOTOS
        assert pager.detection is None
        assert photo_requests(sandbox)["200"] == 13


def test_resume_from_a_checkpoint_mid_page(sandbox: SandboxServer) -> None:
    params = {"cursor": "", "limit": 100}
    with tether.Client(base_url=sandbox.url) as client:
        first = client.paginate("/photos", params=params, max_items=1234)
        head = ids(list(first))
        assert first.stop_reason == "max_items=1234 reached"
        saved = first.checkpoint.to_json()

        rest = client.paginate(checkpoint=tether.Checkpoint.from_json(saved))
        tail = ids(list(rest))
    assert head + tail == PHOTOS


def test_pages_expose_responses_and_checkpoints(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        pager = client.paginate("/photos", params={"page": 1, "per_page": 1000}, max_pages=3)
        pages = list(pager.pages())
    assert [page.number for page in pages] == [1, 2, 3]
    assert all(page.response.status_code == 200 for page in pages)
    assert pages[0].total == 5000
    assert pages[-1].checkpoint.items == 3000
    assert pager.stop_reason == "max_pages=3 reached"


def test_an_error_page_raises_the_clients_error(sandbox: SandboxServer) -> None:
    failing = sandbox.faults(route="GET /photos", probability=1.0, kind="status", status=500)
    with failing, tether.Client(base_url=sandbox.url, retry=False) as client:
        pager = client.paginate("/photos", params={"offset": 0, "limit": 10})
        with pytest.raises(tether.ServerError):
            list(pager)


def test_ambiguous_endpoint_raises_a_helpful_error(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        # A slice with only an end: 10 of 100 posts and no parameter to advance.
        pager = client.paginate("/posts", params={"_end": 10})
        with pytest.raises(tether.AmbiguousPaginationError, match="says 100 items") as caught:
            list(pager)
    assert "strategy=" in str(caught.value)


class _InFlight(httpx2.AsyncBaseTransport):
    """Counts requests in flight at once, around a real transport."""

    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.now = 0
        self.most = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.now -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_concurrency_is_bounded_and_order_kept(sandbox: SandboxServer) -> None:
    transport = _InFlight()
    with sandbox.faults(route="GET /photos", kind="latency", delay="20ms"):
        async with tether.AsyncClient(base_url=sandbox.url, transport=transport) as client:
            pager = client.paginate("/photos", params={"_page": 1, "_limit": 100}, concurrency=3)
            assert ids([photo async for photo in pager]) == PHOTOS
    assert transport.most == 3
    assert photo_requests(sandbox)["200"] == 50


async def test_early_stop_cancels_outstanding_pages(sandbox: SandboxServer) -> None:
    with sandbox.faults(route="GET /photos", kind="latency", delay="30ms"):
        async with tether.AsyncClient(base_url=sandbox.url) as client:
            async with client.paginate(
                "/photos", params={"offset": 0, "limit": 50}, concurrency=4
            ) as pager:
                seen = []
                async for photo in pager:
                    seen.append(photo["id"])
                    if photo["id"] == 120:
                        break
            await asyncio.sleep(0.1)
    assert seen == list(range(1, 121))
    # Three pages were needed; at most a window's worth beyond them was started.
    assert photo_requests(sandbox).get("200", 0) <= 3 + 4


async def test_concurrent_pages_pass_the_rate_limiter(sandbox: SandboxServer) -> None:
    events: list[tether.Event] = []
    async with tether.AsyncClient(
        base_url=sandbox.url, rate_limit="20/s", retry=RETRY, hooks=[events.append]
    ) as client:
        pager = client.paginate("/photos", params={"offset": 0, "limit": 500}, concurrency=8)
        assert ids([photo async for photo in pager]) == PHOTOS
    assert photo_requests(sandbox) == {"200": 10}
    assert any(isinstance(event, tether.RateLimitWaited) for event in events)
