"""The retry policy: which outcomes are worth another attempt, and how long to wait first.

Everything here is pure. Functions receive the clock readings and the random source they
need and return decisions; nothing sleeps, sends or logs. The sync and async shells in
``tether._transports._retry`` do the waiting and re-sending, so both follow one set of rules.

The rules, and why:

* A **connect error** (including a connect or pool timeout) is retried for every method:
  the request never left the machine, so repeating it cannot repeat a side effect.
* **Read-phase failures** (read/write errors and timeouts, a connection dropped before the
  response) and the statuses 408, 429, 500, 502, 503 and 504 are retried only when a
  repeat is harmless: the method is idempotent (RFC 9110 section 9.2.2: GET, HEAD, OPTIONS,
  PUT, DELETE, TRACE) or the request carries an ``Idempotency-Key`` the server de-duplicates.
  A POST whose connection dropped after sending may already have created its record.
* **Other 4xx** are never retried: the request itself is wrong and will be wrong again.
* The wait is exponential backoff with full jitter (a uniform draw between zero and the
  exponential ceiling), which spreads a crowd of clients that failed together. A server's
  own figure (``Retry-After``, ``retry-after-ms``, the ``RateLimit`` reset fields) replaces
  the backoff: the server knows when it will be ready.
* A server asking for a wait longer than ``max_retry_after``, or longer than what is left
  of the call's deadline, ends retrying at once: sleeping only to fail later helps nobody.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Final, Literal

import httpx2

from tether._errors import ConfigurationError
from tether._headers import HEADER_NAME, server_wait
from tether._transports._base import Attempt

__all__ = [
    "IDEMPOTENT_METHODS",
    "RETRY_STATUSES",
    "Attempt",
    "Decision",
    "Retry",
    "backoff",
    "classify_error",
    "decide",
    "is_testing",
    "retry_testing_mode",
]

IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
RETRY_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})

# Errors raised before a single byte of the request was written: safe for any method.
_NOT_SENT: Final = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout)
# Errors after sending started: the server may have acted on the request.
_MAYBE_SENT: Final = (
    httpx2.ReadError,
    httpx2.WriteError,
    httpx2.ReadTimeout,
    httpx2.WriteTimeout,
    httpx2.RemoteProtocolError,
)

_testing = False


def is_testing() -> bool:
    """True while the testing switch removes every wait between attempts."""
    return _testing


@contextlib.contextmanager
def retry_testing_mode(enabled: bool = True) -> Iterator[None]:
    """Remove (or restore) the waits between retries inside a ``with`` block.

    Decisions are unchanged (the same attempts happen, the chosen waits are still recorded
    in the attempt history); only the sleeping is skipped, so a user's test suite that
    exercises retry paths runs at full speed::

        with tether.retry_testing_mode():
            client.get("/flaky")   # retries at once
    """
    global _testing
    _check_switch("retry_testing_mode", enabled)
    previous = _testing
    _testing = enabled
    try:
        yield
    finally:
        _testing = previous


def _check_switch(function: str, enabled: object) -> None:
    if not isinstance(enabled, bool):
        raise ConfigurationError(f"{function}(enabled=...) takes True or False, got {enabled!r}")


def _as_positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"Retry({name}=...) must be a whole number >= 1, got {value!r}")
    return value


def _as_non_negative(
    name: str, value: object, *, minimum: float = 0.0, finite: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ConfigurationError(f"Retry({name}=...) must be a number of seconds, got {value!r}")
    if value < minimum:
        raise ConfigurationError(f"Retry({name}=...) must be >= {minimum:g}, got {value!r}")
    if finite and math.isinf(value):
        raise ConfigurationError(f"Retry({name}=...) must be finite, got {value!r}")
    return float(value)


@dataclass(frozen=True, slots=True)
class Retry:
    """How a client retries: an immutable policy, shared freely between clients and threads.

    The defaults retry up to three times (four attempts) with waits drawn from
    0-0.5 s, 0-1 s, 0-2 s ... capped at 8 s, honour ``Retry-After`` up to 60 s, and retry
    only what is safe to repeat (see the module documentation for the rules).

    Example::

        client = tether.Client(base_url=url, retry=tether.Retry(attempts=5, max_wait=2))
        client.post("/orders", json=order, retry=tether.Retry(idempotency_key=True))
        client.get("/health", retry=False)          # exactly one attempt
    """

    attempts: int = 4
    """Attempts in total, the first one included (``1`` means no retries)."""
    initial_wait: float = 0.5
    """Ceiling of the first backoff wait, in seconds."""
    factor: float = 2.0
    """Each further retry multiplies the ceiling by this."""
    max_wait: float = 8.0
    """Cap on any backoff wait, in seconds."""
    jitter: bool = True
    """Full jitter: wait a uniform random time up to the ceiling, not the ceiling itself."""
    max_retry_after: float = 60.0
    """Longest server-requested wait (``Retry-After`` ...) that is honoured; a longer one
    ends retrying with an error carrying ``retry_after``."""
    statuses: AbstractSet[int] = RETRY_STATUSES
    """Response statuses worth retrying (for idempotent or keyed requests only)."""
    methods: AbstractSet[str] = IDEMPOTENT_METHODS
    """Methods that are safe to repeat after the request may have reached the server."""
    idempotency_key: bool = False
    """Give a POST or PATCH without an ``Idempotency-Key`` a generated one (the same on
    every attempt), which makes it retryable against servers that honour the key."""
    idempotency_header: str = "Idempotency-Key"
    deadline: float | None = None
    """Default time budget, in seconds, for a whole call: all attempts and waits."""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "attempts", _as_positive_int("attempts", self.attempts))
        initial_wait = _as_non_negative("initial_wait", self.initial_wait, finite=True)
        set_(self, "initial_wait", initial_wait)
        set_(self, "factor", _as_non_negative("factor", self.factor, minimum=1.0, finite=True))
        set_(self, "max_wait", _as_non_negative("max_wait", self.max_wait))
        set_(self, "max_retry_after", _as_non_negative("max_retry_after", self.max_retry_after))
        if self.deadline is not None:
            deadline = _as_non_negative("deadline", self.deadline)
            if deadline == 0 or math.isinf(deadline):
                raise ConfigurationError(
                    f"Retry(deadline=...) must be > 0 seconds and finite, or None for none; "
                    f"got {self.deadline!r}"
                )
            set_(self, "deadline", deadline)
        set_(self, "statuses", _status_set(self.statuses))
        set_(self, "methods", _method_set(self.methods))
        header = self.idempotency_header
        if not isinstance(header, str) or not HEADER_NAME.fullmatch(header):
            raise ConfigurationError(
                "Retry(idempotency_header=...) must be a header name (letters, digits and "
                f"-_. only, no spaces or ':') such as 'Idempotency-Key', got {header!r}"
            )
        for name in ("jitter", "idempotency_key"):
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise ConfigurationError(f"Retry({name}=...) must be True or False, got {value!r}")

    def replace(self, **changes: Any) -> Retry:
        """A copy with some fields changed: ``policy.replace(attempts=6)``."""
        return dataclasses.replace(self, **changes)

    @staticmethod
    def set_testing(enabled: bool) -> None:
        """Switch the waits between retries off (``True``) or back on, process-wide.

        For users' test suites, like ``stamina.set_testing``; prefer the scoped
        :func:`retry_testing_mode` context manager where a ``with`` block fits.
        """
        global _testing
        _check_switch("Retry.set_testing", enabled)
        _testing = enabled

    def backoff(self, retry_number: int, rand: Callable[[], float]) -> float:
        """The wait before retry number ``retry_number`` (1 for the first retry)."""
        return backoff(
            retry_number,
            initial=self.initial_wait,
            factor=self.factor,
            cap=self.max_wait,
            rand=rand if self.jitter else None,
        )


def _status_set(statuses: Iterable[int]) -> frozenset[int]:
    if isinstance(statuses, frozenset) and statuses is RETRY_STATUSES:
        return statuses
    if isinstance(statuses, int | str | bytes) or not isinstance(statuses, Iterable):
        raise ConfigurationError(
            f"Retry(statuses=...) wants a collection such as {{503}}, not {statuses!r}"
        )
    result = frozenset(statuses)
    for status in result:
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ConfigurationError(
                f"Retry(statuses=...) holds {status!r}, not an HTTP status code"
            )
        if status < 400:
            raise ConfigurationError(
                f"Retry(statuses=...) holds {status}: only error statuses (400-599) can be "
                "retried"
            )
    return result


def _method_set(methods: Iterable[str]) -> frozenset[str]:
    if isinstance(methods, str | bytes) or not isinstance(methods, Iterable):
        raise ConfigurationError(
            f"Retry(methods=...) wants a collection such as {{'GET'}}, not {methods!r}"
        )
    if methods is IDEMPOTENT_METHODS:
        return IDEMPOTENT_METHODS
    result = frozenset(methods)
    for method in result:
        if not isinstance(method, str) or not method:
            raise ConfigurationError(f"Retry(methods=...) holds {method!r}, not a method name")
    return frozenset(method.upper() for method in result)


def backoff(
    retry_number: int,
    *,
    initial: float,
    factor: float,
    cap: float,
    rand: Callable[[], float] | None,
) -> float:
    """Exponential backoff: ``min(cap, initial * factor ** (retry_number - 1))``.

    With ``rand`` (returning floats in [0, 1)), full jitter: a uniform draw below that
    ceiling. Without, the ceiling itself.

    >>> backoff(3, initial=0.5, factor=2, cap=8, rand=None)
    2.0
    """
    exponent = max(retry_number - 1, 0)
    # Past the cap the power only risks overflow, so stop computing it there.
    if factor > 1 and initial > 0 and exponent > math.log(max(cap, 1e-9) / initial, factor) + 1:
        ceiling = cap
    else:
        try:
            ceiling = min(cap, initial * factor**exponent)
        except OverflowError:  # no cap (max_wait=inf) and a very late retry
            ceiling = cap
    return ceiling * rand() if rand is not None else ceiling


Kind = Literal["not_sent", "maybe_sent", "other"]


def classify_error(error: BaseException) -> Kind:
    """Where in the exchange an error happened, which decides whether it may be retried."""
    if isinstance(error, _NOT_SENT):
        return "not_sent"
    if isinstance(error, _MAYBE_SENT):
        return "maybe_sent"
    return "other"


Stop = Literal["done", "not_retryable", "attempts", "deadline", "retry_after"]


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do after an attempt: retry after ``wait`` seconds, or stop and why."""

    retry: bool
    wait: float = 0.0
    reason: str = ""
    """The outcome in words: ``"status 503"``, ``"ConnectError"`` ..."""
    stop: Stop | None = None
    """Why not retrying: ``"done"`` (nothing to retry), ``"not_retryable"``, ``"attempts"``
    (all used), ``"deadline"`` (no time left), ``"retry_after"`` (server wait too long)."""
    retry_after: float | None = None
    """The wait the server asked for, when it asked."""


