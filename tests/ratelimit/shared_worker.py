"""One worker process of the shared-quota tests: N requests through a shared store.

Usage: python shared_worker.py URL STORE TARGET RATE COUNT START
STORE is ``sqlite`` or ``redis``; TARGET is the SQLite path or the Redis URL; START is
the Unix time at which all workers begin together. Prints the send times as JSON.
"""

from __future__ import annotations

import json
import sys
import time

import httpx2

import tether


class Recording(httpx2.BaseTransport):
    """Notes when each request really leaves (after the limiter let it go)."""

    def __init__(self, inner: httpx2.BaseTransport) -> None:
        self.inner = inner
        self.sent: list[float] = []

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.sent.append(time.time())
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def main() -> None:
    url, kind, target, rate, count, start = sys.argv[1:7]
    store = tether.SQLiteStore(target) if kind == "sqlite" else tether.RedisStore(target)
    recording = Recording(httpx2.HTTPTransport())
    config = tether.RateLimit(rate, store=store, adaptive=False)
    with tether.Client(base_url=url, transport=recording, rate_limit=config, retry=False) as client:
        client.get("/_sandbox/stats")  # connect before the start, outside the measurement
        recording.sent.clear()
        time.sleep(max(0.0, float(start) - time.time()))
        for _ in range(int(count)):
            client.get("/todos/1")
    print(json.dumps(recording.sent))


if __name__ == "__main__":
    main()
