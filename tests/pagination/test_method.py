"""``paginate_method``: a client method built from a paginator class."""

from __future__ import annotations

import inspect

import httpx2
import pytest

import tether
from tether import ConfigurationError
from tether._pagination import AsyncPaginator, Paginator, paginate_method


def rows(request: httpx2.Request) -> httpx2.Response:
    page = int(request.url.params["page"])
    body = [{"id": page}] if page < 3 else []
    return httpx2.Response(200, json=body, headers={"X-Total-Count": "2"})


class SyncClient(httpx2.Client):
    paginate = paginate_method(Paginator, "Every row.")


class AsyncClient(httpx2.AsyncClient):
    paginate = paginate_method(AsyncPaginator, "Every row, asynchronously.")


def test_method_builds_the_paginator_with_its_arguments() -> None:
    with SyncClient(base_url="https://api.example", transport=httpx2.MockTransport(rows)) as c:
        pager = c.paginate("/rows", params={"page": 1, "per_page": 1}, max_items=1)
        assert isinstance(pager, Paginator)
        assert [row["id"] for row in pager] == [1]
        with pytest.raises(ConfigurationError, match="concurrency"):
            c.paginate("/rows", concurrency=2)


async def test_async_method_passes_concurrency_on() -> None:
    transport = httpx2.MockTransport(rows)
    async with AsyncClient(base_url="https://api.example", transport=transport) as client:
        pager = client.paginate(url="/rows", params={"page": 1, "per_page": 1}, concurrency=1)
        assert isinstance(pager, AsyncPaginator)
        assert [row["id"] async for row in pager] == [1, 2]
        with pytest.raises(ConfigurationError, match="concurrency"):
            client.paginate("/rows", concurrency=0)


@pytest.mark.parametrize(
    ("typo", "meant"), [("max_item", "max_items"), ("stratgy", "strategy"), ("timeot", "timeout")]
)
def test_a_misspelt_option_names_the_closest_real_one(typo: str, meant: str) -> None:
    with (
        tether.Client(base_url="https://api.example") as client,
        pytest.raises(ConfigurationError, match=f"{typo}'; did you mean '{meant}'"),
    ):
        client.paginate("/rows", **{typo: 1})


def test_signature_and_doc_are_the_paginators() -> None:
    method = inspect.signature(SyncClient.paginate)
    assert list(method.parameters)[:2] == ["self", "url"]
    assert list(method.parameters)[1:] == list(inspect.signature(Paginator).parameters)[1:]
    assert "concurrency" in inspect.signature(AsyncClient.paginate).parameters
    assert SyncClient.paginate.__doc__ == "Every row."


async def test_an_async_paginator_used_as_a_sync_one_says_how_to_iterate_it() -> None:
    async with tether.AsyncClient(base_url="https://api.example") as client:
        pager = client.paginate("/rows")
        with pytest.raises(TypeError, match="use 'async for item in"):
            list(pager)
        with pytest.raises(TypeError, match="is not awaited"):
            await pager