DONE: Final = Decision(retry=False, stop="done")


def decide(
    policy: Retry,
    *,
    method: str,
    keyed: bool,
    attempt: int,
    status: int | None = None,
    headers: httpx2.Headers | None = None,
    error: BaseException | None = None,
    replayable: bool = True,
    now: float,
    wall: float,
    deadline_at: float | None,
    rand: Callable[[], float],
) -> Decision:
    """Decide after attempt number ``attempt`` ended with ``status`` (and ``headers``) or ``error``.

    ``now`` is a monotonic reading comparable with ``deadline_at``; ``wall`` is the Unix
    time, for HTTP-dates and epoch reset fields. ``keyed`` says the request carries an
    idempotency key; ``replayable`` that its body can be sent again.
    """
    if error is not None:
        kind = classify_error(error)
        reason = type(error).__name__
        if kind == "other" or (kind == "maybe_sent" and not (keyed or method in policy.methods)):
            return Decision(retry=False, reason=reason, stop="not_retryable")
        server_asked = None
    else:
        if status not in policy.statuses:
            return DONE
        kind = "maybe_sent"
        reason = f"status {status}"
        if not (keyed or method in policy.methods):
            return Decision(retry=False, reason=reason, stop="not_retryable")
        server_asked = server_wait(headers, now=wall) if headers is not None else None
    # A streamed body cannot be sent twice, unless it never started to go out.
    if not replayable and kind != "not_sent":
        return Decision(retry=False, reason=reason, stop="not_retryable")
    if attempt >= policy.attempts:
        return Decision(retry=False, reason=reason, stop="attempts", retry_after=server_asked)
    if server_asked is not None:
        if server_asked > policy.max_retry_after:
            return Decision(
                retry=False, reason=reason, stop="retry_after", retry_after=server_asked
            )
        wait = server_asked
    else:
        wait = policy.backoff(attempt, rand)
    if deadline_at is not None and now + wait >= deadline_at:
        return Decision(retry=False, reason=reason, stop="deadline", retry_after=server_asked)
    return Decision(retry=True, wait=wait, reason=reason, retry_after=server_asked)
