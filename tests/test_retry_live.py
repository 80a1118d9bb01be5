"""Retries against the live sandbox with injected faults; every case runs sync and async.

The server's own accounting (``sandbox.stats()``) is the witness: it counts every request
that reached it, so retry amplification and "not retried" are measured, not inferred.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

import tether
from tether.sandbox import SandboxServer

Outcome = httpx2.Response | Exception


class Api:
    """One tether client, sync or async, driven from a sync test."""

    def __init__(self, mode: str, url: str, **client_kwargs: Any) -> None:
        self.mode = mode
        self.events: list[tether.Event] = []
        client_kwargs.setdefault("hooks", [self.events.append])
        if mode == "sync":
            self.sync = tether.Client(base_url=url, **client_kwargs)
        else:
            self.runner = asyncio.Runner()
            self.aclient = self.runner.run(self._make_async(url, client_kwargs))

    @staticmethod
    async def _make_async(url: str, kwargs: dict[str, Any]) -> tether.AsyncClient:
        return tether.AsyncClient(base_url=url, **kwargs)

    def call(self, method: str, path: str, **kwargs: Any) -> Outcome:
        return self.calls(1, method, path, **kwargs)[0]

    def calls(
        self, count: int, method: str, path: str, *, concurrency: int = 8, **kwargs: Any
    ) -> list[Outcome]:
        if self.mode == "sync":
            outcomes: list[Outcome] = []
            for _ in range(count):
                try:
                    outcomes.append(self.sync.request(method, path, **kwargs))
                except Exception as error:
                    outcomes.append(error)
            return outcomes
        return self.runner.run(self._acalls(count, concurrency, method, path, kwargs))

    async def _acalls(
        self, count: int, concurrency: int, method: str, path: str, kwargs: dict[str, Any]
    ) -> list[Outcome]:
        gate = asyncio.Semaphore(concurrency)

        async def one() -> Outcome:
            async with gate:
                try:
                    return await self.aclient.request(method, path, **kwargs)
                except Exception as error:
                    return error

        return list(await asyncio.gather(*(one() for _ in range(count))))

    def close(self) -> None:
        if self.mode == "sync":
            self.sync.close()
        else:
            self.runner.run(self.aclient.aclose())
            self.runner.close()


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_api(mode: str, sandbox: SandboxServer) -> Iterator[Callable[..., Api]]:
    made: list[Api] = []

    def make(**kwargs: Any) -> Api:
        api = Api(mode, sandbox.url, **kwargs)
        made.append(api)
        return api

    yield make
    for api in made:
        api.close()


@pytest.fixture
def no_waits() -> Iterator[None]:
    with tether.retry_testing_mode():
        yield


def requests_to(sandbox: SandboxServer, route: str) -> dict[str, int]:
    """Requests the server saw on ``route`` (e.g. ``"GET /posts/{id}"``), by status.

    A dropped connection is counted once the server has finished dropping it, which can
    be just after the client saw the error, so wait (briefly) for the counts to settle.
    """
    counts: dict[str, int] = sandbox.stats()["routes"].get(route, {})
    for _ in range(40):
        time.sleep(0.05)
        again: dict[str, int] = sandbox.stats()["routes"].get(route, {})
        if again == counts and counts:
            break
        counts = again
    return counts


def end_faults_after_first_retry(sandbox: SandboxServer) -> Callable[[tether.Event], None]:
    """A hook that ends the outage when the first retry is scheduled: the fault hits once."""

    def hook(event: tether.Event) -> None:
        if isinstance(event, tether.RetryScheduled):
            sandbox.set_faults()

    return hook


@pytest.mark.usefixtures("no_waits")
def test_gets_ride_out_30_percent_503s(
    sandbox: SandboxServer, make_api: Callable[..., Api]
) -> None:
    """1,000 GETs at a 30% 503 rate with 5 attempts each.

    With independent faults a call fails only if all 5 attempts meet a 503: probability
    0.3**5 = 0.24%, about 2.4 calls in 1,000. So "every call succeeds" cannot be promised;
    what is asserted is that every call that did not succeed used all 5 attempts and met
    a 503 on each, that such calls stay as rare as that arithmetic says, and that the
    server saw exactly the attempts the client recorded.
    """
    # The default budget: retries that succeed are refunded, so 30% errors are ridden out.
    api = make_api(retry=tether.Retry(attempts=5))
    with sandbox.faults(route="GET /posts/*", probability=0.3, kind="status", status=503):
        outcomes = api.calls(1000, "GET", "/posts/1")
    failed = [o for o in outcomes if not isinstance(o, httpx2.Response)]
    for error in failed:
        assert isinstance(error, tether.ServerError), error
        history = tether.attempts_of(error)
        assert [a.status for a in history] == [503] * 5
    assert len(failed) <= 10
    assert all(o.status_code == 200 for o in outcomes if isinstance(o, httpx2.Response))
    attempts = sum(len(tether.attempts_of(o)) for o in outcomes)
    seen = requests_to(sandbox, "GET /posts/{id}")
    assert sum(seen.values()) == attempts
    assert 0.2 < seen.get("503", 0) / attempts < 0.4


def test_post_without_key_is_not_retried_after_a_read_phase_failure(
    sandbox: SandboxServer, make_api: Callable[..., Api]
) -> None:
    title = f"unkeyed-{uuid.uuid4()}"
    api = make_api()
    with sandbox.faults(route="POST /posts", kind="reset", after=True):
        outcome = api.call("POST", "/posts", json={"title": title, "body": "b", "userId": 1})
    assert isinstance(outcome, httpx2.TransportError)
    assert not isinstance(outcome, tether.RetryError)
    assert len(tether.attempts_of(outcome)) == 1
    assert sum(requests_to(sandbox, "POST /posts").values()) == 1
    # The handler ran before the connection dropped: the record exists, once.
    found = api.call("GET", "/posts", params={"title": title})
    assert isinstance(found, httpx2.Response)
    assert len(found.json()) == 1


@pytest.mark.parametrize("key_source", ["generated", "caller"])
def test_keyed_post_is_retried_and_creates_exactly_one_record(
    sandbox: SandboxServer, make_api: Callable[..., Api], key_source: str
) -> None:
    title = f"keyed-{uuid.uuid4()}"
    hook = end_faults_after_first_retry(sandbox)
    headers: dict[str, str] = {}
    if key_source == "generated":
        api = make_api(retry=tether.Retry(idempotency_key=True, initial_wait=0.05))
    else:
        api = make_api(retry=tether.Retry(initial_wait=0.05))
        headers["Idempotency-Key"] = str(uuid.uuid4())
    body = {"title": title, "body": "b", "userId": 1}
    with sandbox.faults(route="POST /posts", kind="reset", after=True):
        outcome = _with_hook(api, hook, "POST", "/posts", headers=headers, json=body)
    assert isinstance(outcome, httpx2.Response), outcome
    assert outcome.status_code == 201
    assert outcome.headers.get("Idempotent-Replayed") == "true"
    history = tether.attempts_of(outcome)
    assert len(history) == 2
    assert history[0].status is None
    assert history[0].error is not None
    assert sum(requests_to(sandbox, "POST /posts").values()) == 2
    found = api.call("GET", "/posts", params={"title": title})
    assert isinstance(found, httpx2.Response)
    assert len(found.json()) == 1


def _with_hook(
    api: Api, hook: Callable[[tether.Event], None], method: str, path: str, **kwargs: Any
) -> Outcome:
    """Run one call with an extra hook, through a copy of the client sharing its pool."""
    if api.mode == "sync":
        copy = api.sync.with_options(hooks=[*api.sync.hooks, hook])
        try:
            return copy.request(method, path, **kwargs)
        except Exception as error:
            return error

    async def run() -> Outcome:
        copy = api.aclient.with_options(hooks=[*api.aclient.hooks, hook])
        try:
            return await copy.request(method, path, **kwargs)
        except Exception as error:
            return error

    return api.runner.run(run())


def test_get_is_retried_after_a_dropped_connection(
    sandbox: SandboxServer, make_api: Callable[..., Api]
) -> None:
    api = make_api(retry=tether.Retry(initial_wait=0.05))
    with sandbox.faults(route="GET /posts/*", kind="reset"):
        outcome = _with_hook(api, end_faults_after_first_retry(sandbox), "GET", "/posts/3")
    assert isinstance(outcome, httpx2.Response), outcome
    assert outcome.json()["id"] == 3
    assert [a.status for a in tether.attempts_of(outcome)] == [None, 200]


@pytest.mark.usefixtures("no_waits")
def test_get_whose_body_is_cut_off_is_retried(
    sandbox: SandboxServer, make_api: Callable[..., Api]
) -> None:
    # The headers arrive whole, the body half: a read error of the attempt, not of the
    # caller's later read, so the retry layer sees it and repeats the GET.
    api = make_api()
    with sandbox.faults(route="GET /posts", kind="truncate", times=1):
        outcome = api.call("GET", "/posts")
    assert isinstance(outcome, httpx2.Response), outcome
    assert len(outcome.json()) == 100
    history = tether.attempts_of(outcome)
    assert [a.status for a in history] == [None, 200]
    assert isinstance(history[0].error, str)
    assert "RemoteProtocolError" in history[0].error
    assert sum(requests_to(sandbox, "GET /posts").values()) == 2


@pytest.mark.usefixtures("no_waits")
def test_post_whose_body_is_cut_off_is_not_retried(
    sandbox: SandboxServer, make_api: Callable[..., Api]
) -> None:
    api = make_api()
    with sandbox.faults(route="POST /posts", kind="truncate", times=1):
        outcome = api.call("POST", "/posts", json={"title": "t", "body": "b", "userId": 1})
    assert isinstance(outcome, httpx2.RemoteProtocolError), outcome
    assert sum(requests_to(sandbox, "POST /posts").values()) == 1


def test_429_with_retry_after_1_waits_about_a_second(
    sandbox: SandboxServer, make_api: Callable[..., Api]
) -> None:
    api = make_api()
    with sandbox.faults(route="GET /todos/*", kind="status", status=429, retry_after=1):
        started = time.monotonic()
        outcome = _with_hook(api, end_faults_after_first_retry(sandbox), "GET", "/todos/1")
        elapsed = time.monotonic() - started
    assert isinstance(outcome, httpx2.Response), outcome
    assert outcome.status_code == 200
    first, second = tether.attempts_of(outcome)
    assert (first.status, first.wait, second.status) == (429, 1.0, 200)
    assert 0.95 <= elapsed < 2.5


def test_429_asking_for_too_long_a_wait_fails_at_once_with_retry_after(
    sandbox: SandboxServer, make_api: Callable[..., Api]
) -> None:
    api = make_api(retry=tether.Retry(max_retry_after=30))
    with sandbox.faults(route="GET /todos/*", kind="status", status=429, retry_after=120):
        started = time.monotonic()
        outcome = api.call("GET", "/todos/1")
        elapsed = time.monotonic() - started
    assert isinstance(outcome, tether.RateLimited), outcome
    assert outcome.retry_after == 120.0
    assert elapsed < 1.0
    assert sum(requests_to(sandbox, "GET /todos/{id}").values()) == 1


@pytest.mark.usefixtures("no_waits")
def test_full_outage_amplification_stays_within_the_budget(
    sandbox: SandboxServer, make_api: Callable[..., Api]
) -> None:
    calls = 300
    api = make_api(retry=tether.Retry(attempts=5))  # default budget: 20% + 2/s over 10 s
    with sandbox.faults(route="GET /posts/*", kind="status", status=503):
        outcomes = api.calls(calls, "GET", "/posts/1")
    seen = sum(requests_to(sandbox, "GET /posts/{id}").values())
    assert seen <= 1.25 * calls
    assert all(isinstance(o, tether.ServerError | tether.RetryBudgetExhausted) for o in outcomes)
    exhausted = [o for o in outcomes if isinstance(o, tether.RetryBudgetExhausted)]
    assert exhausted, "the budget never ran out during a full outage"
    assert "retry budget exhausted" in str(exhausted[0])
    assert seen == sum(len(tether.attempts_of(o)) for o in outcomes)


def test_deadline_of_2s_against_a_10s_response_fails_in_about_2s(
    sandbox: SandboxServer, make_api: Callable[..., Api]
) -> None:
    api = make_api()
    started = time.monotonic()
    outcome = api.call("GET", "/delay/10", deadline=2)
    elapsed = time.monotonic() - started
    assert isinstance(outcome, tether.DeadlineExceeded), outcome
    assert isinstance(outcome, httpx2.TimeoutException)
    assert 1.9 <= elapsed < 2.75


def test_deadline_covers_waits_between_attempts(
    sandbox: SandboxServer, make_api: Callable[..., Api]
) -> None:
    api = make_api(retry=tether.Retry(attempts=10))
    with sandbox.faults(route="GET /posts/*", kind="status", status=503, retry_after=1):
        started = time.monotonic()
        outcome = api.call("GET", "/posts/1", deadline=2.5)
        elapsed = time.monotonic() - started
    assert isinstance(outcome, tether.DeadlineExceeded), outcome
    assert outcome.retry_after == 1.0
    # Two 1 s waits fit in 2.5 s, a third does not: three attempts, then stop at ~2 s.
    assert len(outcome.attempts) == 3
    assert 1.9 <= elapsed < 2.5


def test_server_rate_limit_429s_are_waited_out(
    sandbox: SandboxServer, make_api: Callable[..., Api]
) -> None:
    """The sandbox's own limiter answers 429 with Retry-After and RateLimit fields; the
    retries wait as told, so a burst over the limit still completes, just later. (The
    client-side limiter, which would learn the pace and avoid the 429s, is off here.)"""
    api = make_api(retry=tether.Retry(attempts=6), rate_limit=False)
    with sandbox.limits("5/s"):
        started = time.monotonic()
        outcomes = api.calls(10, "GET", "/posts/1", concurrency=1)
        elapsed = time.monotonic() - started
    assert all(isinstance(o, httpx2.Response) and o.status_code == 200 for o in outcomes)
    seen = requests_to(sandbox, "GET /posts/{id}")
    assert seen.get("429", 0) >= 1
    waits = [a.wait for o in outcomes for a in tether.attempts_of(o) if a.status == 429]
    assert waits
    assert all(w is not None and 0 < w <= 1.0 for w in waits)
    assert 0.5 <= elapsed < 4.0


def test_deadline_also_bounds_a_body_that_trickles_in(
    sandbox: SandboxServer, make_api: Callable[..., Api]
) -> None:
    # Each piece arrives well within the read timeout, so only the deadline can end it.
    api = make_api()
    with sandbox.faults(route="GET /posts", kind="drip", duration=2, chunks=20):
        started = time.monotonic()
        outcome = api.call("GET", "/posts", deadline=1)
        took = time.monotonic() - started
    assert isinstance(outcome, tether.DeadlineExceeded), outcome
    assert took < 2.0


def test_streamed_body_is_left_to_the_caller() -> None:
    # Only calls that read the whole body anyway have it read by the retry layer: a
    # stream() block starts before the body has arrived.
    pulled: list[bytes] = []

    def chunks() -> Iterator[bytes]:
        for chunk in (b"a", b"b"):
            pulled.append(chunk)
            yield chunk

    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, content=chunks()))
    with tether.Client(transport=transport) as client:
        with client.stream("GET", "https://api.example/x") as response:
            assert pulled == []
            assert response.read() == b"ab"
        assert client.get("https://api.example/x").content == b"ab"


def test_a_request_sent_whole_then_streamed_is_streamed() -> None:
    pulled: list[bytes] = []

    def chunks() -> Iterator[bytes]:
        pulled.append(b"x")
        yield b"x"

    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, content=chunks()))
    with tether.Client(transport=transport) as client:
        request = client.build_request("GET", "https://api.example/x")
        assert client.send(request).content == b"x"
        pulled.clear()
        response = client.send(request, stream=True)
        assert pulled == []
        assert response.read() == b"x"
        response.close()
