"""Requests per second the sandbox serves on 127.0.0.1, against a bare-ASGI baseline.

Each server runs in its own process (the load generator must not share its GIL); the load
is N keep-alive connections sending requests back to back over raw asyncio sockets, so the
client costs as little as possible. Bounded: a fixed number of requests per measurement.

    python benchmarks/sandbox.py [--requests 2000] [--concurrency 16] [--rounds 5]
"""

from __future__ import annotations

import argparse
from functools import partial

from _harness import interleave, print_ratios, request_rate, server, tether_serve

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
    with server(_BASELINE) as baseline_url, tether_serve() as url:
        urls = {"baseline": baseline_url, "sandbox": url}
        # Each measurement warms up on one connection first (50 requests, untimed).
        variants = {
            name: partial(request_rate, urls[which], path, n, c, 50)
            for name, (which, path) in targets.items()
        }
        results = interleave(variants, args.rounds)
    print(f"sandbox throughput: {n} requests x {args.rounds} interleaved rounds, "
          f"{c} keep-alive connections, median req/s and ratio to the baseline")
    print_ratios(results, "bare ASGI + uvicorn (baseline)", kind="rate")


if __name__ == "__main__":
    main()
