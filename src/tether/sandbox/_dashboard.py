"""The dashboard: ``/_sandbox/ui``, a page shipped in the package, and
``/_sandbox/events``, the server-sent events that keep it live.

The page is plain HTML, CSS and JavaScript under ``tether/sandbox/ui/`` with hand-drawn
SVG charts: nothing to build, nothing fetched from elsewhere (its Content-Security-Policy
allows its own origin only), so it works offline. Everything it changes goes through the
same admin routes a script would use (``/_sandbox/faults``, ``/_sandbox/limits``,
``/_sandbox/reset``).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from tether.sandbox._admin_guard import UI_PATH
from tether.sandbox._http import error, json_response
from tether.sandbox._json import dumps
from tether.sandbox._openapi import openapi_document
from tether.sandbox._resources import RESOURCES
from tether.sandbox._state import SandboxState

__all__ = [
    "EVENTS_PATH",
    "ROUTES_PATH",
    "UI_PATH",
    "collection_counts",
    "dashboard_routes",
    "example_path",
    "route_list",
    "snapshot",
]

EVENTS_PATH = "/_sandbox/events"
ROUTES_PATH = "/_sandbox/routes"
INTERVAL = 0.5
"""Seconds between two events: twice a second, so a counter never lags a full second."""

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The page may load and call its own origin only: it keeps working offline, and a
mistake that pulled in something from elsewhere would fail in the browser at once."""


def _load_files() -> dict[str, bytes]:
    folder = resources.files("tether.sandbox").joinpath("ui")
    return {
        entry.name: entry.read_bytes()
        for entry in folder.iterdir()
        if entry.is_file() and any(entry.name.endswith(ext) for ext in _TYPES)
    }


def collection_counts(state: SandboxState) -> dict[str, int]:
    """How many items each resource holds now."""
    return {name: state.store.count(name) for name in RESOURCES}


def snapshot(state: SandboxState) -> dict[str, Any]:
    """One event of the stream: everything the page shows.

    ``{"now", "seed", "db", "collections", "stats", "series", "faults", "limits"}``:
    ``stats`` is what ``GET /_sandbox/stats`` answers, ``series`` the last minute second
    by second (:meth:`Metrics.series`), ``faults`` and ``limits`` what their admin routes
    answer.
    """
    return {
        "now": time.time(),
        "seed": state.store.seed,
        "db": state.config.db or ":memory:",
        "collections": collection_counts(state),
        "stats": {**state.stats.snapshot(), **state.disruption.stats(),
                  **state.metrics.summary()},
        "series": state.metrics.series(),
        **state.disruption.describe(),
    }


_EXAMPLES = {"id": "1", "code": "503", "seconds": "1", "name": "index.html"}


def example_path(template: str) -> str:
    """``template`` with an example in each parameter: ``/posts/{id}`` -> ``/posts/1``.

    >>> example_path("/status/{code}")
    '/status/503'
    """
    path = template
    for name, value in _EXAMPLES.items():
        path = path.replace("{" + name + "}", value)
    return path


def route_list(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of an OpenAPI document as ``{"method", "path", "summary",
    "example"}``; ``example`` is a URL path to try, for the GET operations only."""
    out: list[dict[str, Any]] = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            out.append({
                "method": method.upper(),
                "path": path,
                "summary": str(operation.get("summary", "")),
                "example": example_path(path) if method == "get" else None,
            })
    return out


def dashboard_routes(state: SandboxState) -> list[Route]:
    """``GET /_sandbox/ui``, its static files and ``GET /_sandbox/events``."""
    files = _load_files()

    def serve_file(name: str) -> Response:
        body = files.get(name)
        if body is None:
            return error(404, f"the dashboard has no file {name[:60]!r}")
        media_type = next(t for ext, t in _TYPES.items() if name.endswith(ext))
        # no-cache: a newer tether's page is picked up at once, yet revalidation is cheap.
        return Response(body, media_type=media_type, headers={
            "Cache-Control": "no-cache",
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options": "nosniff",
        })

    async def page(request: Request) -> Response:
        """The dashboard page (HTML): live charts, fault rules, limits, data, routes."""
        return serve_file("index.html")

    async def asset(request: Request) -> Response:
        """A static file of the dashboard page (script, style sheet)."""
        return serve_file(request.path_params["name"])

    async def events(request: Request) -> Response:
        """Server-sent events, twice a second, each a JSON snapshot of the sandbox's
        figures; ?once=1 sends one and ends."""
        once = request.query_params.get("once") not in (None, "", "0", "false")

        async def stream() -> AsyncIterator[str]:
            # A dropped stream is retried by EventSource after a second.
            yield "retry: 1000\n\n"
            while True:
                yield f"event: snapshot\ndata: {dumps(snapshot(state))}\n\n"
                if once or state.closing.is_set():
                    return
                await anyio.sleep(INTERVAL)
                if state.closing.is_set():
                    return

        return StreamingResponse(stream(), media_type="text/event-stream", headers={
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # proxies that buffer would stall the page
        })

    async def routes(request: Request) -> Response:
        """Every route of the sandbox with a summary and, for GETs, an example path."""
        base = str(request.base_url).rstrip("/")
        return json_response(route_list(openapi_document(base, request.app.router.routes)))

    return [
        Route(ROUTES_PATH, routes, methods=["GET"]),
        Route(UI_PATH, page, methods=["GET"]),
        Route(UI_PATH + "/{name}", asset, methods=["GET"]),
        Route(EVENTS_PATH, events, methods=["GET"]),
    ]
