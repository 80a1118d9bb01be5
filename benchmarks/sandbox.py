"""Requests per second the sandbox serves on 127.0.0.1, against a bare-ASGI baseline.

Each server runs in its own process (the load generator must not share its GIL); the load
is N keep-alive connections sending requests back to back over raw asyncio sockets, so the
client costs as little as possible. Bounded: a fixed number of requests per measurement.

    python benchmarks/sandbox.py [--requests 2000] [--concurrency 16] [--rounds 5]
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
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

# The baseline: the same uvicorn, serving a constant JSON body from a bare ASGI callable.
# What the sandbox adds on top of it is routing, SQLite, queries and middleware.
_BASELINE = r"""
import socket, sys, uvicorn
body = b'{"userId":1,"id":1,"title":"t","body":"b"}'
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
sock.bind(("127.0.0.1", 0))
sock.listen(1024)  # connections queue until uvicorn accepts them
print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                              lifespan="off")).run(sockets=[sock])
"""
_SANDBOX = "from tether.cli import main; main()"
_URL = re.compile(r"http://127\.0\.0\.1:\d+")


@contextmanager
def server(code: str, *args: str) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        match = _URL.search(process.stdout.readline())
        if not match:
            raise RuntimeError("the server did not print its URL")
        yield match.group(0)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _worker(host: str, port: int, request: bytes, count: int) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for _ in range(count):
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"unexpected answer: {head[:60]!r}")
            length = re.search(rb"(?i)content-length:\s*(\d+)", head)
            if length is None:
                raise RuntimeError("response without content-length")
            await reader.readexactly(int(length.group(1)))
    finally:
        writer.close()


async def _load(url: str, path: str, total: int, concurrency: int) -> float:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    await _worker(host, port, request, 50)  # warm up caches and the connection path
    share = total // concurrency
    started = time.perf_counter()
    await asyncio.gather(*(_worker(host, port, request, share) for _ in range(concurrency)))
    return share * concurrency / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    n, c = args.requests, args.concurrency
    targets = {
        "bare ASGI + uvicorn (baseline)": ("baseline", "/posts/1"),
        "GET /posts/1": ("sandbox", "/posts/1"),
        "GET /posts?_page=2&_limit=10": ("sandbox", "/posts?_page=2&_limit=10"),
    }
    results: dict[str, list[float]] = {name: [] for name in targets}
    with server(_BASELINE) as baseline_url, server(_SANDBOX, "serve", "--port", "0") as url:
        urls = {"baseline": baseline_url, "sandbox": url}
        # Rounds interleave the targets, so load from elsewhere on the machine hits all
        # of them alike and the ratios stay meaningful when the absolute figures drift.
        for _ in range(args.rounds):
            for name, (which, path) in targets.items():
                results[name].append(asyncio.run(_load(urls[which], path, n, c)))

    medians = {name: statistics.median(values) for name, values in results.items()}
    baseline = medians["bare ASGI + uvicorn (baseline)"]
    print(f"sandbox throughput: {n} requests x {args.rounds} interleaved rounds, "
          f"{c} keep-alive connections, median req/s and ratio to the baseline")
    for name, value in medians.items():
        print(f"  {name:34} {value:8.0f} req/s   {value / baseline:5.2f}")


if __name__ == "__main__":
    main()
