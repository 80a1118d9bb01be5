"""The ASGI layer enforcing the sandbox's server-side rate limits.

It sits below the accounting layer and above fault injection, so a refused request never
reaches the faults or the handler, and every answered request (faulted or not) carries the
rate-limit headers. Admin routes (``/_sandbox/...``) are neither counted nor refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tether.sandbox._asgi import passes_through, send_json
from tether.sandbox._limits import RateLimiter, client_key, rate_limit_headers

__all__ = ["RateLimitMiddleware", "request_key"]


_KEY_HEADERS = frozenset({b"x-api-key", b"authorization"})


def request_key(scope: Scope) -> str:
    """Whose quota the request of ``scope`` spends (:func:`client_key`)."""
    # Only the headers client_key reads are decoded: this runs for every request, twice.
    # ASGI servers send header names in lower case.
    headers = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in scope.get("headers", ())
        if name in _KEY_HEADERS
    }
    client = scope.get("client")
    query = scope.get("query_string", b"")
    query_key = None
    if b"api_key=" in query:
        values = parse_qs(query.decode("latin-1")).get("api_key")
        query_key = values[0] if values else None
    return client_key(headers, client[0] if client else None, query_key)


class RateLimitMiddleware:
    """Counts each non-admin request against ``limiter`` and answers 429 when over."""

    def __init__(
        self, app: ASGIApp, limiter: RateLimiter, clock: Callable[[], float] = time.time
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if passes_through(scope) or not self.limiter.rates:
            await self.app(scope, receive, send)
            return
        key = request_key(scope)
        decision = self.limiter.hit(key, self.clock())
        extra = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in rate_limit_headers(decision)
        ]
        if not decision.allowed:
            binding = decision.binding
            payload = {
                "error": "Too Many Requests",
                "message": (
                    f"rate limit {binding.rate.name if binding else ''} exceeded; "
                    f"retry after {decision.retry_after} s"
                ),
                "retry_after": decision.retry_after,
            }
            await send_json(send, 429, payload, extra)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in extra}
                kept = [(n, v) for n, v in message.get("headers", []) if n.lower() not in names]
                message = {**message, "headers": [*kept, *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
