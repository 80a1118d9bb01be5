"""Events that tether reports while it works, and the hook protocol that receives them.

Policies never log or call user code themselves: the sync and async shells build one of
these frozen events and hand it to :func:`emit`, which calls every hook the client was
given. Hooks see redacted URLs only, so they can be forwarded to metrics or logs safely.

Example::

    def print_retries(event: tether.Event) -> None:
        if isinstance(event, tether.RetryScheduled):
            print(f"retry #{event.attempt} in {event.wait:.2f}s: {event.reason}")

    client = tether.Client(base_url=url, hooks=[print_retries])
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeAlias

__all__ = [
    "Event",
    "Hook",
    "RateLimitAdjusted",
    "RateLimitWaited",
    "RequestFinished",
    "RetryGivenUp",
    "RetryScheduled",
    "emit",
]

_log = logging.getLogger("tether.hooks")


@dataclass(frozen=True, slots=True)
class RequestFinished:
    """One attempt went over the wire and ended with a status or an error."""

    method: str
    url: str
    """The request URL with secrets redacted."""
    status: int | None
    """The response status, or ``None`` when the attempt ended in an error."""
    error: str | None
    """The error's class name and message when there was no response."""
    elapsed: float
    """Seconds from sending the request to receiving the response headers (or the error)."""
    attempt: int
    """1 for the first attempt, 2 for the first retry, and so on."""


@dataclass(frozen=True, slots=True)
class RetryScheduled:
    """An attempt failed and the retry policy decided to try again after ``wait`` seconds."""

    method: str
    url: str
    attempt: int
    """The attempt that failed (1-based)."""
    reason: str
    """Why it is retried: ``"status 503"``, ``"ReadTimeout"`` ..."""
    wait: float
    """Seconds the shell will wait before the next attempt."""


@dataclass(frozen=True, slots=True)
class RetryGivenUp:
    """The retry policy stopped retrying; the last outcome goes to the caller."""

    method: str
    url: str
    attempts: int
    reason: str
    """Why retrying stopped: attempts exhausted, deadline, budget, Retry-After too long ..."""


@dataclass(frozen=True, slots=True)
class RateLimitWaited:
    """The client-side rate limiter held a request back before sending it."""

    key: str
    """Which limiter (host, route pattern or a user-chosen name)."""
    wait: float
    """Seconds the request waited."""
    reason: str
    """Which limit caused the wait: ``"5/s"``, ``"server: remaining 0, reset in 12s"`` ..."""


@dataclass(frozen=True, slots=True)
class RateLimitAdjusted:
    """The limiter changed its pace because of what the server said."""

    key: str
    rate: float
    """The pace now in force, in requests per second."""
    reason: str


Event: TypeAlias = (
    RequestFinished | RetryScheduled | RetryGivenUp | RateLimitWaited | RateLimitAdjusted
)


class Hook(Protocol):
    """Anything callable with one :data:`Event`; its return value is ignored."""

    def __call__(self, event: Event, /) -> None: ...


def emit(hooks: Iterable[Hook], event: Event) -> None:
    """Deliver ``event`` to every hook.

    A failing hook must not break the request it observes, so its exception is logged
    (with traceback) and the remaining hooks still run.
    """
    for hook in hooks:
        try:
            hook(event)
        except Exception:
            _log.exception("tether hook %r failed on %s", hook, type(event).__name__)
