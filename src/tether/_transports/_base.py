"""What every transport layer shares: the extension keys, the attempt history, forwarding.

The layers talk to each other only through the request's and the response's
``extensions``; every key they use is defined here, once. This module imports no other
part of tether, so any module (errors included) may take a key or :class:`Attempt` from
it without a cycle.
"""

from __future__ import annotations

import contextlib
from types import TracebackType
from typing import Final, NamedTuple, Self

import httpx2

__all__ = [
    "ATTEMPTS_EXTENSION",
    "ATTEMPT_EXTENSION",
    "CALL_OPTIONS_EXTENSION",
    "DEADLINE_EXTENSION",
    "PACED_EXTENSION",
    "READ_BODY_EXTENSION",
    "AsyncLayer",
    "Attempt",
    "Layer",
    "attach_history",
    "attempts_in",
    "describe_history",
]

CALL_OPTIONS_EXTENSION: Final = "tether"
"""Request extension holding a call's :class:`tether.CallOptions`, set by the client."""

ATTEMPTS_EXTENSION: Final = "tether.attempts"
"""Response extension holding the call's attempt history (``tether.attempts_of``); an
error raised by a call carries the same tuple as ``error.attempts``."""

ATTEMPT_EXTENSION: Final = "tether.attempt"
"""Request extension with the attempt number (1-based) for the layers below retry.
Absent on first attempts, which keeps them cheap."""

DEADLINE_EXTENSION: Final = "tether.deadline_at"
"""Request extension with the call's deadline as a ``time.monotonic()`` reading, set by the
retry layer on every attempt of a call that has one (per call or from the policy). The
rate limiter reads it to refuse at once a wait that would end past it."""

PACED_EXTENSION: Final = "tether.paced"
"""Response extension set by the rate limiter on a 429 whose wait it now enforces for the
whole host: the retry layer above then sends its retry at once, to queue in the limiter
(in arrival order, released at the server's pace) instead of sleeping on its own."""

READ_BODY_EXTENSION: Final = "tether.read_body"
"""Set by a client that will read the whole body anyway (a call that is not streamed): the
retry layer then reads it within the attempt, so a body cut off mid-way is an attempt's
read error, retried by the same rules as any other."""


class Attempt(NamedTuple):
    """One attempt of a call, as kept in the attempt history (immutable).

    The history is a tuple of these, found on every response under
    ``response.extensions["tether.attempts"]`` and on every error a call raises as
    ``error.attempts`` (see :func:`tether.attempts_of`). A named tuple rather than a frozen
    dataclass because one is built for every request, and this is the cheaper of the two.
    """

    number: int
    """1 for the first attempt, 2 for the first retry ..."""
    status: int | None
    """The response status, or ``None`` when the attempt ended in an error."""
    error: str | None
    """The error's class name and message when there was no response."""
    started: float
    """Seconds from the start of the call to the start of this attempt."""
    elapsed: float
    """Seconds this attempt took, up to the response headers or the error."""
    wait: float | None = None
    """Seconds chosen to wait after this attempt before the next one; ``None`` if last."""

    def describe(self) -> str:
        """The attempt in words: ``#2 status 503 after 0.012s, retry in 0.800s``.

        The wait is the one chosen, which :func:`retry_testing_mode` skips; ``started``
        on the next attempt says when it really began."""
        outcome = f"status {self.status}" if self.status is not None else self.error
        text = f"#{self.number} {outcome} after {self.elapsed:.3f}s"
        return text if self.wait is None else f"{text}, retry in {self.wait:.3f}s"


def describe_history(history: tuple[Attempt, ...]) -> str:
    """The exception note listing every attempt of a call."""
    return "tether attempts: " + "; ".join(attempt.describe() for attempt in history)


def attach_history(outcome: httpx2.Response | Exception, history: tuple[Attempt, ...]) -> None:
    """Put the attempt history on a response's extensions, or on an error (with a note
    listing the attempts when there was more than one)."""
    if isinstance(outcome, httpx2.Response):
        try:
            outcome.extensions[ATTEMPTS_EXTENSION] = history
        except TypeError:
            # A read-only mapping from the transport: keep its contents, add the history.
            outcome.extensions = {**outcome.extensions, ATTEMPTS_EXTENSION: history}
        return
    # An exception class with __slots__ cannot take the attribute; the note remains.
    with contextlib.suppress(AttributeError):
        outcome.attempts = history  # type: ignore[attr-defined]
    if len(history) > 1:
        outcome.add_note(describe_history(history))


def attempts_in(outcome: httpx2.Response | BaseException) -> int:
    """How many attempts the call that ended in ``outcome`` made (1 without a history)."""
    if isinstance(outcome, httpx2.Response):
        history = outcome.extensions.get(ATTEMPTS_EXTENSION)
    else:
        history = getattr(outcome, "attempts", None)
    return len(history) if isinstance(history, tuple) and history else 1


class Layer(httpx2.BaseTransport):
    """A sync transport wrapping ``self.transport``: entering, leaving and closing it are
    passed down, so a wrapped transport that needs its ``__enter__`` (httpx2's own
    ``ASGIWebSocketTransport`` does) works under every layer."""

    transport: httpx2.BaseTransport

    def __enter__(self) -> Self:
        self.transport.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        self.transport.__exit__(exc_type, exc_value, traceback)

    def close(self) -> None:
        self.transport.close()


class AsyncLayer(httpx2.AsyncBaseTransport):
    """The async :class:`Layer`: ``__aenter__``, ``__aexit__`` and ``aclose`` passed down."""

    transport: httpx2.AsyncBaseTransport

    async def __aenter__(self) -> Self:
        await self.transport.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.transport.__aexit__(exc_type, exc_value, traceback)

    async def aclose(self) -> None:
        await self.transport.aclose()
