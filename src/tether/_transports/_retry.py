"""The retry layer: one flow of attempts, and a sync and an async transport that drive it.

:meth:`_Shared.flow` is a generator holding every decision of one call: which attempt
comes next, the deadline cut into per-attempt timeouts, the budget, the attempt history,
events and log lines. It does no I/O; it asks its driver for it with three steps:

* ``yield Send(request)`` and receive the response, or the exception the send raised;
* ``yield Release(response)`` for a response that is not the answer: the driver reads a
  small body (an error may quote it) and frees the connection;
* ``yield Sleep(seconds)`` before the next attempt.

It returns the call's response or raises its error. The two transports are the drivers:
they only send (``handle_request`` / ``handle_async_request``), release and sleep
(``time.sleep`` / ``anyio.sleep``), as httpx2 drives an ``Auth.auth_flow``.

Because they are httpx2 transports they also serve a plain httpx2 client::

    client = httpx2.Client(transport=tether.RetryTransport(httpx2.HTTPTransport()))
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Generator, Iterable
from typing import Final, Generic, Literal, TypeVar

import anyio
import httpx2

from tether._config import check_budget, check_hooks, check_retry, transport_or_default
from tether._errors import RateLimited
from tether._hooks import Hook, RequestFinished, RetryGivenUp, RetryScheduled, emit
from tether._httpx2 import preload
from tether._options import call_options
from tether._redact import redact_text, redact_url
from tether._retry import Decision, Retry, decide, is_testing
from tether._retry_budget import RetryBudget
from tether._retry_errors import (
    DeadlineExceeded,
    RetryAfterTooLong,
    RetryBudgetExhausted,
    RetryError,
)
from tether._transports._base import (
    ATTEMPT_EXTENSION,
    CALL_OPTIONS_EXTENSION,
    DEADLINE_EXTENSION,
    PACED_EXTENSION,
    READ_BODY_EXTENSION,
    AsyncLayer,
    Attempt,
    Layer,
    attach_history,
    describe_history,
)

__all__ = ["AsyncRetryTransport", "Release", "RetryTransport", "Send", "Sleep"]

_log = logging.getLogger("tether.retry")

# Bodies of failed responses are read (so the connection returns to the pool and an error
# can show the body) only up to this size; bigger ones are dropped with their connection.
_RELEASE_READ_LIMIT: Final = 64 * 1024
# A timeout this close to the deadline is the deadline's doing, not the server's.
_DEADLINE_SLACK: Final = 0.05
_KEYED_METHODS: Final = frozenset({"POST", "PATCH"})
_PHASES: Final = ("connect", "read", "write", "pool")


class Send:
    """Send ``request`` and send the flow its response, or the exception raised.

    ``deadline_at`` (a clock reading) bounds the whole attempt, body included when
    ``read_body`` says to read it within the attempt."""

    __slots__ = ("deadline_at", "read_body", "request")

    def __init__(self, request: httpx2.Request, deadline_at: float | None, read_body: bool) -> None:
        self.request = request
        self.deadline_at = deadline_at
        self.read_body = read_body


class Release:
    """Finish with ``response``, which is not the call's answer: read its body if small,
    free its connection."""

    __slots__ = ("response",)

    def __init__(self, response: httpx2.Response) -> None:
        self.response = response


class Sleep:
    """Wait ``seconds`` before the next attempt."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


Step = Send | Release | Sleep
Flow = Generator[Step, httpx2.Response | Exception | None, httpx2.Response]

_T = TypeVar("_T", httpx2.BaseTransport, httpx2.AsyncBaseTransport)


