"""``create_app``: the sandbox's starlette application and its ASGI stack."""

from __future__ import annotations

import difflib

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from tether.sandbox._admin_guard import AdminGuard
from tether.sandbox._asgi import RequestSizeMiddleware, TrailingSlashMiddleware
from tether.sandbox._config import SandboxConfig
from tether.sandbox._cors import PublicCORSMiddleware
from tether.sandbox._dashboard import dashboard_routes
from tether.sandbox._endpoints import other_routes
from tether.sandbox._http import error
from tether.sandbox._metrics import MetricsMiddleware
from tether.sandbox._resources import RESOURCES
from tether.sandbox._response_cache import ResponseCacheMiddleware
from tether.sandbox._routes import resource_routes
from tether.sandbox._state import SandboxState
from tether.sandbox._stats import StatsMiddleware

__all__ = ["EXPOSED_HEADERS", "create_app", "sandbox_state"]

EXPOSED_HEADERS = (
    "Link",
    "X-Total-Count",
    "Location",
    "Retry-After",
    "WWW-Authenticate",
    "X-Authenticated-By",
    "Idempotent-Replayed",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Used",
    "X-RateLimit-Reset",
    "X-RateLimit-Resource",
    "RateLimit-Policy",
    "RateLimit",
)
"""Response headers a browser page may read (CORS), besides the always-readable ones:
pagination, rate limits and what the sandbox adds. JSONPlaceholder answers every origin
too, so front-end tutorials work against the sandbox unchanged."""


async def _http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        return error(500, "internal error")
    message = {404: f"no route for {request.url.path[:100]!r}{_suggestion(request.url.path)}",
               405: f"{request.method} is not allowed on {request.url.path[:100]!r}"}
    return error(exc.status_code, message.get(exc.status_code, str(exc.detail)),
                 headers=exc.headers)


def _suggestion(path: str) -> str:
    """``; did you mean /posts?`` for ``/post/1`` or ``/Posts``: the first segment close
    to a resource name, the usual slip in a tutorial's URL."""
    first, _, rest = path.strip("/").partition("/")
    close = difflib.get_close_matches(first.lower(), RESOURCES, n=1, cutoff=0.7)
    if not close or close[0] == first:
        return ""
    return f"; did you mean {'/'.join(['', close[0], rest]).rstrip('/')!r}?"


async def _unexpected(request: Request, exc: Exception) -> Response:
    return error(500, f"internal error: {type(exc).__name__}")


def _layers(
    config: SandboxConfig, state: SandboxState, routes: list[BaseRoute]
) -> list[Middleware]:
    """The middleware stack, outermost first: one canonical path (``/posts/`` is
    ``/posts``), stats and dashboard accounting, size limits on the query and headers,
    CORS, who may use the admin routes, rate limiting and fault injection, the cache of
    repeated reads, then the router.
    Stats come before everything that answers so they see every answer; CORS preflights
    are answered before the limiter and the faults, as a gateway would, so a browser
    meets the faults on its real requests."""
    return [
        Middleware(TrailingSlashMiddleware),
        Middleware(StatsMiddleware, stats=state.stats, routes=routes),
        Middleware(MetricsMiddleware, metrics=state.metrics),
        Middleware(RequestSizeMiddleware),
        Middleware(PublicCORSMiddleware, expose_headers=EXPOSED_HEADERS),
        # Inside CORS, so a page on another origin can read why it was refused.
        Middleware(AdminGuard, token=config.admin_token),
        *state.disruption.middleware(),
        # Innermost: limits and faults act on every request, hits only skip the handler.
        Middleware(ResponseCacheMiddleware, cache=state.responses, store=state.store,
                   resources=RESOURCES),
    ]


def create_app(
    config: SandboxConfig | None = None, *, state: SandboxState | None = None
) -> Starlette:
    """The sandbox as a starlette application; its state is ``app.state.sandbox``.

    >>> app = create_app(SandboxConfig(seed=3))
    >>> sandbox_state(app).config.seed
    3
    """
    config = config or SandboxConfig()
    state = state or SandboxState(config)
    # No two routes match the same path, so their order only decides how soon the router
    # finds one: the resources, which take nearly all the traffic, come first.
    routes: list[BaseRoute] = [
        *resource_routes(state),
        *state.disruption.routes(),
        *dashboard_routes(state),
        *other_routes(state),
    ]
    app = Starlette(
        routes=routes,
        middleware=_layers(config, state, routes),
        exception_handlers={HTTPException: _http_error, Exception: _unexpected},
    )
    app.state.sandbox = state
    return app


def sandbox_state(app: Starlette) -> SandboxState:
    """The :class:`SandboxState` of an app made by :func:`create_app`."""
    state = app.state.sandbox
    if not isinstance(state, SandboxState):
        raise TypeError("this application was not made by tether.sandbox.create_app")
    return state
