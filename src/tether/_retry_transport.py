"""Sync and async retry transports: thin shells around the pure policy in ``tether._retry``.

Both shells loop the same way: ask the shared :class:`_Call` for the request to send,
send it through the wrapped transport, hand the response or the error back to ``_Call``,
and either return, raise, or sleep and go round again. Every decision, the deadline
arithmetic, the budget, the attempt history, hooks and logging live in ``_Call``; the
shells only sleep (``time.sleep`` or ``anyio.sleep``) and send.

The common call (no per-call options, no deadline, the first attempt answered with a
status the policy does not retry) never builds a ``_Call``: :meth:`_Settings.start` and
:meth:`_Settings.finished` count it, time it and attach its one-entry history, and only an
error or a retryable status hands the call over to a ``_Call`` resuming after attempt 1.

Because they are httpx2 transports they also serve a plain httpx2 client::

    client = httpx2.Client(transport=tether.RetryTransport(httpx2.HTTPTransport()))
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
import uuid
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from typing import Any, Final, Generic, Literal, TypeVar, cast

import anyio
import httpx2

from tether._config import check_hooks, check_transport
from tether._errors import RateLimited
from tether._hooks import Hook, RequestFinished, RetryGivenUp, RetryScheduled, emit
from tether._options import EXTENSION_KEY, call_options
from tether._redact import redact_text, redact_url
from tether._retry import Attempt, Decision, Retry, decide, is_testing
from tether._retry_budget import RetryBudget
from tether._retry_errors import (
    ATTEMPTS_KEY,
    DeadlineExceeded,
    RetryAfterTooLong,
    RetryBudgetExhausted,
    RetryError,
)

__all__ = [
    "ATTEMPT_EXTENSION",
    "DEADLINE_EXTENSION",
    "READ_BODY_EXTENSION",
    "AsyncRetryTransport",
    "RetryTransport",
]

_log = logging.getLogger("tether.retry")

# Bodies of failed responses are read (so the connection returns to the pool and an error
# can show the body) only up to this size; bigger ones are dropped with their connection.
_DISCARD_LIMIT: Final = 64 * 1024
# A timeout this close to the deadline is the deadline's doing, not the server's.
_DEADLINE_SLACK: Final = 0.05
_KEYED_METHODS: Final = frozenset({"POST", "PATCH"})

_new_attempt: Final = tuple.__new__

READ_BODY_EXTENSION: Final = "tether.read_body"
"""Set by a client that will read the whole body anyway (a call that is not streamed): the
retry layer then reads it within the attempt, so a body cut off mid-way (a reset, a
truncated response, a read timeout) is an attempt's read error, retried by the same rules
as any other, instead of an error raised after the retry layer has returned."""

ATTEMPT_EXTENSION: Final = "tether.attempt"
"""Request extension with the attempt number (1-based) for the layers below retry; the
client's observing layer reads it. Absent on first attempts, which keeps them cheap."""

DEADLINE_EXTENSION: Final = "tether.deadline_at"
"""Request extension with the call's deadline as a ``time.monotonic()`` reading (the retry
transport's ``clock``), set on every attempt of a call that has a deadline, whether it
came from the call (``deadline=``) or from the policy (``Retry(deadline=...)``). Layers
below retry read it: the rate limiter refuses at once a wait that would end past it."""