class _Shared(Generic[_T]):
    """What the sync and async transports share: their configuration and the flow."""

    def __init__(
        self,
        transport: _T | None = None,
        *,
        retry: Retry | bool = True,
        budget: RetryBudget | Literal[False] | None = None,
        hooks: Iterable[Hook] = (),
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        report_attempts: bool = True,
    ) -> None:
        asynchronous = isinstance(self, httpx2.AsyncBaseTransport)
        self.transport: _T = transport_or_default(transport, asynchronous=asynchronous)
        self._policy = check_retry(retry)
        self.budget: RetryBudget | None = check_budget(
            RetryBudget(clock=clock) if budget is None else budget, argument="budget"
        )
        """The retry budget this transport spends from (``None`` without one)."""
        self._hooks = check_hooks(hooks)
        self._rand = rand
        self._clock = clock
        self._wall = wall_clock
        self._report = report_attempts and bool(self._hooks)

    def flow(self, request: httpx2.Request) -> Flow:
        """The attempts of one call of ``request``; see the module documentation."""
        clock = self._clock
        start = clock()
        policy = self._policy
        deadline = None if policy is None else policy.deadline
        if CALL_OPTIONS_EXTENSION in request.extensions:
            options = call_options(request)
            chosen = options.retry
            if chosen is True:
                policy = policy or Retry()
            elif chosen is not None:
                policy = chosen or None
            if options.deadline is not None:
                deadline = options.deadline
            elif policy is not None:
                # The call's own policy brings its own deadline (or none); without one
                # (retry=False) the transport's policy still sets the call's.
                deadline = policy.deadline
        deadline_at = None if deadline is None else start + deadline
        budget = self.budget
        if budget is not None:
            budget.record_call()
        keyed = (
            policy is not None
            and request.method not in policy.methods
            and _keyed(request, policy)
        )
        read_body = (policy is not None or deadline_at is not None) and (
            READ_BODY_EXTENSION in request.extensions
        )
        call = _Call(self, request, start, deadline)
        history = call.history
        original = request.extensions
        # A retry of this call failed (and none has succeeded): see RetryBudget.waste.
        troubled = False
        # The attempt under way is a retry taken from the budget (see _paced below).
        spent = False
        number = 1
        began = start
        try:
            while True:
                if deadline_at is not None or number > 1:
                    request.extensions = call.extensions(original, number, deadline_at, began)
                outcome = yield Send(request, deadline_at, read_body)
                now = clock()
                response = outcome if isinstance(outcome, httpx2.Response) else None
                error = outcome if isinstance(outcome, Exception) else None
                call.record(number, response, error, began, now)
                if response is not None and (
                    policy is None or response.status_code not in policy.statuses
                ):
                    if spent and budget is not None:
                        # The retry worked: it replaced a failure instead of adding load.
                        budget.refund(troubled=troubled)
                    attach_history(response, tuple(history))
                    return response
                if spent and budget is not None:
                    # This retry was wasted.
                    budget.waste(first=not troubled)
                    troubled = True
                if error is not None and call.deadline_caused(error, deadline_at, now):
                    call.give_up(f"deadline: {type(error).__name__}")
                    raise call.error(DeadlineExceeded, call.deadline_message()) from error
                if policy is None:
                    assert error is not None
                    attach_history(error, tuple(history))
                    raise error
                decision = decide(
                    policy,
                    method=request.method,
                    keyed=keyed,
                    attempt=number,
                    status=None if response is None else response.status_code,
                    headers=None if response is None else response.headers,
                    error=error,
                    replayable=isinstance(request.stream, httpx2.ByteStream),
                    now=now,
                    wall=self._wall(),
                    deadline_at=deadline_at,
                    rand=self._rand,
                )
                paced = decision.retry and _paced(response, decision)
                if decision.retry and (
                    paced or budget is None or budget.try_spend(troubled=troubled)
                ):
                    spent = not paced and budget is not None
                    wait = call.scheduled(decision)
                    if paced and response is not None and PACED_EXTENSION in response.extensions:
                        # The rate limiter below holds the host until then and queues
                        # this retry in arrival order: sleeping here as well would let
                        # every refused call wake at once.
                        wait = 0.0
                    if response is not None:
                        yield Release(response)
                    if wait > 0 and not is_testing():
                        yield Sleep(wait)
                    number += 1
                    began = clock()
                    continue
                if not decision.retry and decision.stop not in ("deadline", "retry_after"):
                    # Nothing to retry, or no attempts left: the outcome is the answer.
                    if decision.stop == "attempts" and number > 1:
                        call.give_up(f"{number} attempts used, last {decision.reason}")
                    if response is not None:
                        attach_history(response, tuple(history))
                        return response
                    assert error is not None
                    attach_history(error, tuple(history))
                    raise error
                # Retrying stopped early: the error quotes the body, so read it first.
                if response is not None:
                    yield Release(response)
                raise call.failure(decision, policy, response) from error
        finally:
            # The client may send the request again: it gets its own extensions back.
            request.extensions = original


