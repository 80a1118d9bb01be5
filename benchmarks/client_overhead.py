"""CPU cost per request of tether.Client against a bare httpx2.Client, in the same run.

The clients send the same sequential GETs to the same local sandbox, which runs in a
separate process (``tether serve``) so that its CPU time is not counted. Each measurement
is ``time.process_time()`` (this process's CPU, all threads) over a small batch of
requests. Rounds run one batch per client back to back, many times over, so a change in
machine load hits every client alike (on a shared machine, long batches per client drift
apart by more than the difference measured). Reported: CPU per request over all rounds,
and the ratio to httpx2 both of those totals and as the median of per-round ratios.

Three clients: bare httpx2, tether.Client as configured by default (retry and rate-limit
layers included), and tether.Client with those two layers switched off, which isolates
the core client (typed errors, safe JSON, per-call options, logging and hooks layer).

Usage: python benchmarks/client_overhead.py [--requests 10] [--rounds 400]   (under a minute)
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial

import httpx2

import tether
from _harness import interleave, tether_serve

PATH = "/todos/1"


def _batch(get: Callable[[str], httpx2.Response], count: int) -> float:
    """CPU seconds per request over ``count`` sequential GETs (body decoded each time)."""
    started = time.process_time()
    for _ in range(count):
        get(PATH).json()
    return (time.process_time() - started) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=400, help="batches per client")
    args = parser.parse_args()

    with tether_serve() as url:
        clients: dict[str, httpx2.Client] = {
            "httpx2.Client": httpx2.Client(base_url=url),
            "tether.Client": tether.Client(base_url=url),
            "tether.Client(core only)": tether.Client(
                base_url=url, retry=False, retry_budget=False, rate_limit=False
            ),
        }
        for client in clients.values():
            _batch(client.get, 200)  # warm up: connection, caches
        variants = {name: partial(_batch, client.get, args.requests)
                    for name, client in clients.items()}
        samples = interleave(variants, args.rounds)
        for client in clients.values():
            client.close()

    base = samples["httpx2.Client"]
    print(
        f"GET {PATH}: {args.rounds} rounds of {args.requests} requests per client, "
        "clients interleaved"
    )
    print(f"{'client':<26} {'CPU us/request':>15} {'ratio':>7} {'median round ratio':>19}")
    ratios: dict[str, float] = {}
    for name, values in samples.items():
        per_request = statistics.fmean(values)
        ratios[name] = per_request / statistics.fmean(base)
        rounds = statistics.median(v / b for v, b in zip(values, base, strict=True))
        print(f"{name:<26} {per_request * 1e6:>15.1f} {ratios[name]:>7.3f} {rounds:>19.3f}")
    print(
        f"overhead ratio tether.Client / httpx2.Client: {ratios['tether.Client']:.3f} "
        f"(core only: {ratios['tether.Client(core only)']:.3f}; goal <= 1.05)"
    )


if __name__ == "__main__":
    main()
