"""The observing layer, outermost: one DEBUG line and one event per call.

It sees each call once, whatever retry and rate limiting did below it: one DEBUG line on
the ``tether`` logger with method, redacted URL, status (or error), elapsed time and the
number of attempts, which it reads from the history the retry layer attaches to the
outcome (without a retry layer a call is one attempt). Responses leave it as
:class:`tether.Response`, and requests with reprs that hide credentials.

A retry layer below reports a :class:`~tether.RequestFinished` for each attempt itself;
``emit_finished=False`` then keeps this layer from reporting the call a second time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import httpx2

from tether._hooks import Hook, RequestFinished, emit
from tether._redact import mask_request, redact_text, redact_url
from tether._response import Response, adopt
from tether._transports._base import AsyncLayer, Layer, attempts_in

__all__ = ["AsyncObservingTransport", "ObservingTransport", "logger"]

logger = logging.getLogger("tether")

_DEBUG = logging.DEBUG
# Bound once: the quiet path below runs for every request, and with no hooks and DEBUG
# off costs one cached level lookup and one class check (benchmarks/client_overhead.py).
_enabled_for = logger.isEnabledFor
_PLAIN = httpx2.Response


class _Shared:
    """What the sync and async transports share: deciding to report, and reporting."""

    def __init__(self, hooks: Sequence[Hook], emit_finished: bool) -> None:
        self.hooks = tuple(hooks) if emit_finished else ()
        self._silent = not self.hooks

    def _report(
        self, request: httpx2.Request, outcome: httpx2.Response | Exception, started: float
    ) -> None:
        elapsed = time.perf_counter() - started
        url = redact_url(request.url)
        if isinstance(outcome, Exception):
            status = None
            error: str | None = f"{type(outcome).__name__}: {redact_text(str(outcome))}"
        else:
            status, error = outcome.status_code, None
        attempts = attempts_in(outcome)
        if _enabled_for(_DEBUG):
            logger.debug(
                "%s %s -> %s in %.1f ms (attempt %d)",
                request.method,
                url,
                status if error is None else error,
                elapsed * 1000.0,
                attempts,
            )
        if self.hooks:
            emit(self.hooks, RequestFinished(request.method, url, status, error, elapsed, attempts))


class ObservingTransport(_Shared, Layer):
    """Logs and reports each request sent through ``transport``; responses become tether's.

    ``emit_finished=False`` when a layer below reports every attempt to the hooks itself.
    """

    def __init__(
        self,
        transport: httpx2.BaseTransport,
        hooks: Sequence[Hook] = (),
        *,
        emit_finished: bool = True,
    ) -> None:
        super().__init__(hooks, emit_finished)
        self.transport = transport

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        mask_request(request)
        if self._silent and not _enabled_for(_DEBUG):
            response = self.transport.handle_request(request)
            if type(response) is _PLAIN:
                response.__class__ = Response
            return response
        started = time.perf_counter()
        try:
            response = self.transport.handle_request(request)
        except Exception as error:
            self._report(request, error, started)
            raise
        self._report(request, response, started)
        return adopt(response)


class AsyncObservingTransport(_Shared, AsyncLayer):
    """The async twin of :class:`ObservingTransport`."""

    def __init__(
        self,
        transport: httpx2.AsyncBaseTransport,
        hooks: Sequence[Hook] = (),
        *,
        emit_finished: bool = True,
    ) -> None:
        super().__init__(hooks, emit_finished)
        self.transport = transport

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        mask_request(request)
        if self._silent and not _enabled_for(_DEBUG):
            response = await self.transport.handle_async_request(request)
            if type(response) is _PLAIN:
                response.__class__ = Response
            return response
        started = time.perf_counter()
        try:
            response = await self.transport.handle_async_request(request)
        except Exception as error:
            self._report(request, error, started)
            raise
        self._report(request, response, started)
        return adopt(response)
