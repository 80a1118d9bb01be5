"""What the sandbox's ASGI layers share: which requests they leave alone, answering a
request themselves instead of the handler, and one canonical path per route."""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "ADMIN_PREFIX",
    "MAX_HEADER_BYTES",
    "MAX_QUERY_BYTES",
    "RequestSizeMiddleware",
    "TrailingSlashMiddleware",
    "is_admin_path",
    "passes_through",
    "send_body",
    "send_json",
]

ADMIN_PREFIX = "/_sandbox"


def is_admin_path(path: str) -> bool:
    """Whether ``path`` is one of the sandbox's own admin routes (never faulted nor limited)."""
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def passes_through(scope: Scope) -> bool:
    """Whether a layer hands ``scope`` on untouched: not an HTTP request, or an admin route."""
    return scope["type"] != "http" or is_admin_path(scope["path"])


async def send_body(
    send: Send, status: int, body: bytes, extra: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    """Send a whole ``application/json`` response; ``body`` goes out as is, valid or not."""
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def send_json(
    send: Send, status: int, payload: object, extra: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    """Send ``payload`` encoded as JSON, as :func:`send_body` does."""
    await send_body(send, status, json.dumps(payload).encode(), extra)


class TrailingSlashMiddleware:
    """Serves ``/posts/`` as ``/posts``, as JSONPlaceholder does.

    Starlette would answer with a 307 redirect, which httpx2 and many other clients do not
    follow by default: a tutorial's ``get(BASE + "/posts/")`` would find an empty body and
    a ``POST`` would create nothing. Outermost, so every later layer (stats included) sees
    the one canonical path.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            trimmed = path.rstrip("/") or "/"
            raw = scope.get("raw_path")
            scope = {**scope, "path": trimmed}
            if isinstance(raw, bytes):
                scope["raw_path"] = raw.rstrip(b"/") or b"/"
        await self.app(scope, receive, send)


MAX_QUERY_BYTES = 8 * 1024
"""Longest query string accepted (414 beyond), as nginx's default header buffers allow."""
MAX_HEADER_BYTES = 16 * 1024
"""Most header bytes (names and values together) accepted in one request (431 beyond)."""


class RequestSizeMiddleware:
    """Refuses a request whose query string or headers are too large, with the sandbox's
    JSON error naming the limit, before anything parses them (uvicorn alone accepts
    megabytes of either)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = len(scope.get("query_string", b""))
            if query > MAX_QUERY_BYTES:
                await send_json(send, 414, {
                    "error": "URI Too Long",
                    "message": f"the query string is {query:,} bytes, more than the "
                               f"{MAX_QUERY_BYTES:,} the sandbox accepts; send fewer or "
                               "shorter parameters",
                    "field": "query"})
                return
            headers = sum(len(name) + len(value) for name, value in scope.get("headers", []))
            if headers > MAX_HEADER_BYTES:
                await send_json(send, 431, {
                    "error": "Request Header Fields Too Large",
                    "message": f"the headers are {headers:,} bytes, more than the "
                               f"{MAX_HEADER_BYTES:,} the sandbox accepts; send fewer or "
                               "shorter headers",
                    "field": "headers"})
                return
        await self.app(scope, receive, send)
