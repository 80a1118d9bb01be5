"""``create_app``: the sandbox's starlette application and its ASGI stack."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from tether.sandbox._config import SandboxConfig
from tether.sandbox._endpoints import other_routes
from tether.sandbox._http import error
from tether.sandbox._routes import resource_routes
from tether.sandbox._state import SandboxState
from tether.sandbox._stats import StatsMiddleware

__all__ = ["create_app", "sandbox_state"]


async def _http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        return error(500, "internal error")
    message = {404: f"no route for {request.url.path[:100]!r}",
               405: f"{request.method} is not allowed on {request.url.path[:100]!r}"}
    return error(exc.status_code, message.get(exc.status_code, str(exc.detail)),
                 headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    return error(500, f"internal error: {type(exc).__name__}")


def _layers(
    config: SandboxConfig, state: SandboxState, routes: list[BaseRoute]
) -> list[Middleware]:
    """The middleware stack, outermost first: stats accounting, then (issue 3) rate limiting
    and fault injection, then the router. Stats must stay first so it sees every answer."""
    return [
        Middleware(StatsMiddleware, stats=state.stats, routes=routes),
        *state.disruption.middleware(),
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
    # The fault and limit admin routes come first: "/{resource}/{id}" would match them too.
    routes: list[BaseRoute] = [
        *state.disruption.routes(),
        *other_routes(state),
        *resource_routes(state),
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
