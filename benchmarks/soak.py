"""Soak: a bounded mixed workload through ``tether.AsyncClient`` against a sandbox failing
about 10% of requests, watching both processes for growth.

The sandbox runs as ``tether serve`` in its own process; the client process keeps
``--concurrency`` workers busy for ``--duration`` seconds (default 60) with a mix of reads
(items, filtered lists, pages), keyed creates and updates. It prints the calls made, the
requests the server counted (retries included), the success rate, p50/p99 call latency,
and the resident memory and open file descriptors of the client and of the server at the
start, the middle and the end. Memory and descriptors that keep climbing mean a leak;
flat figures are the goal.

    python benchmarks/soak.py [--duration 60] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

import tether

_URL = re.compile(r"http://127\.0\.0\.1:\d+")

# About 10% of requests meet a fault; all of them are ones a client must survive.
RULES = """rules:
  - {route: "*", probability: 0.03, kind: status, status: 503}
  - {route: "*", probability: 0.01, kind: status, status: 429, retry_after: 1}
  - {route: "*", probability: 0.02, kind: reset}
  - {route: "POST /todos", probability: 0.05, kind: reset, after: true}
  - {route: "GET *", probability: 0.01, kind: truncate, fraction: 0.5}
  - {route: "GET *", probability: 0.01, kind: malformed}
  - {route: "*", probability: 0.02, kind: latency, delay: "0..50ms"}
"""


def rss_mib(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def open_fds(pid: int) -> int:
    """Open file descriptors of process ``pid`` (Linux /proc)."""
    return len(os.listdir(f"/proc/{pid}/fd"))


@contextmanager
def sandbox(rules: Path) -> Iterator[tuple[str, int]]:
    """``tether serve`` in its own process; yields its URL and process id."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tether", "serve", "--port", "0", "--faults", str(rules)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        match = _URL.search(process.stdout.readline())
        if not match:
            raise RuntimeError("the sandbox did not print its URL")
        yield match.group(0), process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    samples: list[tuple[str, float, int, float, int]] = field(default_factory=list)


async def one_call(client: tether.AsyncClient, rand: random.Random) -> str:
    """One call of the mix; the outcome's name ("ok" only for right data)."""
    roll = rand.random()
    try:
        if roll < 0.55:
            item = rand.randint(1, 100)
            body = (await client.get(f"/posts/{item}")).json()
            return "ok" if body["id"] == item else "wrong data"
        if roll < 0.75:
            user = rand.randint(1, 10)
            todos = (await client.get("/todos", params={"userId": user})).json()
            # (The updates below move todos between users, so a list may be empty.)
            return "ok" if all(t["userId"] == user for t in todos) else "wrong data"
        if roll < 0.85:
            page = (await client.get("/comments", params={"_page": rand.randint(1, 50),
                                                          "_limit": 10})).json()
            return "ok" if len(page) == 10 else "wrong data"
        if roll < 0.95:
            todo = {"userId": 1, "title": f"soak {rand.random()}", "completed": False}
            made = (await client.post("/todos", json=todo)).json()  # keyed: see main()
            return "ok" if made["title"] == todo["title"] else "wrong data"
        item = rand.randint(1, 200)
        done = (await client.put(f"/todos/{item}", json={"userId": 1, "title": "done",
                                                        "completed": True})).json()
        return "ok" if done["completed"] is True else "wrong data"
    except tether.TetherError as error:
        return type(error).__name__
    except httpx2.TransportError as error:
        return type(error).__name__


async def worker(client: tether.AsyncClient, seed: int, until: float, tally: Tally) -> None:
    rand = random.Random(seed)
    while time.monotonic() < until:
        started = time.monotonic()
        outcome = await one_call(client, rand)
        tally.latencies.append(time.monotonic() - started)
        tally.outcomes[outcome] += 1


async def sampler(server_pid: int, start: float, duration: float, tally: Tally) -> None:
    # "start" comes once every worker has its connection (a tenth of the way in), so
    # growth afterwards is not the pool filling up.
    moments = (("start", duration / 10), ("middle", duration / 2), ("end", duration - 0.01))
    for label, at in moments:
        await asyncio.sleep(max(0.0, start + at - time.monotonic()))
        tally.samples.append((label, rss_mib(os.getpid()), open_fds(os.getpid()),
                              rss_mib(server_pid), open_fds(server_pid)))


async def soak(url: str, server_pid: int, duration: float, concurrency: int) -> Tally:
    tally = Tally()
    policy = tether.Retry(idempotency_key=True, deadline=10)
    async with tether.AsyncClient(base_url=url, retry=policy, timeout=5) as client:
        # Warm up before the first sample, so "start" is the steady state, not import time.
        await client.get("/posts/1")
        start = time.monotonic()
        until = start + duration
        await asyncio.gather(
            sampler(server_pid, start, duration, tally),
            *(worker(client, seed, until, tally) for seed in range(concurrency)),
        )
    return tally


def report(tally: Tally, server_requests: int, duration: float) -> None:
    calls = sum(tally.outcomes.values())
    ok = tally.outcomes["ok"]
    cuts = statistics.quantiles(tally.latencies, n=100)
    print(f"soak: {duration:g} s, {calls} calls ({calls / duration:.0f}/s), "
          f"{server_requests} requests counted by the server (retries included)")
    print(f"success: {ok / calls:.2%} ({ok}/{calls}); other outcomes: "
          + (", ".join(f"{name} {n}" for name, n in tally.outcomes.most_common()
                       if name != "ok") or "none"))
    print(f"latency: p50 {cuts[49] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms, "
          f"max {max(tally.latencies) * 1000:.1f} ms")
    print(f"{'when':8} {'client RSS':>12} {'client FDs':>11} {'server RSS':>12} {'server FDs':>11}")
    for label, c_rss, c_fds, s_rss, s_fds in tally.samples:
        print(f"{label:8} {c_rss:9.1f} MiB {c_fds:11d} {s_rss:9.1f} MiB {s_fds:11d}")
    first, last = tally.samples[0], tally.samples[-1]
    print(f"growth start->end: client RSS {last[1] - first[1]:+.1f} MiB, FDs "
          f"{last[2] - first[2]:+d}; server RSS {last[3] - first[3]:+.1f} MiB, FDs "
          f"{last[4] - first[4]:+d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0,
                        help="seconds of load (default 60)")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="calls in flight at once (default 16)")
    options = parser.parse_args()
    if not 0 < options.duration <= 3600 or not 1 <= options.concurrency <= 256:
        parser.error("--duration must be in (0, 3600] and --concurrency in 1..256")
    with tempfile.TemporaryDirectory() as directory:
        rules = Path(directory) / "faults.yaml"
        rules.write_text(RULES)
        with sandbox(rules) as (url, pid):
            tally = asyncio.run(soak(url, pid, options.duration, options.concurrency))
            total = httpx2.get(f"{url}/_sandbox/stats").json()["total"]
    report(tally, total, options.duration)


if __name__ == "__main__":
    main()
