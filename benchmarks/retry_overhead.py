"""CPU cost of the retry layer on the hot path (first attempt succeeds).

Compares, in the same run and against the same local server (a separate process, so its
CPU is not counted), a bare ``httpx2.Client`` with one whose transport is wrapped in
``tether.RetryTransport`` (default policy and budget), sync and async. Rounds alternate
between the two so drift in machine load hits both alike; the median ratio is printed.
A second section measures the layer alone over ``httpx2.MockTransport`` in microseconds.

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


def layer_alone() -> tuple[float, float]:
    """Microseconds per request over a mock transport: bare, and with the retry layer."""

    def ok(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=b"{}")

    mock = httpx2.MockTransport(ok)
    retry = tether.RetryTransport(mock)
    request = httpx2.Request("GET", "http://api.test/x")
    count = 2_000
    best = {"bare": float("inf"), "retry": float("inf")}
    # Interleaved rounds, best of each: the minimum is the least disturbed by other load.
    for _ in range(15):
        for name, transport in (("bare", mock), ("retry", retry)):
            started = time.process_time()
            for _ in range(count):
                transport.handle_request(request)
            best[name] = min(best[name], (time.process_time() - started) / count)
    return best["bare"] * 1e6, best["retry"] * 1e6


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
    mock_bare, mock_retry = layer_alone()
    print(f"layer alone over MockTransport: {mock_bare:.2f} us bare, {mock_retry:.2f} us "
          f"with retry, +{mock_retry - mock_bare:.2f} us per request")


if __name__ == "__main__":
    main()
