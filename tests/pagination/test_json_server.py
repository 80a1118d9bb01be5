"""Against a real json-server 0.17: ``_page``/``_limit`` is followed through its Link header."""

from __future__ import annotations

import pytest

import tether

from .conftest import PHOTOS

# The first run on a machine downloads json-server through npx, which may take longer than
# the suite's per-test timeout; the fixture itself gives up (and skips) after 180 s.
pytestmark = [pytest.mark.npm, pytest.mark.timeout(300)]


def test_page_and_limit_via_link_header(json_server: str) -> None:
    with tether.Client(base_url=json_server) as client:
        pager = client.paginate("/photos", params={"_page": 1, "_limit": 100})
        ids = [photo["id"] for photo in pager]
        assert ids == list(range(1, PHOTOS + 1))
        assert isinstance(pager.strategy, tether.LinkHeader)
        assert pager.stop_reason in (f"all {PHOTOS} items received", "no Link rel='next'")

        album = client.paginate("/photos", params={"albumId": 3, "_page": 1, "_limit": 20})
        assert [photo["id"] for photo in album] == list(range(101, 151))


async def test_page_and_limit_concurrently(json_server: str) -> None:
    async with tether.AsyncClient(base_url=json_server) as client:
        pager = client.paginate("/photos", params={"_page": 1, "_limit": 250}, concurrency=4)
        ids = [photo["id"] async for photo in pager]
    assert ids == list(range(1, PHOTOS + 1))
