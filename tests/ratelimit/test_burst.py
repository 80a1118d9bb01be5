"""A burst of concurrent calls against a rate-limited sandbox, with default settings.

The promise under test: a user who fires 100 calls at once (``asyncio.gather``, or 100
threads on one client) at an API limited to 20 a second gets 100 answers, the API sees
hardly any 429s, and the run takes little longer than the limit itself allows. Each run
lasts several seconds, so the generous time bound (1.25x the ideal) is not a flake risk.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import httpx2
import pytest

import tether
from tether.sandbox import SandboxServer

CALLS = 100
Format = Literal["all", "ietf", "x-ratelimit"]

# The header families the sandbox sends; a format keeps one (and Retry-After, which
# every refusal carries), as a server speaking only that format would.
_IETF = ("ratelimit", "ratelimit-policy")
_GITHUB = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-used",
           "x-ratelimit-reset", "x-ratelimit-resource")


def _only(response: httpx2.Response, fmt: Format) -> httpx2.Response:
    dropped = {"ietf": _GITHUB, "x-ratelimit": _IETF, "all": ()}[fmt]
    for name in dropped:
        response.headers.pop(name, None)
    return response


class _OneFormat(httpx2.HTTPTransport):
    def __init__(self, fmt: Format) -> None:
        super().__init__()
        self.fmt = fmt

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return _only(super().handle_request(request), self.fmt)


class _AsyncOneFormat(httpx2.AsyncHTTPTransport):
    def __init__(self, fmt: Format) -> None:
        super().__init__()
        self.fmt = fmt

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return _only(await super().handle_async_request(request), self.fmt)


def _gather(url: str, fmt: Format) -> list[object]:
    async def main() -> list[object]:
        async with tether.AsyncClient(base_url=url, transport=_AsyncOneFormat(fmt)) as client:
            calls = (client.get(f"/posts/{i % 100 + 1}") for i in range(CALLS))
            return list(await asyncio.gather(*calls, return_exceptions=True))

    return asyncio.run(main())


def _threads(url: str, fmt: Format) -> list[object]:
    with (
        tether.Client(base_url=url, transport=_OneFormat(fmt)) as client,
        ThreadPoolExecutor(CALLS) as pool,
    ):

        def one(i: int) -> object:
            try:
                return client.get(f"/posts/{i % 100 + 1}")
            except Exception as error:  # collected and asserted on below
                return error

        return list(pool.map(one, range(CALLS)))


def _burst(
    sandbox: SandboxServer, rates: tuple[str, ...], ideal: float, run: str, fmt: Format
) -> None:
    with sandbox.limits(*rates):
        before = int(sandbox.stats()["by_status"].get("429", 0))
        start = time.monotonic()
        results = (_gather if run == "async" else _threads)(sandbox.url, fmt)
        elapsed = time.monotonic() - start
        refused = int(sandbox.stats()["by_status"].get("429", 0)) - before
    failures = [r for r in results if not isinstance(r, httpx2.Response)]
    assert failures == [], failures[:3]
    assert all(r.status_code == 200 for r in results if isinstance(r, httpx2.Response))
    assert refused <= 5
    assert elapsed <= 1.25 * ideal, f"{elapsed:.2f}s against an ideal of {ideal:.2f}s"


@pytest.mark.parametrize(
    ("run", "fmt"),
    [("async", "all"), ("threads", "all"), ("async", "ietf"), ("async", "x-ratelimit"),
     ("threads", "x-ratelimit")],
)
def test_a_burst_meets_a_20_per_second_limit(
    sandbox: SandboxServer, run: str, fmt: Format
) -> None:
    _burst(sandbox, ("20/s",), CALLS / 20, run, fmt)


def test_a_burst_meets_a_per_second_and_a_per_minute_limit(sandbox: SandboxServer) -> None:
    # 100 a minute is a quota spent at 5 a second: 100 calls fit in 20 s.
    _burst(sandbox, ("5/s", "100/min"), CALLS / 5, "async", "all")


def test_a_burst_rides_out_503s_under_a_limit_within_the_retry_budget(
    sandbox: SandboxServer,
) -> None:
    budget = tether.RetryBudget()

    async def main() -> list[object]:
        async with tether.AsyncClient(base_url=sandbox.url, retry_budget=budget) as client:
            calls = (client.get(f"/posts/{i % 100 + 1}") for i in range(CALLS))
            return list(await asyncio.gather(*calls, return_exceptions=True))

    fault = {"route": "GET /posts*", "probability": 0.3, "kind": "status", "status": 503}
    with sandbox.limits("20/s"), sandbox.faults(fault, seed=11):
        before = sandbox.stats()["by_status"]
        results = asyncio.run(main())
        after = sandbox.stats()["by_status"]
    failures = [r for r in results if not isinstance(r, httpx2.Response)]
    assert failures == [], failures[:3]
    sent = sum(int(after.get(k, 0)) - int(before.get(k, 0)) for k in after)
    errors_503 = int(after.get("503", 0)) - int(before.get("503", 0))
    # Every 503 was retried, and the retries were refunded as they succeeded: the budget
    # was never exceeded (it would have raised RetryBudgetExhausted above).
    assert errors_503 > 10
    amplification = sent / CALLS
    print(f"amplification {amplification:.2f} ({sent} requests for {CALLS} calls)")
    assert amplification < 1.0 + 0.3 / 0.7 + 0.2
