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

``--against DIR`` compares this tree with another checkout of tether (``DIR/src``, for
example ``git worktree add /tmp/base <commit>``) in the same run: each tree's clients run
in a worker process of their own, the workers take turns round by round against one
server, and the ratios of this tree to the other are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
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


def _clients(url: str) -> dict[str, httpx2.Client]:
    return {
        "httpx2.Client": httpx2.Client(base_url=url),
        "tether.Client": tether.Client(base_url=url),
        "tether.Client(core only)": tether.Client(
            base_url=url, retry=False, retry_budget=False, rate_limit=False
        ),
    }


def _worker(url: str) -> None:
    """Serve ``--against``: for each line read (a batch size), one batch per client."""
    clients = _clients(url)
    for client in clients.values():
        _batch(client.get, 200)
    print(json.dumps({"ready": tether.__file__}), flush=True)
    for line in sys.stdin:
        count = int(line)
        print(json.dumps({name: _batch(c.get, count) for name, c in clients.items()}), flush=True)


def _against(url: str, other: str, requests: int, rounds: int) -> None:
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "src")
    trees = {"this tree": os.path.abspath(here), "other tree": os.path.join(other, "src")}
    workers = {}
    for name, src in trees.items():
        env = {**os.environ, "PYTHONPATH": src}
        workers[name] = subprocess.Popen(
            [sys.executable, __file__, "--worker", url],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
    try:
        for name, worker in workers.items():
            assert worker.stdout is not None
            print(f"{name}: {json.loads(worker.stdout.readline())['ready']}")
        order = list(workers)
        for round_number in range(rounds):
            # Alternate who goes first, so neither tree always runs on a warmer machine.
            for name in order if round_number % 2 == 0 else order[::-1]:
                worker = workers[name]
                assert worker.stdin is not None
                assert worker.stdout is not None
                worker.stdin.write(f"{requests}\n")
                worker.stdin.flush()
                for client, value in json.loads(worker.stdout.readline()).items():
                    samples[name].setdefault(client, []).append(value)
    finally:
        for worker in workers.values():
            assert worker.stdin is not None
            worker.stdin.close()
            worker.wait(timeout=30)
    print(f"GET {PATH}: {rounds} rounds of {requests} requests per client and tree")
    print(f"{'client':<26} {'this us/req':>12} {'other us/req':>13} {'this/other':>11}")
    for client in samples["this tree"]:
        mine = statistics.fmean(samples["this tree"][client])
        theirs = statistics.fmean(samples["other tree"][client])
        print(f"{client:<26} {mine * 1e6:>12.1f} {theirs * 1e6:>13.1f} {mine / theirs:>11.3f}")
    for client in ("tether.Client", "tether.Client(core only)"):
        ratios = [
            statistics.fmean(samples[tree][client])
            / statistics.fmean(samples[tree]["httpx2.Client"])
            for tree in ("this tree", "other tree")
        ]
        print(
            f"{client} / httpx2.Client: this tree {ratios[0]:.3f}, other tree {ratios[1]:.3f}; "
            f"change {ratios[0] / ratios[1] - 1:+.1%} (goal: no more than +3%)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=400, help="batches per client")
    parser.add_argument("--against", metavar="DIR", help="another tether checkout to compare")
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker)
        return

    with tether_serve() as url:
        if args.against:
            _against(url, args.against, args.requests, args.rounds)
            return
        clients = _clients(url)
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