def _paced(response: httpx2.Response | None, decision: Decision) -> bool:
    """A 429 that said when to come back: retrying then follows the server's own
    instruction, so it is pacing, not a failure the retry budget must ration. A 429 with
    no wait still spends from the budget."""
    return (
        response is not None
        and response.status_code == 429
        and decision.retry_after is not None
    )


def _keyed(request: httpx2.Request, policy: Retry) -> bool:
    """Whether a non-idempotent request carries an idempotency key (one is added when the
    policy asks for it): one key for every attempt lets the server spot a replay."""
    header = policy.idempotency_header
    if header in request.headers:
        return True
    if policy.idempotency_key and request.method in _KEYED_METHODS:
        request.headers[header] = str(uuid.uuid4())
        return True
    return False


class _Call:
    """One call's attempt history, and what the flow says and raises about it."""

    __slots__ = ("_deadline", "_shared", "_start", "_url", "history", "request")

    def __init__(
        self,
        shared: _Shared[_T],
        request: httpx2.Request,
        start: float,
        deadline: float | None,
    ) -> None:
        self._shared: _Shared[httpx2.BaseTransport] | _Shared[httpx2.AsyncBaseTransport]
        self._shared = shared
        self.request = request
        self._start = start
        self._deadline = deadline
        self._url: str | None = None
        self.history: list[Attempt] = []

    def extensions(
        self,
        original: dict[str, object],
        number: int,
        deadline_at: float | None,
        now: float,
    ) -> dict[str, object]:
        """The extensions of attempt ``number``: its number for the layers below, and its
        timeouts cut to what the deadline leaves (raising when nothing is left)."""
        extensions = dict(original)
        if number > 1:
            extensions[ATTEMPT_EXTENSION] = number
        if deadline_at is not None:
            remaining = deadline_at - now
            if remaining <= 0:
                raise self.error(DeadlineExceeded, self.deadline_message())
            extensions[DEADLINE_EXTENSION] = deadline_at
            given = original.get("timeout")
            timeout: dict[str, float] = {}
            for phase in _PHASES:
                value = given.get(phase) if isinstance(given, dict) else None
                timeout[phase] = remaining if value is None else min(float(value), remaining)
            extensions["timeout"] = timeout
        return extensions

    def record(
        self,
        number: int,
        response: httpx2.Response | None,
        error: Exception | None,
        began: float,
        now: float,
    ) -> None:
        status = None if response is None else response.status_code
        text = None if error is None else f"{type(error).__name__}: {redact_text(str(error))}"
        self.history.append(Attempt(number, status, text, began - self._start, now - began))
        shared = self._shared
        if shared._report:
            finished = RequestFinished(
                self.request.method, self.url(), status, text, now - began, number
            )
            emit(shared._hooks, finished)

    def deadline_caused(self, error: Exception, deadline_at: float | None, now: float) -> bool:
        """A timeout that fired at the deadline: the deadline's doing, not the server's."""
        return (
            deadline_at is not None
            and isinstance(error, httpx2.TimeoutException)
            and deadline_at - now <= max(_DEADLINE_SLACK, 0.02 * (self._deadline or 0))
        )

    def scheduled(self, decision: Decision) -> float:
        """Note the retry ``decision`` chose (history, event, log); return its wait."""
        wait = decision.wait
        last = self.history[-1] = self.history[-1]._replace(wait=wait)
        shared = self._shared
        if shared._hooks:
            event = RetryScheduled(
                self.request.method, self.url(), last.number, decision.reason, wait
            )
            emit(shared._hooks, event)
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug(
                "%s %s: attempt %d got %s in %.1f ms, retrying in %.3fs",
                self.request.method,
                self.url(),
                last.number,
                decision.reason,
                last.elapsed * 1000,
                wait,
            )
        return wait

    def failure(
        self, decision: Decision, policy: Retry, response: httpx2.Response | None
    ) -> Exception:
        """The error of a call whose retrying stopped early: the budget refused the retry
        ``decision`` chose, or the deadline or the server's wait ended it."""
        if decision.retry:
            budget = self._shared.budget
            assert budget is not None
            self.give_up("budget exhausted")
            message = (
                f"retry budget exhausted after {decision.reason}: too many calls of this "
                f"client are failing, so this one is not retried (budget {budget.ratio:.0%} "
                f"of recent calls + {budget.min_per_second:g}/s; a larger "
                "tether.RetryBudget(...) or retry_budget=False on the client lifts it)"
            )
            return self.error(RetryBudgetExhausted, message, response, decision.retry_after)
        if decision.stop == "deadline":
            self.give_up(f"deadline: {decision.reason}")
            message = self.deadline_message(decision)
            return self.error(DeadlineExceeded, message, response, decision.retry_after)
        asked = decision.retry_after or 0.0
        self.give_up(f"server asked to wait {asked:g}s")
        if response is not None and response.status_code == 429:
            # The client's own 429 error, so a too-long wait reads like any other 429.
            self.keep(response)
            limited = RateLimited(response)
            if limited.retry_after is None:
                # The wait came from a rate-limit reset field rather than Retry-After.
                limited.retry_after = asked
            attach_history(limited, tuple(self.history))
            return limited
        return self.error(
            RetryAfterTooLong,
            f"{decision.reason}: the server asked to wait {asked:g}s, longer than "
            f"max_retry_after={policy.max_retry_after:g}s; giving up (error.retry_after says "
            "when to come back; tether.Retry(max_retry_after=...) waits longer)",
            response,
            asked,
        )

    def give_up(self, reason: str) -> None:
        attempts = len(self.history)
        shared = self._shared
        if shared._hooks:
            emit(shared._hooks, RetryGivenUp(self.request.method, self.url(), attempts, reason))
        if _log.isEnabledFor(logging.INFO):
            _log.info(
                "%s %s: giving up after %d attempt(s): %s",
                self.request.method,
                self.url(),
                attempts,
                reason,
            )

    def url(self) -> str:
        if self._url is None:
            self._url = redact_url(self.request.url)
        return self._url

    def deadline_message(self, decision: Decision | None = None) -> str:
        used = self._shared._clock() - self._start
        text = f"deadline of {self._deadline:g}s exceeded after {len(self.history)} attempt(s)"
        if decision is not None:
            if decision.retry_after is not None:
                return (
                    f"{text}: {decision.reason} asked to wait {decision.retry_after:g}s, "
                    f"more than the {max(0.0, (self._deadline or 0) - used):.3f}s left"
                )
            return f"{text}: last {decision.reason}, no time left for another attempt"
        return f"{text} ({used:.3f}s used)"

    def keep(self, response: httpx2.Response) -> None:
        """Ready a response an error will carry: its history, and its request (which the
        client sets only on the responses it receives)."""
        attach_history(response, tuple(self.history))
        response.request = self.request

    def error(
        self,
        kind: type[RetryError],
        message: str,
        response: httpx2.Response | None = None,
        retry_after: float | None = None,
    ) -> RetryError:
        history = tuple(self.history)
        if response is not None:
            self.keep(response)
        error = kind(
            f"{self.request.method} {self.url()}: {message}",
            request=self.request,
            attempts=history,
            response=response,
            retry_after=retry_after,
        )
        if len(history) > 1:
            error.add_note(describe_history(history))
        return error


