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
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import tether

_URL = re.compile(r"http://127\.0\.0\.1:\d+")
_EXPECTED = list(range(1, 5001))


@contextmanager
def sandbox(*flags: str) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", "from tether.cli import main; main()", "serve", "--port", "0",
         *flags],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        match = _URL.search(process.stdout.readline())
        if not match:
            raise RuntimeError("the sandbox did not print its URL")
        yield match.group(0)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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


def measure(url: str, size: int, rounds: int) -> dict[str, float]:
    """Median seconds per variant; rounds interleave the variants so drift hits all alike."""
    params = {"page": 1, "per_page": size}
    variants: dict[str, Callable[[], float]] = {
        "async, concurrency=1 (baseline)": lambda: async_pull(url, params, 1),
        "sync Client.paginate": lambda: sync_pull(url, params),
        "async, concurrency=4": lambda: async_pull(url, params, 4),
        "async, concurrency=8": lambda: async_pull(url, params, 8),
    }
    sync_pull(url, params)  # warm-up: imports, the server's caches
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, pull in variants.items():
            times[name].append(pull())
    return {name: statistics.median(values) for name, values in times.items()}


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
        with sandbox(*flags) as url:
            results = measure(url, size, rounds)
        baseline = results["async, concurrency=1 (baseline)"]
        print(f"\n  {label}")
        for name, took in results.items():
            print(f"    {name:<34} {took * 1000:7.0f} ms   {baseline / took:5.2f}")


if __name__ == "__main__":
    main()