class _Settings:
    """What a transport was configured with; shared read-only by all its calls."""

    __slots__ = (
        "budget",
        "clock",
        "direct",
        "hooks",
        "rand",
        "report_attempts",
        "retry",
        "statuses",
        "wall",
    )

    def __init__(
        self,
        retry: Retry | bool | None,
        budget: RetryBudget | Literal[False] | None,
        hooks: Iterable[Hook],
        rand: Callable[[], float],
        clock: Callable[[], float],
        wall: Callable[[], float],
        report_attempts: bool,
    ) -> None:
        if retry is True or retry is None:
            retry = Retry()
        elif retry is not False and not isinstance(retry, Retry):
            raise TypeError(
                f"retry= takes a tether.Retry, True or False, got {type(retry).__name__}"
            )
        if budget is not None and budget is not False and not isinstance(budget, RetryBudget):
            raise TypeError(
                f"budget= takes a tether.RetryBudget or False, got {type(budget).__name__}"
            )
        self.retry: Retry | None = retry or None
        self.budget: RetryBudget | None = (
            RetryBudget(clock=clock) if budget is None else budget or None
        )
        self.hooks = check_hooks(hooks)
        self.rand = rand
        self.clock = clock
        self.wall = wall
        self.report_attempts = report_attempts and bool(self.hooks)
        # A call may skip the _Call machinery when nothing must happen before its first
        # attempt: no deadline to cut timeouts to, no idempotency key to add.
        self.direct = self.retry is None or (
            self.retry.deadline is None and not self.retry.idempotency_key
        )
        self.statuses: AbstractSet[int] = self.retry.statuses if self.retry else frozenset()

    def start(self) -> float:
        """Begin a call on the fast path: count it in the budget; return its start time."""
        start = self.clock()
        if self.budget is not None:
            self.budget.record_call()
        return start

    def finished(self, request: httpx2.Request, response: httpx2.Response, start: float) -> bool:
        """True when a direct call's first response is final (its history is attached);
        ``False`` for a status the policy may retry, which a ``_Call`` takes over."""
        status = response.status_code
        if status in self.statuses:
            return False
        elapsed = self.clock() - start
        # tuple.__new__ skips the named tuple's Python-level constructor: same object.
        history = (_new_attempt(Attempt, (1, status, None, 0.0, elapsed, None)),)
        try:
            response.extensions[ATTEMPTS_KEY] = history
        except TypeError:
            _attach(response, history)
        if self.report_attempts:
            emit(
                self.hooks,
                RequestFinished(request.method, redact_url(request.url), status, None, elapsed, 1),
            )
        return True


