"""What the sandbox's fault and rate-limit layers share: which requests they leave alone,
and answering a request themselves instead of the handler."""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import Scope, Send

__all__ = ["ADMIN_PREFIX", "is_admin_path", "passes_through", "send_body", "send_json"]

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
