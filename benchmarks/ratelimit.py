"""Rate limiter: overhead per acquisition (memory, SQLite, Redis) and achieved-rate error.

Prints, all measured in this run:

* the CPU cost of one acquisition in each store, next to one real HTTP request to a local
  sandbox (so the cost reads as a share of a request);
* what the default adaptive layer costs a client talking to a server that sends no
  rate-limit headers (tether.Client with the default vs rate_limit=False);
* the achieved rate of a 50/s limit over 10 s under four saturating threads (memory
  store), and over 4 s with SQLite and Redis, with the most requests seen in any 1 s.

Run: .venv/bin/python benchmarks/ratelimit.py   (about 40 s)
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import timeit
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

import tether
from tether._ratelimit import Store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def sandbox() -> Iterator[str]:
    """The sandbox in its own process, so its CPU time is not counted as the client's."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from tether.cli import main; main()", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx2.get(url + "/todos/1", timeout=1.0)
                break
            except httpx2.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def per_call(fn: Callable[[], object], seconds: float = 1.0) -> float:
    """Median-of-3 CPU seconds per call of ``fn``."""
    results = []
    for _ in range(3):
        calls, start = 0, time.process_time()
        deadline = time.perf_counter() + seconds / 3
        while time.perf_counter() < deadline:
            for _ in range(50):
                fn()
            calls += 50
        results.append((time.process_time() - start) / calls)
    return sorted(results)[1]


@contextmanager
def redis_server() -> Iterator[str | None]:
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        for _ in range(200):
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def most_in_any_window(times: list[float], window: float) -> int:
    best, first = 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


def sustained_rate(times: list[float]) -> float:
    """Least-squares slope of request number over send time (robust to one late endpoint)."""
    n = len(times)
    mean_i, mean_t = (n - 1) / 2, sum(times) / n
    covariance = sum((i - mean_i) * (t - mean_t) for i, t in enumerate(times))
    return covariance / sum((t - mean_t) ** 2 for t in times)


def achieved_rate(
    url: str, store: Store | None, rate: int, seconds: float
) -> tuple[float, float, int]:
    """Four threads through one client as fast as the limit lets them.

    Returns (n-1)/span, the sustained (least-squares) rate, and the most sends in 1 s.
    """
    sent: list[float] = []
    lock = threading.Lock()

    class Recording(httpx2.BaseTransport):
        def __init__(self) -> None:
            self.inner = httpx2.HTTPTransport()

        def handle_request(self, request: httpx2.Request) -> httpx2.Response:
            with lock:
                sent.append(time.monotonic())
            return self.inner.handle_request(request)

    total = int(rate * seconds) + 1
    config = tether.RateLimit(f"{rate}/s", store=store, adaptive=False)
    with tether.Client(base_url=url, transport=Recording(), rate_limit=config) as client:

        def worker() -> None:
            while True:
                with lock:
                    if len(sent) >= total:
                        return
                client.get("/todos/1")

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    sent.sort()
    span_rate = (len(sent) - 1) / (sent[-1] - sent[0])
    return span_rate, sustained_rate(sent), most_in_any_window(sent, 1.0)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tether-bench-"))
    with sandbox() as url, redis_server() as redis_url:
        stores: dict[str, Callable[[], Store] | None] = {
            "memory": lambda: tether.MemoryStore(),
            "sqlite": lambda: tether.SQLiteStore(workdir / "bench.sqlite"),
            "redis": (lambda: tether.RedisStore(redis_url)) if redis_url else None,
        }

        with httpx2.Client(base_url=url) as raw:
            request_cost = per_call(lambda: raw.get("/todos/1"), 2.0)
        print(f"baseline: one httpx2 GET to the local sandbox: {request_cost * 1e6:8.1f} us CPU")

        print("\noverhead per acquisition (a pace so high nothing waits):")
        for name, make in stores.items():
            if make is None:
                print(f"  {name:7s} skipped: redis-server is not installed")
                continue
            limiter = tether.RateLimiter(tether.RateLimit("1000000/s"), store=make())
            cost = per_call(lambda limiter=limiter: limiter.acquire("bench"), 1.5)
            print(
                f"  {name:7s} {cost * 1e6:8.1f} us CPU  = {cost / request_cost:6.1%} of a request"
            )
            limiter.close()

        def silent(request: httpx2.Request) -> httpx2.Response:
            return httpx2.Response(200, json={})

        mock = httpx2.MockTransport(silent)
        with (
            tether.Client(transport=mock, rate_limit=False, retry=False) as off,
            tether.Client(transport=mock, retry=False) as default,
        ):
            # A difference of a few microseconds: interleaved timeit rounds, best of each,
            # or the noise of a shared machine swamps it.
            offs, ons = [], []
            for _ in range(7):
                for client, results in ((off, offs), (default, ons)):
                    runs = timeit.repeat(lambda c=client: c.get("http://api/x"), number=300)
                    results.append(min(runs) / 300)
            t_off, t_on = min(offs), min(ons)
        print(
            f"\ndefault adaptive layer, server sending no rate-limit headers: "
            f"{(t_on - t_off) * 1e6:+.1f} us per request, ratio {t_on / t_off:.3f} "
            "(tether.Client default vs rate_limit=False, mock transport, best wall time)"
        )

        print("\nachieved rate, 50/s, four saturating threads:")
        runs = [("memory", 10.0), ("sqlite", 4.0), ("redis", 4.0)]
        for name, seconds in runs:
            make = stores[name]
            if make is None:
                print(f"  {name:7s} skipped: redis-server is not installed")
                continue
            achieved, sustained, most = achieved_rate(url, make(), 50, seconds)
            print(
                f"  {name:7s} {seconds:4.0f} s: (n-1)/span {achieved:7.3f}/s "
                f"({(achieved - 50) / 50:+.2%}), sustained {sustained:7.3f}/s "
                f"({(sustained - 50) / 50:+.2%}), most in any 1 s: {most} (limit 50, burst 1)"
            )
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