class RetryTransport(_Shared[httpx2.BaseTransport], Layer):
    """Retries requests sent through ``transport`` according to a :class:`tether.Retry`.

    ``transport`` defaults to the one a tether client uses by default (HTTP/1.1 over
    tether's own connection pool).

    ``budget`` is the client-wide :class:`tether.RetryBudget` (a fresh one by default;
    ``False`` for none); pass the same object to several transports to share it.
    ``hooks`` receive :class:`tether.RetryScheduled` / :class:`tether.RetryGivenUp`, and
    :class:`tether.RequestFinished` for each attempt unless ``report_attempts=False``.
    Per-call ``retry`` and ``deadline`` come from the request's :class:`tether.CallOptions`.
    """

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        flow = self.flow(request)
        outcome: httpx2.Response | Exception | None = None
        try:
            while True:
                step = flow.send(outcome)
                outcome = None
                if isinstance(step, Send):
                    try:
                        outcome = self._send(step)
                    except Exception as error:
                        outcome = error
                elif isinstance(step, Release):
                    _release(step.response)
                else:
                    time.sleep(step.seconds)
        except StopIteration as done:
            response: httpx2.Response = done.value
            return response
        finally:
            flow.close()

    def _send(self, step: Send) -> httpx2.Response:
        response = self.transport.handle_request(step.request)
        if not step.read_body or _in_memory(response):
            return response
        # The transport's own stream is read directly: httpx2's iter_raw() would add a
        # chunker and a context manager per read, paid again when the client reads the
        # replay. The transport already maps its errors to httpx2's exceptions.
        stream = response.stream
        if not isinstance(stream, httpx2.SyncByteStream):
            raise TypeError(f"a sync transport returned an async stream: {stream!r}")
        deadline_at = step.deadline_at
        try:
            if deadline_at is None:
                return _replay(response, b"".join(stream))
            # Each read is bounded by the shrunk read timeout, but a server sending small
            # pieces often enough would otherwise stretch a sync call past its deadline.
            chunks = []
            for chunk in stream:
                chunks.append(chunk)
                if self._clock() >= deadline_at:
                    raise httpx2.ReadTimeout(
                        "the call's deadline passed while the body was arriving",
                        request=step.request,
                    )
            return _replay(response, b"".join(chunks))
        finally:
            stream.close()