class _Call:
    """One call's progress through its attempts. No I/O: the shells send and sleep."""

    __slots__ = (
        "_attempt_start",
        "_deadline",
        "_deadline_at",
        "_history",
        "_keyed",
        "_original_extensions",
        "_settings",
        "_start",
        "_troubled",
        "_url",
        "policy",
        "request",
    )

    def __init__(
        self, settings: _Settings, request: httpx2.Request, started: float | None = None
    ) -> None:
        """``started``: the call already made its first attempt on the fast path at that
        time (and was counted in the budget); the ``_Call`` resumes with its outcome."""
        self._settings = settings
        self.request = request
        options = call_options(request)
        chosen = options.retry
        base = settings.retry
        policy: Retry | None
        if chosen is None or chosen is True:
            policy = base or (Retry() if chosen else None)
        elif chosen is False:
            policy = None
        else:
            policy = chosen
        self.policy = policy
        deadline = options.deadline
        if deadline is None:
            source = policy or base
            deadline = source.deadline if source is not None else None
        self._deadline = deadline
        self._start = settings.clock() if started is None else started
        self._attempt_start = self._start
        self._deadline_at = None if deadline is None else self._start + deadline
        self._original_extensions: dict[str, Any] | None = None
        self._history: list[Attempt] = []
        self._url: str | None = None
        self._keyed = False
        # A retry of this call failed (and none has succeeded): see RetryBudget.waste.
        self._troubled = False
        if policy is not None and request.method not in policy.methods:
            header = policy.idempotency_header
            if header in request.headers:
                self._keyed = True
            elif policy.idempotency_key and request.method in _KEYED_METHODS:
                # One key for every attempt: that is what lets the server spot a replay.
                request.headers[header] = str(uuid.uuid4())
                self._keyed = True
        if settings.budget is not None and started is None:
            settings.budget.record_call()

    # -- before each attempt --------------------------------------------------------------

    def prepare(self) -> httpx2.Request:
        """The request for the next attempt: its number marked for the layers below, its
        timeouts cut to what the deadline leaves."""
        now = self._settings.clock()
        self._attempt_start = now
        number = len(self._history) + 1
        if self._deadline_at is None and number == 1:
            return self.request
        if self._original_extensions is None:
            self._original_extensions = self.request.extensions
        extensions = dict(self._original_extensions)
        if number > 1:
            extensions[ATTEMPT_EXTENSION] = number
        if self._deadline_at is not None:
            remaining = self._deadline_at - now
            if remaining <= 0:
                raise self._error(DeadlineExceeded, self._deadline_message(), None, None)
            extensions[DEADLINE_EXTENSION] = self._deadline_at
            original = extensions.get("timeout")
            timeout: dict[str, float] = {}
            for phase in ("connect", "read", "write", "pool"):
                value = original.get(phase) if isinstance(original, dict) else None
                timeout[phase] = remaining if value is None else min(float(value), remaining)
            extensions["timeout"] = timeout
        self.request.extensions = extensions
        return self.request

    def time_left(self) -> float | None:
        """Seconds left before the deadline, ``None`` without one."""
        if self._deadline_at is None:
            return None
        return max(0.0, self._deadline_at - self._settings.clock())

    def restore(self) -> None:
        """Give the request back its own extensions (the client may send it again)."""
        if self._original_extensions is not None:
            self.request.extensions = self._original_extensions

    # -- after each attempt ---------------------------------------------------------------

    def on_response(self, response: httpx2.Response) -> float | Exception | _Deferred | None:
        """``None``: return the response. A float: discard it, wait, retry. An exception:
        discard it and raise that."""
        now = self._settings.clock()
        status = response.status_code
        policy = self.policy
        self._record(now, status, None)
        if policy is None or status not in policy.statuses:
            # The hot path: nothing to retry, so no parsing and no decision object.
            if len(self._history) > 1 and self._settings.budget is not None:
                # The retry worked: it replaced a failure instead of adding load.
                self._settings.budget.refund(troubled=self._troubled)
            self._attach(response)
            return None
        self._retry_failed()
        decision = decide(
            policy,
            method=self.request.method,
            keyed=self._keyed,
            attempt=len(self._history),
            status=status,
            headers=response.headers,
            replayable=self._replayable(),
            now=now,
            wall=self._settings.wall(),
            deadline_at=self._deadline_at,
            rand=self._settings.rand,
        )
        return self._follow(decision, response, None)

    def on_error(self, error: Exception) -> float | Exception | _Deferred | None:
        """``None``: re-raise ``error``. A float: wait and retry. An exception: raise it
        (chained to ``error``)."""
        now = self._settings.clock()
        self._record(now, None, error)
        self._retry_failed()
        if (
            self._deadline_at is not None
            and isinstance(error, httpx2.TimeoutException)
            and self._deadline_at - now <= max(_DEADLINE_SLACK, 0.02 * (self._deadline or 0))
        ):
            self._give_up(f"deadline: {type(error).__name__}")
            return self._error(DeadlineExceeded, self._deadline_message(), None, None)
        if self.policy is None:
            self._attach(error)
            return None
        decision = decide(
            self.policy,
            method=self.request.method,
            keyed=self._keyed,
            attempt=len(self._history),
            error=error,
            replayable=self._replayable(),
            now=now,
            wall=self._settings.wall(),
            deadline_at=self._deadline_at,
            rand=self._settings.rand,
        )
        return self._follow(decision, None, error)

    def after(self, outcome: httpx2.Response | Exception) -> httpx2.Response | _Next:
        """The call's answer, or what comes next: the shell discards a response that is
        not the answer, then waits or raises as :meth:`_Next.wait` says."""
        if isinstance(outcome, Exception):
            step = self.on_error(outcome)
            # Nothing decided against the error itself: it is the call's to raise.
            return _Next(outcome, None) if step is None else _Next(step, outcome)
        verdict = self.on_response(outcome)
        return outcome if verdict is None else _Next(verdict, None)

    def _follow(
        self,
        decision: Decision,
        response: httpx2.Response | None,
        error: Exception | None,
    ) -> float | Exception | _Deferred | None:
        settings = self._settings
        if decision.retry:
            if settings.budget is not None and not settings.budget.try_spend(
                troubled=self._troubled
            ):
                message = (
                    f"retry budget exhausted after {decision.reason}: too many calls of this "
                    "client are failing, so this one is not retried (budget "
                    f"{settings.budget.ratio:.0%} of recent calls + "
                    f"{settings.budget.min_per_second:g}/s; a larger tether.RetryBudget(...) "
                    "or retry_budget=False on the client lifts it)"
                )
                self._give_up("budget exhausted")
                return self._error(RetryBudgetExhausted, message, response, decision.retry_after)
            wait = decision.wait
            last = self._history[-1]
            self._history[-1] = last._replace(wait=wait)
            if settings.hooks:
                emit(
                    settings.hooks,
                    RetryScheduled(
                        self.request.method, self._redacted(), last.number, decision.reason, wait
                    ),
                )
            if _log.isEnabledFor(logging.DEBUG):
                _log.debug(
                    "%s %s: attempt %d got %s in %.1f ms, retrying in %.3fs",
                    self.request.method,
                    self._redacted(),
                    last.number,
                    decision.reason,
                    last.elapsed * 1000,
                    wait,
                )
            return 0.0 if is_testing() else wait
        stop = decision.stop
        if stop == "deadline":
            self._give_up(f"deadline: {decision.reason}")
            return self._error(
                DeadlineExceeded, self._deadline_message(decision), response, decision.retry_after
            )
        if stop == "retry_after":
            asked = decision.retry_after or 0.0
            limit = self.policy.max_retry_after if self.policy else 0.0
            self._give_up(f"server asked to wait {asked:g}s")
            if response is not None and response.status_code == 429:
                history = self._frozen()
                self._attach(response)
                # The client sets this only on responses it receives; the error needs it now.
                response.request = self.request
                # Built only after the shell has read the body, which the error quotes.
                return _Deferred(lambda: _rate_limited(response, asked, history))
            return self._error(
                RetryAfterTooLong,
                f"{decision.reason}: the server asked to wait {asked:g}s, longer than "
                f"max_retry_after={limit:g}s; giving up (error.retry_after says when to "
                "come back; tether.Retry(max_retry_after=...) waits longer)",
                response,
                asked,
            )
        if stop == "attempts" and len(self._history) > 1:
            self._give_up(f"{len(self._history)} attempts used, last {decision.reason}")
        if response is not None:
            self._attach(response)
        elif error is not None:
            self._attach(error)
        return None

    # -- bookkeeping ----------------------------------------------------------------------

    def _retry_failed(self) -> None:
        """Tell the budget that the attempt just recorded, if it was a retry, was wasted."""
        if len(self._history) > 1 and self._settings.budget is not None:
            self._settings.budget.waste(first=not self._troubled)
            self._troubled = True

    def _record(self, now: float, status: int | None, error: Exception | None) -> None:
        start = self._attempt_start
        number = len(self._history) + 1
        text = None if error is None else f"{type(error).__name__}: {redact_text(str(error))}"
        self._history.append(Attempt(number, status, text, start - self._start, now - start, None))
        if self._settings.report_attempts:
            emit(
                self._settings.hooks,
                RequestFinished(
                    self.request.method, self._redacted(), status, text, now - start, number
                ),
            )

    def _replayable(self) -> bool:
        return isinstance(self.request.stream, httpx2.ByteStream)

    def _redacted(self) -> str:
        if self._url is None:
            self._url = redact_url(self.request.url)
        return self._url

    def _frozen(self) -> tuple[Attempt, ...]:
        return tuple(self._history)

    def _attach(self, outcome: httpx2.Response | Exception) -> None:
        _attach(outcome, tuple(self._history))

    def _give_up(self, reason: str) -> None:
        attempts = len(self._history)
        if self._settings.hooks:
            emit(
                self._settings.hooks,
                RetryGivenUp(self.request.method, self._redacted(), attempts, reason),
            )
        if _log.isEnabledFor(logging.INFO):
            _log.info(
                "%s %s: giving up after %d attempt(s): %s",
                self.request.method,
                self._redacted(),
                attempts,
                reason,
            )

    def _deadline_message(self, decision: Decision | None = None) -> str:
        used = self._settings.clock() - self._start
        text = f"deadline of {self._deadline:g}s exceeded after {len(self._history)} attempt(s)"
        if decision is not None:
            if decision.retry_after is not None:
                return (
                    f"{text}: {decision.reason} asked to wait {decision.retry_after:g}s, "
                    f"more than the {max(0.0, (self._deadline or 0) - used):.3f}s left"
                )
            return f"{text}: last {decision.reason}, no time left for another attempt"
        return f"{text} ({used:.3f}s used)"

    def _error(
        self,
        kind: type[RetryError],
        message: str,
        response: httpx2.Response | None,
        retry_after: float | None,
    ) -> RetryError:
        history = self._frozen()
        if response is not None:
            self._attach(response)
            response.request = self.request
        error = kind(
            f"{self.request.method} {self._redacted()}: {message}",
            request=self.request,
            attempts=history,
            response=response,
            retry_after=retry_after,
        )
        if len(history) > 1:
            error.add_note(_describe(history))
        return error


