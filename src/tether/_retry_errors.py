"""Errors raised when retrying stops early, and the attempt history on every outcome.

They are :class:`tether.TetherError` subclasses, like everything tether raises, and
subclass ``httpx2.TransportError`` too, so existing ``except httpx2.HTTPError`` /
``except httpx2.RequestError`` clauses still catch them; :class:`DeadlineExceeded` is also
an ``httpx2.TimeoutException``. A 429 whose ``Retry-After`` is too long to honour raises
:class:`tether.RateLimited` instead, the same class a plain 429 raises.
"""

from __future__ import annotations

import httpx2

from tether._errors import TetherError
from tether._transports._base import ATTEMPTS_EXTENSION, Attempt

__all__ = [
    "DeadlineExceeded",
    "RetryAfterTooLong",
    "RetryBudgetExhausted",
    "RetryError",
    "attempts_of",
]

class RetryError(TetherError, httpx2.TransportError):
    """Retrying stopped before the attempts ran out; the message says why.

    ``attempts`` holds the history, ``response`` the last response when the last attempt
    got one (its body already read), ``retry_after`` the wait the server asked for if any.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx2.Request,
        attempts: tuple[Attempt, ...],
        response: httpx2.Response | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.attempts = attempts
        self.response = response
        self.retry_after = retry_after


class RetryBudgetExhausted(RetryError):  # noqa: N818 (named like RateLimited)
    """The client's retry budget is spent: the service is failing for many calls at once,
    and more retries would only add load. Retrying resumes as new calls earn budget."""


class DeadlineExceeded(RetryError, httpx2.TimeoutException):  # noqa: N818
    """The call's deadline passed, or the next wait would not fit in what was left of it."""


class RetryAfterTooLong(RetryError):  # noqa: N818
    """The server asked to wait longer than the policy's ``max_retry_after`` allows."""


def attempts_of(outcome: httpx2.Response | BaseException) -> tuple[Attempt, ...]:
    """The attempt history of a response or of an error a call raised (empty if none).

    Example::

        try:
            client.get("/flaky")
        except httpx2.HTTPError as error:
            for attempt in tether.attempts_of(error):
                print(attempt.describe())
    """
    if isinstance(outcome, httpx2.Response):
        found = outcome.extensions.get(ATTEMPTS_EXTENSION, ())
    else:
        found = getattr(outcome, "attempts", None)
        if found is None:
            response = getattr(outcome, "response", None)
            if isinstance(response, httpx2.Response):
                found = response.extensions.get(ATTEMPTS_EXTENSION, ())
    return tuple(found) if isinstance(found, tuple) else ()
