"""CPU cost of the retry layer on the hot path (first attempt succeeds).

Compares, in the same run and against the same local server (a separate process, so its
CPU is not counted), a bare ``httpx2.Client`` with one whose transport is wrapped in
``tether.RetryTransport`` (default policy and budget), sync and async. Rounds alternate
between the two so drift in machine load hits both alike; the median ratio is printed.
A second section measures the retry and rate-limit layers alone and stacked over
``httpx2.MockTransport``, in microseconds added per request.

Run: ``.venv/bin/python benchmarks/retry_overhead.py`` (under a minute).
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable

import httpx2

import tether

SERVER = textwrap.dedent(
    """
    import http.server, socketserver, sys

    BODY = b'{"userId": 1, "id": 1, "title": "t", "body": "b"}'

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)

        def log_message(self, *args):
            pass

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """
)

REQUESTS = 400
ROUNDS = 5


def cpu_per_request(send: Callable[[], object], count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        send()
    return (time.process_time() - started) / count


async def acpu_per_request(send: Callable[[], object], count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        await send()  # type: ignore[misc]
    return (time.process_time() - started) / count


def compare_sync(url: str) -> tuple[float, float, float]:
    bare = httpx2.Client(base_url=url)
    wrapped = httpx2.Client(base_url=url, transport=tether.RetryTransport())
    ratios, bare_times, wrapped_times = [], [], []
    with bare, wrapped:
        for client in (bare, wrapped):
            cpu_per_request(lambda c=client: c.get("/posts/1"), 200)  # warm up
        for _ in range(ROUNDS):
            b = cpu_per_request(lambda: bare.get("/posts/1"), REQUESTS)
            w = cpu_per_request(lambda: wrapped.get("/posts/1"), REQUESTS)
            bare_times.append(b)
            wrapped_times.append(w)
            ratios.append(w / b)
    median = statistics.median
    return median(bare_times), median(wrapped_times), median(ratios)


async def compare_async(url: str) -> tuple[float, float, float]:
    bare = httpx2.AsyncClient(base_url=url)
    wrapped = httpx2.AsyncClient(base_url=url, transport=tether.AsyncRetryTransport())
    ratios, bare_times, wrapped_times = [], [], []
    async with bare, wrapped:
        for client in (bare, wrapped):
            await acpu_per_request(lambda c=client: c.get("/posts/1"), 200)
        for _ in range(ROUNDS):
            b = await acpu_per_request(lambda: bare.get("/posts/1"), REQUESTS)
            w = await acpu_per_request(lambda: wrapped.get("/posts/1"), REQUESTS)
            bare_times.append(b)
            wrapped_times.append(w)
            ratios.append(w / b)
    median = statistics.median
    return median(bare_times), median(wrapped_times), median(ratios)


def _ok(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, headers={"Content-Type": "application/json"}, content=b"{}")


LAYER_COUNT = 500
LAYER_ROUNDS = 30


def layers_alone() -> dict[str, dict[str, float]]:
    """Microseconds per request over a mock transport, sync and async: bare, each layer
    alone, and both stacked as ``tether.Client`` stacks them (retry over rate limit).

    The rate limiter is the default adaptive one and the mock sends no rate-limit headers:
    the common case. Interleaved rounds, best of each: the minimum is the figure least
    disturbed by other load on a shared machine.
    """
    mock = httpx2.MockTransport(_ok)
    request = httpx2.Request("GET", "http://api.test/x")
    sync: dict[str, httpx2.BaseTransport] = {
        "bare": mock,
        "retry": tether.RetryTransport(mock),
        "rate limit": tether.RateLimitTransport(mock),
        "both": tether.RetryTransport(tether.RateLimitTransport(mock)),
    }
    asynchronous: dict[str, httpx2.AsyncBaseTransport] = {
        "bare": mock,
        "retry": tether.AsyncRetryTransport(mock),
        "rate limit": tether.AsyncRateLimitTransport(mock),
        "both": tether.AsyncRetryTransport(tether.AsyncRateLimitTransport(mock)),
    }
    best = {"sync": dict.fromkeys(sync, float("inf")), "async": dict.fromkeys(sync, float("inf"))}
    for _ in range(LAYER_ROUNDS):
        for name, transport in sync.items():
            started = time.process_time()
            for _ in range(LAYER_COUNT):
                transport.handle_request(request)
            elapsed = (time.process_time() - started) / LAYER_COUNT
            best["sync"][name] = min(best["sync"][name], elapsed)

    async def run_async() -> None:
        for _ in range(LAYER_ROUNDS):
            for name, transport in asynchronous.items():
                started = time.process_time()
                for _ in range(LAYER_COUNT):
                    await transport.handle_async_request(request)
                elapsed = (time.process_time() - started) / LAYER_COUNT
                best["async"][name] = min(best["async"][name], elapsed)

    asyncio.run(run_async())
    return {kind: {k: v * 1e6 for k, v in times.items()} for kind, times in best.items()}


def main() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        bare, wrapped, ratio = compare_sync(url)
        print(f"sync : bare {bare * 1e6:7.1f} us CPU/request, with RetryTransport "
              f"{wrapped * 1e6:7.1f} us, ratio {ratio:.3f} (goal <= 1.05)")
        abare, awrapped, aratio = asyncio.run(compare_async(url))
        print(f"async: bare {abare * 1e6:7.1f} us CPU/request, with AsyncRetryTransport "
              f"{awrapped * 1e6:7.1f} us, ratio {aratio:.3f} (goal <= 1.05)")
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("\nlayers alone over MockTransport (us CPU per request, best of interleaved rounds):")
    for kind, times in layers_alone().items():
        bare = times["bare"]
        added = ", ".join(
            f"{name} +{value - bare:.2f}" for name, value in times.items() if name != "bare"
        )
        print(f"  {kind:5s}: bare {bare:.2f}; {added}")

if __name__ == "__main__":
    main()