def _attach(outcome: httpx2.Response | Exception, history: tuple[Attempt, ...]) -> None:
    """Put the attempt history on a response's extensions or on an error."""
    if isinstance(outcome, httpx2.Response):
        try:
            outcome.extensions[ATTEMPTS_KEY] = history
        except TypeError:
            outcome.extensions = {**outcome.extensions, ATTEMPTS_KEY: history}
        return
    # An exception class with __slots__ cannot take the attribute; the note remains.
    with contextlib.suppress(AttributeError):
        outcome.attempts = history  # type: ignore[attr-defined]
    if len(history) > 1:
        outcome.add_note(_describe(history))


def _describe(history: tuple[Attempt, ...]) -> str:
    return "tether attempts: " + "; ".join(attempt.describe() for attempt in history)


class _Next:
    """What follows an attempt that did not end the call: a wait, or an error to raise."""

    __slots__ = ("cause", "step")

    def __init__(self, step: float | Exception | _Deferred, cause: Exception | None) -> None:
        self.step = step
        self.cause = cause

    def wait(self) -> float:
        """Seconds to wait before the next attempt; raises the call's error instead."""
        if isinstance(self.step, float):
            return self.step
        error = _raisable(self.step)
        if self.cause is None:
            raise error
        raise error from self.cause


