"""The transports and the client wiring: events, logging, sharing, retry interplay.

These use httpx2.MockTransport to script exact server answers (a given header, a 429 at a
given moment); everything that depends on a real server's behaviour is in test_live.py.
"""

from __future__ import annotations

import logging
import time

import httpx2
import pytest

import tether
from tether._ratelimit import MemoryStore
from tether._transports import _ratelimit as rate_transport

POLICY = {"RateLimit-Policy": '"burst";q=10;w=1', "RateLimit": '"burst";r=9;t=1'}


def ok(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, json={})


def test_silent_server_costs_no_limiter_state() -> None:
    with tether.Client(base_url="http://api", transport=httpx2.MockTransport(ok)) as client:
        # Slow start's answers without limit pressure settle the host...
        for _ in range(40):
            client.get("/x")
        limiter = client.rate_limiter
        assert limiter is not None
        assert isinstance(limiter.store, MemoryStore)
        assert repr(limiter.store) == "MemoryStore(slots=0)"
        assert limiter.settled(b"api")
        # ... after which not even a plan: a quiet limiter lets requests through untouched.
        limiter._plans.clear()
        for _ in range(20):
            client.get("/x")
        assert limiter._plans == {}


def test_a_quiet_limiter_starts_pacing_from_the_first_feedback() -> None:
    answers = iter([{}, POLICY, {}, {}])

    def server(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers=next(answers))

    events: list[tether.Event] = []
    transport = tether.RateLimitTransport(httpx2.MockTransport(server), hooks=[events.append])
    with httpx2.Client(transport=transport) as client:
        for _ in range(4):
            client.get("http://api/x")
    assert [type(e).__name__ for e in events] == [
        "RateLimitAdjusted",
        "RateLimitWaited",
    ]


def test_events_and_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    events: list[tether.Event] = []

    def server(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers=POLICY)

    caplog.set_level(logging.DEBUG, logger="tether.ratelimit")
    with tether.Client(
        base_url="http://api", transport=httpx2.MockTransport(server), hooks=[events.append]
    ) as client:
        # The first answer teaches the pace; the second request opens it; then waits.
        for _ in range(4):
            client.get("/x")
    adjusted = [e for e in events if isinstance(e, tether.RateLimitAdjusted)]
    waited = [e for e in events if isinstance(e, tether.RateLimitWaited)]
    assert [(e.key, round(e.rate, 3)) for e in adjusted] == [("api", 9.5)]
    assert [(e.key, e.reason) for e in waited] == [("api", "server pace 9.5/s")] * 2
    assert all(0.05 < e.wait <= 1 / 9.5 for e in waited)
    messages = [r.getMessage() for r in caplog.records if r.name == "tether.ratelimit"]
    assert messages[0] == "pace for api now 9.5/s: server policy 10 per 1s"
    assert messages[1].startswith("waited 0.")
    assert messages[1].endswith("for api (server pace 9.5/s)")


def test_rate_limit_false_removes_the_layer() -> None:
    with tether.Client(transport=httpx2.MockTransport(ok), rate_limit=False) as client:
        assert client.rate_limiter is None
        assert client.get("http://api/x").status_code == 200


def test_bad_rate_limit_is_a_configuration_error() -> None:
    with pytest.raises(tether.ConfigurationError, match="rate_limit=True"):
        tether.Client(rate_limit=True)  # type: ignore[arg-type]
    with pytest.raises(tether.ConfigurationError, match="cannot read rate '5 a sec'"):
        tether.AsyncClient(rate_limit="5 a sec")


@pytest.mark.parametrize(
    ("rate_limit", "message"),
    [
        (5, r"rate_limit=5: a number alone is not a rate: 5 per what\? .* '5/s'"),
        ([10, "500/h"], r"rate_limit=\[10, '500/h'\]: a number alone is not a rate: 10 per"),
        (object, "rate_limit=<class 'object'>: expected a rate such as '5/s'"),
    ],
)
def test_a_rate_limit_that_is_not_a_rate_says_what_to_write(
    rate_limit: object, message: str
) -> None:
    with pytest.raises(tether.ConfigurationError, match=message) as info:
        tether.Client(rate_limit=rate_limit)  # type: ignore[arg-type]
    assert "not iterable" not in str(info.value)


def test_clients_sharing_a_limiter_share_the_quota() -> None:
    limiter = tether.RateLimiter(tether.RateLimit("2/s"))
    transport = httpx2.MockTransport(ok)
    with (
        tether.Client(transport=transport, rate_limit=limiter) as a,
        tether.Client(transport=transport, rate_limit=limiter) as b,
    ):
        start = time.monotonic()
        a.get("http://api/x")
        b.get("http://api/x")
        copy = a.with_options(timeout=3)
        assert copy.rate_limiter is limiter
        copy.get("http://api/x")
        assert time.monotonic() - start >= 1.0 - 0.02


