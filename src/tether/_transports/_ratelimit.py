"""The rate-limit layer: sync and async transports around a :class:`RateLimiter`.

Each request asks the limiter for a permit, waits for it (``time.sleep`` or
``anyio.sleep``), goes through the wrapped transport, and its response is fed back to the
limiter so the pace follows the server's rate-limit headers. Deciding is the limiter's
job (reserve, then wait); the transports only wait and send. Hooks receive
:class:`tether.RateLimitWaited` and :class:`tether.RateLimitAdjusted`; the same events are
logged under ``tether.ratelimit``.

Because they are httpx2 transports they also serve a plain httpx2 client::

    client = httpx2.Client(transport=tether.RateLimitTransport(rate_limit="5/s"))
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Generic, TypeVar

import httpx2

from tether._config import check_hooks, transport_or_default
from tether._hooks import Hook, RateLimitAdjusted, RateLimitWaited, emit
from tether._options import call_options
from tether._ratelimit import Permit, Plan, RateLimitLike, as_limiter
from tether._ratelimit._adaptive import carries_feedback
from tether._retry_errors import DeadlineExceeded
from tether._transports._base import DEADLINE_EXTENSION, AsyncLayer, Layer

__all__ = ["AsyncRateLimitTransport", "RateLimitTransport"]

_log = logging.getLogger("tether.ratelimit")
_ANNOUNCE = 1.0
"""Waits at least this long (seconds) are logged at INFO before they start."""

_T = TypeVar("_T", httpx2.BaseTransport, httpx2.AsyncBaseTransport)


class _Shared(Generic[_T]):
    """What the sync and async transports share: construction, planning, reporting."""

    def __init__(
        self,
        transport: _T | None = None,
        *,
        rate_limit: RateLimitLike = None,
        hooks: Iterable[Hook] = (),
    ) -> None:
        asynchronous = isinstance(self, httpx2.AsyncBaseTransport)
        self.transport: _T = transport_or_default(transport, asynchronous=asynchronous)
        self.limiter = as_limiter(rate_limit)
        self._hooks = check_hooks(hooks)

    def _plan(self, request: httpx2.Request) -> Plan:
        url = request.url
        return self.limiter.plan_request(request.method, url.host, url.port, url.path)

    def _ask(self, request: httpx2.Request) -> tuple[Plan, float | None]:
        """The request's limits, and the most it may wait for them (``None``: no bound)."""
        return self._plan(request), self._time_left(request)

    def _checked(
        self, request: httpx2.Request, plan: Plan, left: float | None, permit: Permit | None
    ) -> Permit:
        if permit is None:
            # Waiting past the deadline cannot succeed: fail now, not after the wait.
            raise DeadlineExceeded(
                f"rate limit for {plan.key} needs a longer wait than the "
                f"{max(left or 0.0, 0.0):.2f}s "
                "left of the call's deadline",
                request=request,
                attempts=(),
            )
        if permit.wait >= _ANNOUNCE:
            # A long wait must not look like a hang: say so before it starts.
            _log.info("waiting %.1fs for %s (%s)", permit.wait, permit.key, permit.reason)
        return permit

    def _waited(self, permit: Permit) -> None:
        _log.debug("waited %.3fs for %s (%s)", permit.wait, permit.key, permit.reason)
        if self._hooks:
            emit(self._hooks, RateLimitWaited(permit.key, permit.wait, permit.reason))

    def _time_left(self, request: httpx2.Request) -> float | None:
        """Seconds left of the call's deadline. The retry layer above passes the deadline
        of every call that has one, per call or from its policy; a per-call deadline with
        no retry layer above started with this attempt."""
        deadline_at = request.extensions.get(DEADLINE_EXTENSION)
        if isinstance(deadline_at, int | float):
            return self.limiter.seconds_until(deadline_at)
        return call_options(request).deadline

    def _observe(
        self, request: httpx2.Request, permit: Permit | None, response: httpx2.Response
    ) -> None:
        """Feed the answer back. ``permit`` is ``None`` for a request sent while the limiter
        was quiet: most answers then say nothing, and that is all this costs them."""
        if permit is None:
            if not carries_feedback(response.status_code, response.headers):
                return
            permit = self.limiter.unpaced(self._plan(request))
        adjustment = self.limiter.observe(permit, response.status_code, response.headers)
        if adjustment is not None:
            _log.info("pace for %s now %.3g/s: %s", permit.key, adjustment.rate, adjustment.reason)
            if self._hooks:
                emit(self._hooks, RateLimitAdjusted(permit.key, adjustment.rate, adjustment.reason))


class RateLimitTransport(_Shared[httpx2.BaseTransport], Layer):
    """Paces requests sent through ``transport`` (httpx2's default when omitted).

    ``rate_limit`` takes what ``tether.Client(rate_limit=...)`` takes: ``"5/s"``, a list of
    rates, a :class:`tether.RateLimit`, or a :class:`tether.RateLimiter` shared with other
    transports (which then share its quota). ``None`` paces by server feedback only.
    """

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        permit: Permit | None = None
        if not self.limiter.quiet:
            plan, left = self._ask(request)
            reserved = self.limiter.reserve(plan, max_wait=left)
            permit = self._checked(request, plan, left, reserved)
            if permit.wait > 0:
                self.limiter.sleep(permit)
                self._waited(permit)
        response = self.transport.handle_request(request)
        self._observe(request, permit, response)
        return response


class AsyncRateLimitTransport(_Shared[httpx2.AsyncBaseTransport], AsyncLayer):
    """The async :class:`RateLimitTransport`: awaits instead of sleeping, cancellation-safe."""

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        permit: Permit | None = None
        if not self.limiter.quiet:
            plan, left = self._ask(request)
            reserved = await self.limiter.areserve(plan, max_wait=left)
            permit = self._checked(request, plan, left, reserved)
            if permit.wait > 0:
                await self.limiter.asleep(permit)
                self._waited(permit)
        response = await self.transport.handle_async_request(request)
        self._observe(request, permit, response)
        return response