class _Deferred:
    """An error to build after the shell has finished reading the response."""

    __slots__ = ("build",)

    def __init__(self, build: Callable[[], Exception]) -> None:
        self.build = build


def _raisable(step: Exception | _Deferred) -> Exception:
    return step.build() if isinstance(step, _Deferred) else step


def _rate_limited(
    response: httpx2.Response, retry_after: float, history: tuple[Attempt, ...]
) -> Exception:
    """The client's own 429 error, so a too-long ``Retry-After`` reads like any other 429."""
    error = RateLimited(response)
    if error.retry_after is None:
        # The wait came from a rate-limit reset field rather than Retry-After.
        error.retry_after = retry_after
    error.attempts = history
    if len(history) > 1:
        error.add_note(_describe(history))
    return error


def _read_small(response: httpx2.Response) -> bool:
    length = response.headers.get("content-length")
    return length is not None and length.isdigit() and int(length) <= _DISCARD_LIMIT


_T = TypeVar("_T", httpx2.BaseTransport, httpx2.AsyncBaseTransport)


def inner_or_default(shell: object, transport: _T | None) -> _T:
    """``transport``, or httpx2's default transport of ``shell``'s kind (sync or async)."""
    asynchronous = isinstance(shell, httpx2.AsyncBaseTransport)
    if transport is not None:
        check_transport(transport, asynchronous=asynchronous, argument="transport")
        return transport
    if asynchronous:
        return cast(_T, httpx2.AsyncHTTPTransport())
    return cast(_T, httpx2.HTTPTransport())


