"""Request logging and :class:`~tether.RequestFinished` events, as the outermost transport.

The observing transport wraps the whole stack the client builds, so it sees each call once,
whatever retry and rate limiting did below it: one DEBUG line on the ``tether`` logger with
method, redacted URL, status (or error), elapsed time and the number of attempts.

The attempt count comes from the history the retry layer attaches to its outcome
(``response.extensions["tether.attempts"]`` or the error's ``attempts``); without a retry
layer a call is one attempt. A retry layer reports a ``RequestFinished`` for each of its
attempts itself, so the observer emits the event only when no retry layer sits below it.

It also installs a filter on httpx2's own logger, whose INFO line prints the raw request
URL: with tether imported, that URL is redacted too.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from typing import Any

import httpx2

from tether._hooks import Hook, RequestFinished, emit
from tether._redact import REDACTED, is_sensitive_header, mask_request, redact_text, redact_url

# Inlined on the hot path: with no hooks and DEBUG off a request costs one cached level
# lookup and one class check here (see benchmarks/client_overhead.py).
from tether._response import Response, adopt
from tether._retry_errors import ATTEMPTS_KEY

__all__ = [
    "AsyncObservingTransport",
    "ObservingTransport",
    "install_httpx2_log_redaction",
    "logger",
]

logger = logging.getLogger("tether")

_DEBUG = logging.DEBUG
# Bound once: the fast path below runs for every request.
_enabled_for = logger.isEnabledFor
_PLAIN = httpx2.Response


def _attempts(history: Any) -> int:
    return len(history) if isinstance(history, tuple) and history else 1


class _Observer:
    """What the sync and async transports share: deciding to report, and reporting."""

    __slots__ = ("hooks",)

    def __init__(self, hooks: Sequence[Hook], emit_finished: bool) -> None:
        self.hooks = tuple(hooks) if emit_finished else ()

    def finished(self, request: httpx2.Request, response: httpx2.Response, started: float) -> None:
        attempts = _attempts(response.extensions.get(ATTEMPTS_KEY))
        self._report(request, response.status_code, None, attempts, started)

    def failed(self, request: httpx2.Request, error: Exception, started: float) -> None:
        attempts = _attempts(getattr(error, "attempts", None))
        text = f"{type(error).__name__}: {redact_text(str(error))}"
        self._report(request, None, text, attempts, started)

    def _report(
        self,
        request: httpx2.Request,
        status: int | None,
        error: str | None,
        attempts: int,
        started: float,
    ) -> None:
        elapsed = time.perf_counter() - started
        url = redact_url(request.url)
        if logger.isEnabledFor(_DEBUG):
            logger.debug(
                "%s %s -> %s in %.1f ms (attempt %d)",
                request.method,
                url,
                status if error is None else error,
                elapsed * 1000.0,
                attempts,
            )
        if self.hooks:
            emit(
                self.hooks,
                RequestFinished(
                    method=request.method,
                    url=url,
                    status=status,
                    error=error,
                    elapsed=elapsed,
                    attempt=attempts,
                ),
            )


class ObservingTransport(httpx2.BaseTransport):
    """Logs and reports each request sent through ``inner``; responses become tether's.

    ``emit_finished=False`` when a layer below reports every attempt to the hooks itself.
    """

    def __init__(
        self, inner: httpx2.BaseTransport, hooks: Sequence[Hook] = (), *, emit_finished: bool = True
    ) -> None:
        self.inner = inner
        self._observer = _Observer(hooks, emit_finished)
        self._silent = not self._observer.hooks

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        mask_request(request)
        if self._silent and not _enabled_for(_DEBUG):
            response = self.inner.handle_request(request)
            if type(response) is _PLAIN:
                response.__class__ = Response
            return response
        observer = self._observer
        started = time.perf_counter()
        try:
            response = self.inner.handle_request(request)
        except Exception as exc:
            observer.failed(request, exc, started)
            raise
        observer.finished(request, response, started)
        return adopt(response)

    def __enter__(self) -> ObservingTransport:
        self.inner.__enter__()
        return self

    def close(self) -> None:
        self.inner.close()


class AsyncObservingTransport(httpx2.AsyncBaseTransport):
    """The async twin of :class:`ObservingTransport`."""

    def __init__(
        self,
        inner: httpx2.AsyncBaseTransport,
        hooks: Sequence[Hook] = (),
        *,
        emit_finished: bool = True,
    ) -> None:
        self.inner = inner
        self._observer = _Observer(hooks, emit_finished)
        self._silent = not self._observer.hooks

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        mask_request(request)
        if self._silent and not _enabled_for(_DEBUG):
            response = await self.inner.handle_async_request(request)
            if type(response) is _PLAIN:
                response.__class__ = Response
            return response
        observer = self._observer
        started = time.perf_counter()
        try:
            response = await self.inner.handle_async_request(request)
        except Exception as exc:
            observer.failed(request, exc, started)
            raise
        observer.finished(request, response, started)
        return adopt(response)

    async def __aenter__(self) -> AsyncObservingTransport:
        await self.inner.__aenter__()
        return self

    async def aclose(self) -> None:
        await self.inner.aclose()


class _RedactURLs(logging.Filter):
    """Rewrites URL arguments of httpx2's log records to their redacted form."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and any(isinstance(arg, httpx2.URL) for arg in args):
            record.args = tuple(
                redact_url(arg) if isinstance(arg, httpx2.URL) else arg for arg in args
            )
        return True


# httpcore2's DEBUG lines quote raw header lists: [(b'set-cookie', b'session=...'), ...].
_HEADER_PAIR = re.compile(r"\(b(['\"])([^'\"]+)\1, b(['\"])(.*?)\3\)")


class _RedactHeaderPairs(logging.Filter):
    """Hides credential-carrying header values in httpcore2's preformatted DEBUG lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "(b" in record.msg:
            record.msg = _HEADER_PAIR.sub(_redacted_pair, record.msg)
        return True


def _redacted_pair(match: re.Match[str]) -> str:
    if not is_sensitive_header(match.group(2)):
        return match.group(0)
    quote = match.group(3)
    return f"(b{match.group(1)}{match.group(2)}{match.group(1)}, b{quote}{REDACTED}{quote})"


# The transport's loggers that write header lists; a filter acts only on records created
# on its own logger, so each gets one.
_HTTPCORE2_LOGGERS = ("httpcore2.http11", "httpcore2.http2", "httpcore2.proxy")


def install_httpx2_log_redaction() -> None:
    """Redact URLs in httpx2's own log lines and credential headers in httpcore2's DEBUG
    lines (idempotent; done when tether is imported)."""
    httpx2_logger = logging.getLogger("httpx2")
    if not any(isinstance(f, _RedactURLs) for f in httpx2_logger.filters):
        httpx2_logger.addFilter(_RedactURLs())
    for name in _HTTPCORE2_LOGGERS:
        transport_logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactHeaderPairs) for f in transport_logger.filters):
            transport_logger.addFilter(_RedactHeaderPairs())


install_httpx2_log_redaction()
