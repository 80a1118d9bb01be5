"""Slow start: what learning a host's limits first costs a burst against an unlimited API.

100 concurrent GETs (asyncio.gather on one AsyncClient, and 100 threads on one Client)
against a sandbox with no rate limit, each run with a fresh client so slow start begins
from nothing. Rounds alternate between the default (slow start on) and
``tether.RateLimit(slow_start=False)`` (the behaviour before slow start existed), and the
script prints the median time of each and their ratio; the goal is at most 1.2x.

It also prints, for a sandbox limited to 20/s, the same bursts with slow start on and
off: the 429s the server answered and the calls that failed, which is what slow start
is for.

Run: .venv/bin/python benchmarks/slow_start.py   (about 60 s)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx2

import tether
from _harness import tether_serve

CALLS = 100
ROUNDS = 15


def limit(slow_start: bool) -> tether.RateLimit:
    return tether.RateLimit(slow_start=slow_start)


def gather(url: str, slow_start: bool) -> list[object]:
    async def main() -> list[object]:
        async with tether.AsyncClient(base_url=url, rate_limit=limit(slow_start)) as client:
            calls = (client.get(f"/posts/{i % 100 + 1}") for i in range(CALLS))
            return list(await asyncio.gather(*calls, return_exceptions=True))

    return asyncio.run(main())


def threads(url: str, slow_start: bool, pool: ThreadPoolExecutor) -> list[object]:
    with tether.Client(base_url=url, rate_limit=limit(slow_start)) as client:

        def one(i: int) -> object:
            try:
                return client.get(f"/posts/{i % 100 + 1}")
            except Exception as error:
                return error

        return list(pool.map(one, range(CALLS)))


def timed(run: object) -> float:
    start = time.perf_counter()
    results = run()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    failed = [r for r in results if not isinstance(r, httpx2.Response)]
    if failed:
        raise SystemExit(f"unexpected failures against an unlimited sandbox: {failed[:3]}")
    return elapsed


def unlimited(pool: ThreadPoolExecutor) -> None:
    with tether_serve() as url:
        for name, run in (
            ("asyncio.gather", lambda on: lambda: gather(url, on)),
            ("100 threads", lambda on: lambda: threads(url, on, pool)),
        ):
            timed(run(True))  # warm up the server and the connection code
            on: list[float] = []
            off: list[float] = []
            for _ in range(ROUNDS):
                on.append(timed(run(True)))
                off.append(timed(run(False)))
            median_on, median_off = statistics.median(on), statistics.median(off)
            print(
                f"{name:>15}: slow start {median_on * 1000:7.1f} ms, off "
                f"{median_off * 1000:7.1f} ms, ratio {median_on / median_off:.2f}x "
                f"(median of {ROUNDS})"
            )


def limited(pool: ThreadPoolExecutor) -> None:
    with tether_serve("--rate-limit", "20/s") as url:
        for slow_start in (True, False):
            before = int(httpx2.get(url + "/_sandbox/stats").json()["by_status"].get("429", 0))
            start = time.perf_counter()
            results = gather(url, slow_start)
            elapsed = time.perf_counter() - start
            after = int(httpx2.get(url + "/_sandbox/stats").json()["by_status"].get("429", 0))
            failed = sum(1 for r in results if not isinstance(r, httpx2.Response))
            print(
                f"20/s, slow start {'on ' if slow_start else 'off'}: {CALLS - failed} of "
                f"{CALLS} succeeded, server answered {after - before} 429s, "
                f"{elapsed:.2f}s (ideal {CALLS / 20:.2f}s)"
            )
            time.sleep(1.1)  # a fresh server window for the next run


def main() -> None:
    print(f"{CALLS} concurrent GETs, fresh client per run; python {sys.version.split()[0]}")
    with ThreadPoolExecutor(CALLS) as pool:
        unlimited(pool)
        limited(pool)


if __name__ == "__main__":
    main()
