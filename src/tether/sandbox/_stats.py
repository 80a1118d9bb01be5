"""Request accounting: counts by method + route template + final status since the last reset.

:class:`StatsMiddleware` is the outermost layer of the sandbox's ASGI stack, so it also
counts requests answered by the layers inside it (rate limiting, fault injection),
connections the sandbox closed without any response (status ``0``), and requests whose
client went away before the answer started (status ``499``, nginx's convention; counted the
moment the connection is lost, so figures read right after a client gave up include it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tether.sandbox._asgi import passes_through
from tether.sandbox._connections import on_disconnect

__all__ = ["CLIENT_CLOSED", "NO_RESPONSE", "UNMATCHED", "Stats", "StatsMiddleware"]

"""Admin requests are not counted, so a test's own ``stats()`` calls don't skew its figures."""
NO_RESPONSE = 0
"""Status recorded when the connection ended before a response started."""
CLIENT_CLOSED = 499
"""Status recorded when the client closed its connection before a response started
(it timed out waiting for a slow answer, for example)."""
UNMATCHED = "(unmatched)"
"""Route template recorded for paths no route matches (keeps the key space bounded)."""
_CACHE_LIMIT = 4096


class Stats:
    """Thread-safe counters; read from test threads while the server thread writes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, dict[int, int]] = {}
        self._since = time.time()
        self._generation = 0

    @property
    def generation(self) -> int:
        """Changes on every :meth:`clear`; a request notes it when it starts."""
        return self._generation

    def record(
        self, method: str, template: str, status: int, generation: int | None = None
    ) -> None:
        """Count one request; one that started before the last clear (``generation``) is
        dropped, so a request still running across a reset never lands in the new counts."""
        key = f"{method} {template}"
        with self._lock:
            if generation is not None and generation != self._generation:
                return
            by_status = self._counts.setdefault(key, {})
            by_status[status] = by_status.get(status, 0) + 1

    def clear(self) -> None:
        """Forget every count (called by reset)."""
        with self._lock:
            self._counts.clear()
            self._since = time.time()
            self._generation += 1

    def snapshot(self) -> dict[str, Any]:
        """``{"since", "total", "by_status", "routes"}``; status keys are strings (JSON)."""
        with self._lock:
            routes = {
                key: {str(status): n for status, n in sorted(counts.items())}
                for key, counts in sorted(self._counts.items())
            }
            since = self._since
        by_status: dict[str, int] = {}
        for counts in routes.values():
            for status, n in counts.items():
                by_status[status] = by_status.get(status, 0) + n
        return {
            "since": since,
            "total": sum(by_status.values()),
            "by_status": dict(sorted(by_status.items())),
            "routes": routes,
        }


class StatsMiddleware:
    """Outermost ASGI layer: records every HTTP request's route template and final status."""

    def __init__(self, app: ASGIApp, stats: Stats, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.stats = stats
        self.routes = routes
        self._templates: dict[tuple[str, str], str] = {}

    def template(self, scope: Scope) -> str:
        """The path template of the route ``scope`` matches (``/posts/{id}``)."""
        key = (scope["method"], scope["path"])
        cached = self._templates.get(key)
        if cached is not None:
            return cached
        found = UNMATCHED
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                found = str(getattr(route, "path", UNMATCHED))
                break
            if match is Match.PARTIAL and found == UNMATCHED:
                found = str(getattr(route, "path", UNMATCHED))
        if len(self._templates) >= _CACHE_LIMIT:
            self._templates.clear()
        self._templates[key] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The same test as the rate-limit and fault layers: "/_sandbox" itself included.
        if passes_through(scope):
            await self.app(scope, receive, send)
            return
        recorded = False
        generation = self.stats.generation

        def note(status: int) -> None:
            nonlocal recorded
            if not recorded:
                recorded = True
                self.stats.record(scope["method"], self.template(scope), status, generation)

        async def send_and_note(message: Message) -> None:
            # Counted before the response leaves, so a client that reads the stats right
            # after its response always finds its request there.
            if message["type"] == "http.response.start":
                note(int(message["status"]))
            await send(message)

        # The server goes on running a request whose client left (uvicorn does not cancel
        # it), so without this the request would be counted when it ends, as whatever the
        # handler answered to nobody.
        unwatch = on_disconnect(scope, lambda: note(CLIENT_CLOSED))
        try:
            await self.app(scope, receive, send_and_note)
        except BaseException:
            # Starlette's error layer outside us turns the exception into a 500.
            note(500)
            raise
        finally:
            unwatch()
            note(NO_RESPONSE)
