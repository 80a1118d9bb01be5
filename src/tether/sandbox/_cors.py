"""CORS for the sandbox: every origin, method and header allowed, some headers exposed.

Browsers send an ``Origin`` header; the requests that carry one (preflights included) go
through starlette's :class:`~starlette.middleware.cors.CORSMiddleware`, which decides
everything. Most requests come from scripts and carry none; for those starlette's only
change is ``Vary: Origin`` on the answer (a cache must not serve the answer to a page of
another origin), which this layer adds itself: starlette's header objects, built for
every request, cost the sandbox about a tenth of its time per request.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["PublicCORSMiddleware"]

_VARY = b"vary"
_ORIGIN = b"origin"


class PublicCORSMiddleware:
    """Answers every origin, as JSONPlaceholder does, exposing ``expose_headers`` to pages."""

    def __init__(self, app: ASGIApp, expose_headers: Sequence[str]) -> None:
        self.app = app
        self.browser = CORSMiddleware(
            app, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"],
            expose_headers=list(expose_headers),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or any(
            name == _ORIGIN for name, _ in scope.get("headers", ())
        ):
            await self.browser(scope, receive, send)
            return

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_vary_origin(message.get("headers", ()))
            await send(message)

        await self.app(scope, receive, send_with_vary)


def with_vary_origin(headers: Sequence[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with ``Origin`` added to ``Vary``, the values of several ``Vary``
    headers joined into the first (what starlette sends for a request without ``Origin``).

    >>> with_vary_origin([(b"content-length", b"2")])
    [(b'content-length', b'2'), (b'vary', b'Origin')]
    >>> with_vary_origin([(b"vary", b"Accept"), (b"x", b"1"), (b"vary", b"Cookie")])
    [(b'vary', b'Accept, Cookie, Origin'), (b'x', b'1')]
    """
    out = list(headers)
    found = [index for index, (name, _) in enumerate(out) if name == _VARY]
    if not found:
        out.append((_VARY, b"Origin"))
        return out
    joined = b", ".join([*(out[index][1] for index in found), b"Origin"])
    for index in reversed(found[1:]):
        del out[index]
    out[found[0]] = (_VARY, joined)
    return out