class _Shell(Generic[_T]):
    """What both transports share: construction and configuration."""

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
        self.transport: _T = inner_or_default(self, transport)
        self._settings = _Settings(retry, budget, hooks, rand, clock, wall_clock, report_attempts)

    @property
    def budget(self) -> RetryBudget | None:
        """The retry budget this transport spends from (``None`` without one)."""
        return self._settings.budget


class RetryTransport(_Shell[httpx2.BaseTransport], httpx2.BaseTransport):
    """Retries requests sent through ``transport`` according to a :class:`tether.Retry`.

    ``budget`` is the client-wide :class:`tether.RetryBudget` (a fresh one by default;
    ``False`` for none); pass the same object to several transports to share it.
    ``hooks`` receive :class:`tether.RetryScheduled` / :class:`tether.RetryGivenUp`, and
    :class:`tether.RequestFinished` for each attempt unless ``report_attempts=False``
    (``tether.Client`` reports attempts from its own innermost layer). Per-call ``retry`` and
    ``deadline`` come from the request's :class:`tether.CallOptions`.
    """

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        settings = self._settings
        if not settings.direct or EXTENSION_KEY in request.extensions:
            return self._drive(_Call(settings, request))
        start = settings.start()
        try:
            response = self.transport.handle_request(request)
            if settings.retry is not None and READ_BODY_EXTENSION in request.extensions:
                response = _buffered(response)
        except Exception as error:
            outcome: httpx2.Response | Exception = error
        else:
            if settings.finished(request, response, start):
                return response
            outcome = response
        return self._drive(_Call(settings, request, start), outcome)

    def _drive(
        self,
        call: _Call,
        outcome: httpx2.Response | Exception | None = None,
    ) -> httpx2.Response:
        """Attempts until one is final, starting from attempt 1's outcome when given."""
        try:
            while True:
                if outcome is None:
                    attempt = call.prepare()
                    try:
                        outcome = self.transport.handle_request(attempt)
                        if READ_BODY_EXTENSION in attempt.extensions:
                            outcome = _buffered(outcome, attempt, call.time_left)
                    except Exception as error:
                        outcome = error
                verdict = call.after(outcome)
                if isinstance(verdict, httpx2.Response):
                    return verdict
                _discard(outcome)
                wait = verdict.wait()
                outcome = None
                if wait > 0:
                    time.sleep(wait)
        finally:
            call.restore()

    def close(self) -> None:
        self.transport.close()


class AsyncRetryTransport(_Shell[httpx2.AsyncBaseTransport], httpx2.AsyncBaseTransport):
    """The async twin of :class:`RetryTransport`; same arguments, same behaviour.

    Waits use ``anyio.sleep``, so it runs under asyncio and trio alike, and a budget
    object may be shared with sync transports.
    """

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        settings = self._settings
        if not settings.direct or EXTENSION_KEY in request.extensions:
            return await self._drive(_Call(settings, request))
        start = settings.start()
        try:
            response = await self.transport.handle_async_request(request)
            if settings.retry is not None and READ_BODY_EXTENSION in request.extensions:
                response = await _abuffered(response)
        except Exception as error:
            outcome: httpx2.Response | Exception = error
        else:
            if settings.finished(request, response, start):
                return response
            outcome = response
        return await self._drive(_Call(settings, request, start), outcome)

    async def _drive(
        self,
        call: _Call,
        outcome: httpx2.Response | Exception | None = None,
    ) -> httpx2.Response:
        try:
            while True:
                if outcome is None:
                    attempt = call.prepare()
                    try:
                        outcome = await self._send(attempt, call.time_left())
                    except Exception as error:
                        outcome = error
                verdict = call.after(outcome)
                if isinstance(verdict, httpx2.Response):
                    return verdict
                await _adiscard(outcome)
                wait = verdict.wait()
                outcome = None
                if wait > 0:
                    await anyio.sleep(wait)
        finally:
            call.restore()

    async def _send(self, request: httpx2.Request, time_left: float | None) -> httpx2.Response:
        read_body = READ_BODY_EXTENSION in request.extensions
        if time_left is None:
            response = await self.transport.handle_async_request(request)
            return await _abuffered(response) if read_body else response
        # The shrunk timeouts bound each network operation; cancellation also bounds a
        # server that keeps the headers (or, read here, the body) trickling in. A little
        # later than the timeouts, so they normally fire first and the connection is closed
        # the ordinary way.
        with anyio.move_on_after(time_left + _DEADLINE_SLACK / 2):
            response = await self.transport.handle_async_request(request)
            return await _abuffered(response) if read_body else response
        raise httpx2.TimeoutException(
            "the call's deadline passed while waiting for the response", request=request
        )

    async def aclose(self) -> None:
        await self.transport.aclose()


