"""Concurrent page fetching against sequential fetching, in the same run.

Pulls all 5,000 photos from a sandbox in pages of 50 (100 requests, Link header style) with
``AsyncClient.paginate``: one page at a time (``concurrency=1``, the baseline) and with
several pages in flight once the total is known. Also shown: the synchronous
``Client.paginate``. Two servers, each in its own process so the client does not share
its GIL: one answering at loopback speed, one with 20 ms of latency per request, which is
closer to a real API over a network. Every run is checked to return all 5,000 photos in
order. Bounded: a fixed number of rounds of 100 requests each.

    python benchmarks/pagination.py [--rounds 3] [--page-size 50]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from typing import Any

import tether
from _harness import interleave, print_ratios, tether_serve

_EXPECTED = list(range(1, 5001))


def _check(ids: list[int]) -> None:
    if ids != _EXPECTED:
        raise RuntimeError(f"wrong collection: {len(ids)} items, first {ids[:3]}")


def sync_pull(url: str, params: dict[str, Any]) -> float:
    with tether.Client(base_url=url) as client:
        started = time.perf_counter()
        ids = [photo["id"] for photo in client.paginate("/photos", params=params)]
        elapsed = time.perf_counter() - started
    _check(ids)
    return elapsed


def async_pull(url: str, params: dict[str, Any], concurrency: int) -> float:
    async def run() -> float:
        async with tether.AsyncClient(base_url=url) as client:
            started = time.perf_counter()
            pager = client.paginate("/photos", params=params, concurrency=concurrency)
            ids = [photo["id"] async for photo in pager]
            elapsed = time.perf_counter() - started
        _check(ids)
        return elapsed

    return asyncio.run(run())


def measure(url: str, size: int, rounds: int) -> dict[str, list[float]]:
    """Seconds per pull of each variant, one per round."""
    params = {"page": 1, "per_page": size}
    variants: dict[str, Callable[[], float]] = {
        "async, concurrency=1 (baseline)": lambda: async_pull(url, params, 1),
        "sync Client.paginate": lambda: sync_pull(url, params),
        "async, concurrency=4": lambda: async_pull(url, params, 4),
        "async, concurrency=8": lambda: async_pull(url, params, 8),
    }
    sync_pull(url, params)  # warm-up: imports, the server's caches
    return interleave(variants, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=50)
    args = parser.parse_args()
    rounds, size = args.rounds, args.page_size
    requests = len(_EXPECTED) // size

    print(
        f"pagination: 5000 photos in pages of {size} ({requests} requests, Link header style), "
        f"median of {rounds} rounds; ratio = speed-up over async concurrency=1"
    )
    for label, flags in (("loopback", ()), ("20 ms latency per request", ("--latency", "20ms"))):
        with tether_serve(*flags) as url:
            results = measure(url, size, rounds)
        print(f"\n  {label}")
        print_ratios(results, "async, concurrency=1 (baseline)", kind="seconds", indent=4)


if __name__ == "__main__":
    main()