class AsyncRetryTransport(_Shared[httpx2.AsyncBaseTransport], AsyncLayer):
    """The async twin of :class:`RetryTransport`; same arguments, same behaviour.

    Waits use ``anyio.sleep``, so it runs under asyncio and trio alike, and a budget
    object may be shared with sync transports.
    """

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        flow = self.flow(request)
        outcome: httpx2.Response | Exception | None = None
        try:
            while True:
                step = flow.send(outcome)
                outcome = None
                if isinstance(step, Send):
                    try:
                        # Without a deadline the attempt needs no cancel scope (nor a frame).
                        outcome = await (
                            self._attempt(step) if step.deadline_at is None else self._send(step)
                        )
                    except Exception as error:
                        outcome = error
                elif isinstance(step, Release):
                    await _arelease(step.response)
                else:
                    await anyio.sleep(step.seconds)
        except StopIteration as done:
            response: httpx2.Response = done.value
            return response
        finally:
            flow.close()

    async def _send(self, step: Send) -> httpx2.Response:
        assert step.deadline_at is not None
        # The shrunk timeouts bound each network operation; cancellation also bounds a
        # server that keeps the headers (or the body) trickling in. A little later than
        # the timeouts, so they normally fire first and close the connection the usual way.
        left = max(0.0, step.deadline_at - self._clock())
        with anyio.move_on_after(left + _DEADLINE_SLACK / 2):
            return await self._attempt(step)
        raise httpx2.TimeoutException(
            "the call's deadline passed while waiting for the response", request=step.request
        )

    async def _attempt(self, step: Send) -> httpx2.Response:
        response = await self.transport.handle_async_request(step.request)
        if not step.read_body or _in_memory(response):
            return response
        stream = response.stream
        if not isinstance(stream, httpx2.AsyncByteStream):
            raise TypeError(f"an async transport returned a sync stream: {stream!r}")
        try:
            raw = b"".join([chunk async for chunk in stream])
        finally:
            await stream.aclose()
        return _replay(response, raw)


def _in_memory(response: httpx2.Response) -> bool:
    """Whether the body needs no reading within the attempt: already read, or already in
    memory (a transport that read it whole, as the fast backends do for such calls)."""
    return response.is_stream_consumed or type(response.stream) is httpx2.ByteStream


def _replay(response: httpx2.Response, raw: bytes) -> httpx2.Response:
    """``response`` with its raw body, read within the attempt: the same object, left read
    (or, for a coded body, replayed from memory for the client to decode)."""
    return preload(response, raw, response.headers.get("content-encoding"))


def _small(response: httpx2.Response) -> bool:
    length = response.headers.get("content-length")
    return length is not None and length.isdigit() and int(length) <= _RELEASE_READ_LIMIT


def _release(response: httpx2.Response) -> None:
    try:
        if _small(response):
            response.read()
    except Exception:
        _log.debug("could not read the body of a discarded response", exc_info=True)
    finally:
        response.close()


async def _arelease(response: httpx2.Response) -> None:
    try:
        if _small(response):
            await response.aread()
    except Exception:
        _log.debug("could not read the body of a discarded response", exc_info=True)
    finally:
        await response.aclose()