def _buffered(
    response: httpx2.Response,
    request: httpx2.Request | None = None,
    time_left: Callable[[], float | None] | None = None,
) -> httpx2.Response:
    """``response`` with its raw body read now and replayed from memory; a failed read
    raises here, inside the attempt. The raw bytes are kept so the client still decodes
    them, and times the read, as usual. A response built in memory (``MockTransport``)
    was read when it was made and is returned as it is.

    With a deadline (``time_left``), a body still arriving when it passes ends as a read
    timeout: each read is bounded by the shrunk read timeout, but a server sending small
    pieces often enough would otherwise stretch a sync call past its deadline.
    """
    if response.is_stream_consumed:
        return response
    # The transport's own stream is read directly: httpx2's iter_raw() would add a chunker
    # and a context manager per read, paid again when the client reads the replay. The
    # transport already maps its errors to httpx2's exceptions.
    stream = response.stream
    if not isinstance(stream, httpx2.SyncByteStream):
        raise TypeError(f"a sync transport returned an async stream: {stream!r}")
    try:
        if time_left is None:
            raw = b"".join(stream)
        else:
            chunks = []
            for chunk in stream:
                chunks.append(chunk)
                if time_left() == 0.0:
                    raise httpx2.ReadTimeout(
                        "the call's deadline passed while the body was arriving",
                        request=request,
                    )
            raw = b"".join(chunks)
    finally:
        stream.close()
    return _replay(response, raw)


async def _abuffered(response: httpx2.Response) -> httpx2.Response:
    if response.is_stream_consumed:
        return response
    stream = response.stream
    if not isinstance(stream, httpx2.AsyncByteStream):
        raise TypeError(f"an async transport returned a sync stream: {stream!r}")
    try:
        raw = b"".join([chunk async for chunk in stream])
    finally:
        await stream.aclose()
    return _replay(response, raw)


def _replay(response: httpx2.Response, raw: bytes) -> httpx2.Response:
    # The same object with a fresh in-memory stream: cheaper than building a new response.
    response.stream = httpx2.ByteStream(raw)
    response.is_stream_consumed = False
    response.is_closed = False
    return response


def _discard(response: httpx2.Response | Exception) -> None:
    """Finish with a response that is not returned: keep a small body, free the connection.
    An attempt that ended in an error has nothing to finish."""
    if isinstance(response, Exception):
        return
    try:
        if _read_small(response):
            response.read()
    except Exception:
        _log.debug("could not read the body of a discarded response", exc_info=True)
    finally:
        response.close()


async def _adiscard(response: httpx2.Response | Exception) -> None:
    if isinstance(response, Exception):
        return
    try:
        if _read_small(response):
            await response.aread()
    except Exception:
        _log.debug("could not read the body of a discarded response", exc_info=True)
    finally:
        await response.aclose()
