"""Mechanics of the retry shells over ``httpx2.MockTransport`` (sync and async alike).

The HTTP behaviour itself (faults, Retry-After, idempotency, deadlines against a slow
server) is tested live in ``test_retry_live.py``; these tests pin down what the shells do
with the policy's decisions: history, events, budget, deadline arithmetic with a fake
clock, errors, and the testing switch.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

from tether._errors import RateLimited
from tether._hooks import Event, RequestFinished, RetryGivenUp, RetryScheduled
from tether._options import CallOptions
from tether._retry import Retry, retry_testing_mode
from tether._retry_budget import RetryBudget
from tether._retry_errors import (
    DeadlineExceeded,
    RetryAfterTooLong,
    RetryBudgetExhausted,
    attempts_of,
)
from tether._transports._base import (
    ATTEMPT_EXTENSION,
    ATTEMPTS_EXTENSION,
    CALL_OPTIONS_EXTENSION,
    DEADLINE_EXTENSION,
)
from tether._transports._retry import AsyncRetryTransport, RetryTransport

Handler = Callable[[httpx2.Request], httpx2.Response]


class FakeClock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


class Harness:
    """Sends requests through a sync or async retry transport over a mock handler."""

    def __init__(self, mode: str, handler: Handler, **kwargs: Any) -> None:
        self.mode = mode
        self.events: list[Event] = []
        kwargs.setdefault("hooks", [self.events.append])
        kwargs.setdefault("rand", lambda: 0.0)
        mock = httpx2.MockTransport(handler)
        self.transport: RetryTransport | AsyncRetryTransport
        if mode == "sync":
            self.transport = RetryTransport(mock, **kwargs)
        else:
            self.transport = AsyncRetryTransport(mock, **kwargs)

    def request(
        self, method: str = "GET", url: str = "http://api.test/x", **kwargs: Any
    ) -> httpx2.Response:
        if isinstance(self.transport, RetryTransport):
            with httpx2.Client(transport=self.transport) as client:
                return client.request(method, url, **kwargs)
        transport = self.transport

        async def send() -> httpx2.Response:
            async with httpx2.AsyncClient(transport=transport) as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(send())


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def no_waits() -> Iterator[None]:
    with retry_testing_mode():
        yield


def sequence(*outcomes: int | type[Exception], headers: dict[str, str] | None = None) -> Handler:
    """A handler answering with each outcome in turn (the last one repeats)."""
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        outcome = outcomes[min(len(seen), len(outcomes) - 1)]
        seen.append(request)
        if isinstance(outcome, int):
            return httpx2.Response(outcome, headers=headers, json={"n": len(seen)})
        raise outcome("boom", request=request)  # type: ignore[call-arg]

    handler.seen = seen  # type: ignore[attr-defined]
    return handler


def options(**kwargs: Any) -> dict[str, Any]:
    return {"extensions": {CALL_OPTIONS_EXTENSION: CallOptions(**kwargs)}}


def test_first_attempt_success_has_one_entry_history(mode: str) -> None:
    harness = Harness(mode, sequence(200))
    response = harness.request()
    (attempt,) = attempts_of(response)
    assert (attempt.number, attempt.status, attempt.error, attempt.wait) == (1, 200, None, None)
    assert [type(e) for e in harness.events] == [RequestFinished]


def _observed(
    mode: str, outcomes: tuple[int | type[Exception], ...], **request: Any
) -> tuple[list[tuple[Any, ...]], list[Event], str]:
    """History, events and outcome of one call, for comparing the two paths."""
    clock = FakeClock()
    harness = Harness(mode, sequence(*outcomes), clock=clock, retry=Retry(jitter=False))
    try:
        response = harness.request(**request)
        result, history = f"status {response.status_code}", attempts_of(response)
    except httpx2.HTTPError as error:
        result, history = type(error).__name__, attempts_of(error)
    # The fake clock stands still, so timings are equal too.
    return [tuple(a) for a in history], list(harness.events), result


@pytest.mark.parametrize(
    "outcomes",
    [
        (200,),
        (404,),
        (503, 200),
        (503, 503, 503, 503),
        (httpx2.ConnectError, 200),
        (httpx2.ReadError,),
        (httpx2.ConnectError,),
    ],
)
def test_the_fast_first_attempt_behaves_like_the_full_path(
    mode: str, outcomes: tuple[int | type[Exception], ...]
) -> None:
    # Per-call options (even empty ones) take the full path from the first attempt.
    assert _observed(mode, outcomes) == _observed(mode, outcomes, **options())


def test_retries_until_success_and_records_each_attempt(mode: str) -> None:
    handler = sequence(503, httpx2.ConnectError, 200)
    harness = Harness(mode, handler, retry=Retry(jitter=False))
    response = harness.request()
    assert response.status_code == 200
    history = response.extensions[ATTEMPTS_EXTENSION]
    assert [(a.number, a.status) for a in history] == [(1, 503), (2, None), (3, 200)]
    assert history[1].error == "ConnectError: boom"
    assert [a.wait for a in history] == [0.5, 1.0, None]  # chosen, though not slept
    scheduled = [e for e in harness.events if isinstance(e, RetryScheduled)]
    assert [(e.attempt, e.reason) for e in scheduled] == [(1, "status 503"), (2, "ConnectError")]


def test_attempts_exhausted_on_status_returns_last_response(mode: str) -> None:
    harness = Harness(mode, sequence(503), retry=Retry(attempts=3))
    response = harness.request()
    assert response.status_code == 503
    assert len(attempts_of(response)) == 3
    (given_up,) = [e for e in harness.events if isinstance(e, RetryGivenUp)]
    assert given_up.attempts == 3
    assert "3 attempts used" in given_up.reason


def test_attempts_exhausted_on_error_reraises_it_with_history(mode: str) -> None:
    harness = Harness(mode, sequence(httpx2.ConnectError), retry=Retry(attempts=2))
    with pytest.raises(httpx2.ConnectError) as caught:
        harness.request("POST", content=b"x")
    assert len(attempts_of(caught.value)) == 2
    assert any("tether attempts: #1" in note for note in caught.value.__notes__)


def test_post_is_not_retried_after_a_read_failure(mode: str) -> None:
    handler = sequence(httpx2.RemoteProtocolError, 201)
    harness = Harness(mode, handler)
    with pytest.raises(httpx2.RemoteProtocolError):
        harness.request("POST", json={"a": 1})
    assert len(handler.seen) == 1  # type: ignore[attr-defined]


def test_generated_idempotency_key_is_the_same_on_every_attempt(mode: str) -> None:
    handler = sequence(httpx2.ReadError, 503, 201)
    harness = Harness(mode, handler, retry=Retry(idempotency_key=True))
    assert harness.request("POST", json={"a": 1}).status_code == 201
    keys = {r.headers["Idempotency-Key"] for r in handler.seen}  # type: ignore[attr-defined]
    assert len(keys) == 1
    assert len(next(iter(keys))) == 36


def test_user_idempotency_key_is_kept_and_makes_post_retryable(mode: str) -> None:
    handler = sequence(503, 201)
    harness = Harness(mode, handler)
    response = harness.request("POST", json={}, headers={"Idempotency-Key": "mine"})
    assert response.status_code == 201
    assert [r.headers["Idempotency-Key"] for r in handler.seen] == ["mine", "mine"]  # type: ignore[attr-defined]


def test_per_call_retry_false_sends_once(mode: str) -> None:
    handler = sequence(503, 200)
    harness = Harness(mode, handler)
    assert harness.request(**options(retry=False)).status_code == 503
    assert len(handler.seen) == 1  # type: ignore[attr-defined]


def test_per_call_policy_overrides_the_transport_policy(mode: str) -> None:
    handler = sequence(503)
    harness = Harness(mode, handler, retry=Retry(attempts=2))
    harness.request(**options(retry=Retry(attempts=5)))
    assert len(handler.seen) == 5  # type: ignore[attr-defined]


def test_transport_without_retry_still_enforces_per_call_retry_true(mode: str) -> None:
    handler = sequence(503, 200)
    harness = Harness(mode, handler, retry=False)
    assert harness.request().status_code == 503
    assert harness.request(**options(retry=True)).status_code == 200


def test_budget_exhausted_fails_fast_with_clear_error(mode: str) -> None:
    # A floor of two retries; a failing call halves the window's health, leaving one.
    budget = RetryBudget(0.0, min_per_second=0.2, window=10)
    handler = sequence(503)
    harness = Harness(mode, handler, retry=Retry(attempts=5), budget=budget)
    with pytest.raises(RetryBudgetExhausted, match="retry budget exhausted after status 503"):
        harness.request()
    assert len(handler.seen) == 2  # type: ignore[attr-defined]
    with pytest.raises(RetryBudgetExhausted) as caught:
        harness.request()
    assert caught.value.response is not None
    assert caught.value.response.status_code == 503
    assert len(caught.value.attempts) == 1
    assert "retry_budget=False" in str(caught.value)  # what to do about it


def test_retry_after_too_long_raises_typed_error(mode: str) -> None:
    harness = Harness(mode, sequence(503, headers={"Retry-After": "120"}))
    with pytest.raises(RetryAfterTooLong) as caught:
        harness.request()
    assert caught.value.retry_after == 120.0
    assert "max_retry_after=60s" in str(caught.value)
    assert "tether.Retry(max_retry_after=...) waits longer" in str(caught.value)


def test_429_with_too_long_wait_raises_rate_limited(mode: str) -> None:
    harness = Harness(mode, sequence(429, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimited) as caught:
        harness.request()
    assert caught.value.retry_after == 3600.0
    assert len(attempts_of(caught.value)) == 1
    assert caught.value.body == {"n": 1}  # body was read before the error was built


def test_429_reset_field_too_long_sets_retry_after_on_rate_limited(mode: str) -> None:
    harness = Harness(mode, sequence(429, headers={"RateLimit": '"api";r=0;t=900'}))
    with pytest.raises(RateLimited) as caught:
        harness.request()
    assert caught.value.retry_after == 900.0


def test_deadline_ends_retrying_when_no_time_is_left(mode: str) -> None:
    clock = FakeClock()

    def slow_503(request: httpx2.Request) -> httpx2.Response:
        clock.now += 1.5
        return httpx2.Response(503)

    harness = Harness(mode, slow_503, clock=clock, retry=Retry(attempts=10))
    with pytest.raises(DeadlineExceeded, match="deadline of 2s exceeded after 2 attempt") as err:
        harness.request(**options(deadline=2.0))
    assert isinstance(err.value, httpx2.TimeoutException)


def test_attempt_timeouts_shrink_to_the_remaining_deadline(mode: str) -> None:
    clock = FakeClock()
    seen: list[dict[str, float]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(dict(request.extensions["timeout"]))
        clock.now += 0.75
        return httpx2.Response(503 if len(seen) < 3 else 200)

    harness = Harness(mode, handler, clock=clock, retry=Retry(deadline=3.0))
    response = harness.request(timeout=httpx2.Timeout(10.0, connect=1.0))
    assert [t["read"] for t in seen] == [3.0, 2.25, 1.5]
    assert [t["connect"] for t in seen] == [1.0, 1.0, 1.0]
    # The request gets its own timeouts back for any later send.
    assert response.request.extensions["timeout"]["read"] == 10.0


@pytest.mark.parametrize("per_call", [False, True])
def test_the_deadline_travels_to_inner_layers(mode: str, per_call: bool) -> None:
    clock = FakeClock()
    seen: list[object] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.extensions.get(DEADLINE_EXTENSION))
        clock.now += 0.5
        return httpx2.Response(503 if len(seen) < 2 else 200)

    policy = Retry() if per_call else Retry(deadline=3.0)
    harness = Harness(mode, handler, clock=clock, retry=policy)
    response = harness.request(**(options(deadline=3.0) if per_call else {}))
    # The same absolute time on every attempt, on the transport's clock.
    assert seen == [503.0, 503.0]
    assert DEADLINE_EXTENSION not in response.request.extensions


def test_no_deadline_extension_without_a_deadline(mode: str) -> None:
    seen: list[bool] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(DEADLINE_EXTENSION in request.extensions)
        return httpx2.Response(503 if len(seen) < 2 else 200)

    Harness(mode, handler).request()
    assert seen == [False, False]


def test_timeout_at_the_deadline_becomes_deadline_exceeded(mode: str) -> None:
    clock = FakeClock()

    def hang(request: httpx2.Request) -> httpx2.Response:
        clock.now += request.extensions["timeout"]["read"]
        raise httpx2.ReadTimeout("timed out", request=request)

    harness = Harness(mode, hang, clock=clock)
    with pytest.raises(DeadlineExceeded) as caught:
        harness.request(**options(deadline=2.0))
    assert isinstance(caught.value.__cause__, httpx2.ReadTimeout)


def test_attempt_number_travels_to_inner_layers(mode: str) -> None:
    numbers: list[int] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        numbers.append(request.extensions.get(ATTEMPT_EXTENSION, 1))
        return httpx2.Response(503 if len(numbers) < 3 else 200)

    response = Harness(mode, handler).request()
    assert numbers == [1, 2, 3]
    assert ATTEMPT_EXTENSION not in response.request.extensions


def test_failed_responses_are_closed(mode: str) -> None:
    responses: list[httpx2.Response] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        response = httpx2.Response(503 if not responses else 200, content=b"x" * 10)
        responses.append(response)
        return response

    Harness(mode, handler).request()
    assert responses[0].is_closed


def test_report_attempts_false_leaves_request_events_to_the_client(mode: str) -> None:
    harness = Harness(mode, sequence(503, 200), report_attempts=False)
    harness.request()
    assert [type(e) for e in harness.events] == [RetryScheduled]


def test_logs_are_redacted(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="tether.retry")
    Harness(mode, sequence(503), retry=Retry(attempts=2)).request(
        url="http://api.test/x?api_key=s3cret"
    )
    assert "retrying" in caplog.text
    assert "giving up after 2 attempt(s)" in caplog.text
    assert "s3cret" not in caplog.text
    # Each retried attempt gets its line: method, redacted URL, status, elapsed, number.
    assert re.search(
        r"GET http://api\.test/x\?api_key=\[REDACTED\]: attempt 1 got status 503 in "
        r"\d+\.\d ms, retrying in",
        caplog.text,
    ), caplog.text


def test_waits_are_slept_outside_testing_mode(mode: str) -> None:
    import time

    with retry_testing_mode(False):
        harness = Harness(mode, sequence(503, 200), rand=lambda: 1.0)
        started = time.monotonic()
        harness.request(**options(retry=Retry(initial_wait=0.2)))
        assert time.monotonic() - started >= 0.19


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(TypeError, match=r"retry= takes a tether\.Retry"):
        RetryTransport(retry=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="budget= takes"):
        RetryTransport(budget=0.2)  # type: ignore[arg-type]


def test_async_deadline_also_bounds_a_transport_that_ignores_timeouts() -> None:
    import time

    class Stuck(httpx2.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            await asyncio.sleep(10)
            return httpx2.Response(200)

    async def send() -> None:
        transport = AsyncRetryTransport(Stuck())
        async with httpx2.AsyncClient(transport=transport) as client:
            await client.get("http://api.test/x", **options(deadline=0.3))

    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        asyncio.run(send())
    assert time.monotonic() - started < 1.0