def test_every_retry_attempt_passes_the_limiter() -> None:
    answers = iter([503, 503, 200])
    events: list[tether.Event] = []

    def flaky(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(next(answers))

    with (
        tether.retry_testing_mode(),
        tether.Client(
            transport=httpx2.MockTransport(flaky), rate_limit="20/s", hooks=[events.append]
        ) as client,
    ):
        start = time.monotonic()
        assert client.get("http://api/x").status_code == 200
        elapsed = time.monotonic() - start
    waited = [e for e in events if isinstance(e, tether.RateLimitWaited)]
    assert len(waited) == 2
    assert elapsed >= 0.1 - 0.01


def test_a_429_pauses_the_next_request_by_retry_after(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rate_transport, "_ANNOUNCE", 0.2)
    caplog.set_level(logging.INFO, logger="tether.ratelimit")
    answers = iter([429, 200])

    def server(request: httpx2.Request) -> httpx2.Response:
        status = next(answers)
        return httpx2.Response(status, headers={"Retry-After": "0.3"} if status == 429 else {})

    with tether.Client(
        transport=httpx2.MockTransport(server), retry=False, raise_for_status=False
    ) as client:
        start = time.monotonic()
        assert client.get("http://api/x").status_code == 429
        assert client.get("http://api/x").status_code == 200
        assert time.monotonic() - start >= 0.3 - 0.01
    messages = [r.getMessage() for r in caplog.records if r.name == "tether.ratelimit"]
    assert messages[0] == "pace for api now 0/s: server refused; pausing 0.30s"
    # Announced before the wait, since a long pause must not look like a hang.
    assert messages[1].startswith("waiting 0.3s for api (server refused; pausing as asked)")


async def test_async_transport_paces_and_reports() -> None:
    events: list[tether.Event] = []

    async def server(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers=POLICY)

    transport = tether.AsyncRateLimitTransport(
        httpx2.MockTransport(server), rate_limit="5/s", hooks=[events.append]
    )
    async with httpx2.AsyncClient(transport=transport) as client:
        start = time.monotonic()
        for _ in range(3):
            await client.get("http://api/x")
        assert time.monotonic() - start >= 0.4 - 0.01
    waited = [e for e in events if isinstance(e, tether.RateLimitWaited)]
    # The configured 5/s is slower than the server's 9.5/s, so it is the reason.
    assert [e.reason for e in waited] == ["5/s", "5/s"]


def test_route_scoped_quota_through_the_client() -> None:
    config = tether.RateLimit(routes={"GET /search*": "5/s"})
    events: list[tether.Event] = []
    with tether.Client(
        base_url="http://api",
        transport=httpx2.MockTransport(ok),
        rate_limit=config,
        hooks=[events.append],
    ) as client:
        client.get("/search")
        client.get("/posts")
        client.get("/search")
    waited = [e for e in events if isinstance(e, tether.RateLimitWaited)]
    assert [(e.key, e.reason) for e in waited] == [("api GET /search*", "GET /search*: 5/s")]


@pytest.mark.parametrize("asynchronous", [False, True])
async def test_a_wait_longer_than_the_deadline_fails_at_once(asynchronous: bool) -> None:
    limiter = tether.RateLimiter("1/min")
    transport = httpx2.MockTransport(ok)
    start = time.monotonic()
    if asynchronous:
        async with tether.AsyncClient(transport=transport, rate_limit=limiter) as client:
            await client.get("http://api/x")
            with pytest.raises(tether.DeadlineExceeded, match="left of the call's deadline"):
                await client.get("http://api/x", deadline=2)
    else:
        with tether.Client(transport=transport, rate_limit=limiter) as client:
            client.get("http://api/x")
            with pytest.raises(tether.DeadlineExceeded, match="left of the call's deadline"):
                client.get("http://api/x", deadline=2)
    assert time.monotonic() - start < 1.0
    # Nothing was spent: with no deadline the next request still gets the next slot.
    permit = limiter.reserve(limiter.plan_request("GET", "api", None, "/x"), max_wait=60.0)
    assert permit is not None
    assert 59.0 < permit.wait <= 60.0


@pytest.mark.parametrize("asynchronous", [False, True])
async def test_the_retry_policys_deadline_bounds_the_wait(asynchronous: bool) -> None:
    # Set on the client's policy, not on the call: the retry layer passes it down.
    limiter = tether.RateLimiter("1/min")
    policy = tether.Retry(deadline=2)
    transport = httpx2.MockTransport(ok)
    start = time.monotonic()
    if asynchronous:
        async with tether.AsyncClient(transport=transport, rate_limit=limiter, retry=policy) as a:
            await a.get("http://api/x")
            with pytest.raises(tether.DeadlineExceeded, match="left of the call's deadline"):
                await a.get("http://api/x")
    else:
        with tether.Client(transport=transport, rate_limit=limiter, retry=policy) as client:
            client.get("http://api/x")
            with pytest.raises(tether.DeadlineExceeded, match="left of the call's deadline"):
                client.get("http://api/x")
    assert time.monotonic() - start < 1.0
    permit = limiter.reserve(limiter.plan_request("GET", "api", None, "/x"), max_wait=60.0)
    assert permit is not None
    assert 59.0 < permit.wait <= 60.0


def test_a_deadline_under_a_plain_httpx2_client() -> None:
    # The transports stacked by hand, as a user of plain httpx2 would.
    limiter = tether.RateLimiter("1/min")
    stack = tether.RetryTransport(
        tether.RateLimitTransport(httpx2.MockTransport(ok), rate_limit=limiter),
        retry=tether.Retry(deadline=1),
    )
    with httpx2.Client(transport=stack) as client:
        client.get("http://api/x")
        with pytest.raises(tether.DeadlineExceeded, match="left of the call's deadline"):
            client.get("http://api/x")
