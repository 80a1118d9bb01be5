"""The one place tether's transport layers are stacked."""

from __future__ import annotations

from typing import Literal, TypeVar, cast

import httpx2

from tether._config import Settings
from tether._ratelimit import RateLimiter
from tether._retry import Retry
from tether._retry_budget import RetryBudget
from tether._transports._observe import AsyncObservingTransport, ObservingTransport
from tether._transports._ratelimit import AsyncRateLimitTransport, RateLimitTransport
from tether._transports._retry import AsyncRetryTransport, RetryTransport

__all__ = ["compose_transport"]

_Transport = TypeVar("_Transport", httpx2.BaseTransport, httpx2.AsyncBaseTransport)


def compose_transport(
    base: _Transport,
    settings: Settings,
    *,
    asynchronous: bool,
    retry: Retry | bool = True,
    retry_budget: RetryBudget | Literal[False] = False,
    rate_limiter: RateLimiter | None = None,
) -> _Transport:
    """Wrap ``base`` in tether's transport layers.

    Innermost first: the client-side rate limiter, then retry, so that every attempt a
    retry makes passes the limiter; the observing layer goes outermost and logs each call
    once with its attempt count. The retry layer is there even with ``retry=False``: a
    call may still ask for retries (``retry=tether.Retry(...)``) or a deadline. It reports
    every attempt to the hooks itself, so the observer does not emit ``RequestFinished``.

    ``asynchronous`` is explicit because one transport object may serve both kinds of
    client (``httpx2.MockTransport`` does); the result is of the same kind as ``base``.
    """
    hooks = settings.hooks
    either: httpx2.BaseTransport | httpx2.AsyncBaseTransport = base
    if asynchronous:
        inner = cast(httpx2.AsyncBaseTransport, either)
        if rate_limiter is not None:
            inner = AsyncRateLimitTransport(inner, rate_limit=rate_limiter, hooks=hooks)
        inner = AsyncRetryTransport(inner, retry=retry, budget=retry_budget, hooks=hooks)
        return cast(_Transport, AsyncObservingTransport(inner, hooks, emit_finished=False))
    stack = cast(httpx2.BaseTransport, either)
    if rate_limiter is not None:
        stack = RateLimitTransport(stack, rate_limit=rate_limiter, hooks=hooks)
    stack = RetryTransport(stack, retry=retry, budget=retry_budget, hooks=hooks)
    return cast(_Transport, ObservingTransport(stack, hooks, emit_finished=False))
