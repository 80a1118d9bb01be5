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
import math
from collections.abc import Iterable
from typing import Generic, TypeVar

import httpx2

from tether._config import check_hooks, transport_or_default
from tether._errors import RateLimited
from tether._hooks import Hook, RateLimitAdjusted, RateLimitWaited, emit
from tether._options import call_options
from tether._ratelimit import Permit, Plan, RateLimitLike, as_limiter
from tether._ratelimit._adaptive import carries_feedback
from tether._ratelimit._limiter import HeldBack, Ticket
from tether._retry_errors import DeadlineExceeded
from tether._transports._base import DEADLINE_EXTENSION, PACED_EXTENSION, AsyncLayer, Layer

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
            needed, by_server = self.limiter.refused_wait(plan)
            if by_server:
                raise _held(request, plan, needed, left)
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

    def _refused_turn(
        self, request: httpx2.Request, plan: Plan, left: float | None, error: HeldBack
    ) -> Exception:
        """The error for a call slow start could not let go within its deadline."""
        if error.wait is not None:
            return _held(request, plan, error.wait, left)
        return DeadlineExceeded(
            f"the call's deadline ({max(left or 0.0, 0.0):.2f}s) passed while waiting for "
            f"earlier answers from {plan.key} to show its rate limits",
            request=request,
            attempts=(),
        )

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
        self,
        request: httpx2.Request,
        permit: Permit | None,
        ticket: Ticket | None,
        response: httpx2.Response,
    ) -> None:
        """Feed the answer back. ``permit`` is ``None`` for a request sent while the limiter
        was quiet: most answers then say nothing, and that is all this costs them."""
        status = response.status_code
        if not carries_feedback(status, response.headers):
            if ticket is not None:
                self.limiter.answered(ticket, request.url.netloc, clean=True, refused=False)
            return
        limiter = self.limiter
        if permit is None:
            permit = limiter.unpaced(self._plan(request))
        adjustment = limiter.observe(permit, status, response.headers)
        if status == 429 and limiter.server_wait(self._plan(request)) > 0:
            # The limiter below the retry layer holds the host until the server's time:
            # a retry can queue here instead of sleeping on its own.
            response.extensions[PACED_EXTENSION] = True
        limiter.answered(ticket, request.url.netloc, clean=False, refused=status == 429)
        if adjustment is not None:
            _log.info("pace for %s now %.3g/s: %s", permit.key, adjustment.rate, adjustment.reason)
            if self._hooks:
                emit(self._hooks, RateLimitAdjusted(permit.key, adjustment.rate, adjustment.reason))


def _held(request: httpx2.Request, plan: Plan, wait: float, left: float | None) -> RateLimited:
    """A 429 the client answers for the server: the host asked for a pause (or its
    announced quota is spent) for longer than the call's deadline leaves. The body says
    so; ``retry_after`` is the wait."""
    response = httpx2.Response(
        429,
        headers={"Retry-After": str(math.ceil(wait))},
        json={
            "error": "held by the client",
            "message": (
                f"{plan.key} asked the client to wait {wait:.2f}s before its next request; "
                f"the call's deadline leaves {max(left or 0.0, 0.0):.2f}s, so it was not sent"
            ),
        },
        request=request,
    )
    error = RateLimited(response)
    error.retry_after = wait
    return error


class RateLimitTransport(_Shared[httpx2.BaseTransport], Layer):
    """Paces requests sent through ``transport`` (when omitted, the one a tether client
    uses by default: HTTP/1.1 over tether's own connection pool).

    ``rate_limit`` takes what ``tether.Client(rate_limit=...)`` takes: ``"5/s"``, a list of
    rates, a :class:`tether.RateLimit`, or a :class:`tether.RateLimiter` shared with other
    transports (which then share its quota). ``None`` paces by server feedback only.
    """

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        limiter = self.limiter
        if limiter.quiet and limiter.settled(request.url.netloc):
            response = self.transport.handle_request(request)
            self._observe(request, None, None, response)
            return response
        plan, left = self._ask(request)
        try:
            ticket = limiter.take_turn(plan, max_wait=left)
        except HeldBack as error:
            raise self._refused_turn(request, plan, left, error) from None
        try:
            try:
                if ticket is not None and left is not None:
                    left = self._time_left(request)
                reserved = limiter.reserve(plan, max_wait=left)
            finally:
                limiter.reserved(ticket)
            permit = self._checked(request, plan, left, reserved)
            if permit.wait > 0:
                limiter.sleep(permit)
                self._waited(permit)
            response = self.transport.handle_request(request)
        except BaseException:
            limiter.answered(ticket, b"", clean=False, refused=False)
            raise
        self._observe(request, permit, ticket, response)
        return response


class AsyncRateLimitTransport(_Shared[httpx2.AsyncBaseTransport], AsyncLayer):
    """The async :class:`RateLimitTransport`: awaits instead of sleeping, cancellation-safe."""

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        limiter = self.limiter
        if limiter.quiet and limiter.settled(request.url.netloc):
            response = await self.transport.handle_async_request(request)
            self._observe(request, None, None, response)
            return response
        plan, left = self._ask(request)
        try:
            ticket = await limiter.atake_turn(plan, max_wait=left)
        except HeldBack as error:
            raise self._refused_turn(request, plan, left, error) from None
        try:
            try:
                if ticket is not None and left is not None:
                    left = self._time_left(request)
                reserved = await limiter.areserve(plan, max_wait=left)
            finally:
                limiter.reserved(ticket)
            permit = self._checked(request, plan, left, reserved)
            if permit.wait > 0:
                await limiter.asleep(permit)
                self._waited(permit)
            response = await self.transport.handle_async_request(request)
        except BaseException:
            limiter.answered(ticket, b"", clean=False, refused=False)
            raise
        self._observe(request, permit, ticket, response)
        return response
