"""Non-resource routes: auth (``/profile``, ``/oauth/token``), teaching utilities
(``/status/{code}``, ``/delay/{seconds}``) and admin (``/_sandbox/health|reset|stats``)."""

from __future__ import annotations

import math
from http import HTTPStatus
from urllib.parse import parse_qsl

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tether.sandbox._auth import CHALLENGE, authenticate, basic_credentials
from tether.sandbox._http import (
    NO_BODY_STATUSES,
    BodyError,
    JSONBodyError,
    error,
    json_response,
    parse_json,
    read_body,
)
from tether.sandbox._json import dumps
from tether.sandbox._openapi import openapi_document
from tether.sandbox._query import integer_text
from tether.sandbox._resources import RESOURCES
from tether.sandbox._state import SandboxState

__all__ = ["other_routes"]

_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _clip(raw: str) -> str:
    """``raw`` quoted for an error message, cut short when a client sent something huge."""
    return repr(raw) if len(raw) <= 40 else f"{raw[:40]!r}..."


def _challenge(message: str, bearer_error: str = "") -> Response:
    challenge = CHALLENGE
    if bearer_error:
        challenge = challenge.replace('Bearer realm="tether-sandbox"',
                                      f'Bearer realm="tether-sandbox", error="{bearer_error}"')
    return error(401, message, headers={"WWW-Authenticate": challenge})


def _oauth_error(status: int, code: str, description: str) -> Response:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="tether-sandbox"'
    return json_response({"error": code, "error_description": description}, status, headers)


def other_routes(state: SandboxState) -> list[Route]:
    """The routes outside the six resources, bound to ``state``."""

    async def profile(request: Request) -> Response:
        result = authenticate(
            request.headers,
            state.config,
            state.tokens,
            state.clock(),
            request.query_params.get("api_key"),
        )
        if result.scheme is None:
            return _challenge(result.error, result.bearer_error)
        user = state.store.get_raw("users", 1)
        if user is None:
            return error(404, "the sandbox's user 1 was deleted; reset the sandbox")
        return json_response(user, headers={"X-Authenticated-By": result.scheme})

    async def token(request: Request) -> Response:
        try:
            raw = await read_body(request)
        except BodyError as exc:
            return exc.response
        form: dict[str, str] = {}
        text = raw.decode("utf-8", "replace")
        if "json" in request.headers.get("content-type", ""):
            try:
                loaded = parse_json(raw)
            except JSONBodyError as exc:
                return _oauth_error(400, "invalid_request", str(exc))
            if isinstance(loaded, dict):
                form = {str(k): str(v) for k, v in loaded.items()}
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
        grant = form.get("grant_type")
        if not grant:
            return _oauth_error(400, "invalid_request",
                                "grant_type is required (use client_credentials), "
                                "form-encoded in the body")
        if grant != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type",
                                f"grant_type {grant[:40]!r} is not supported; "
                                "use client_credentials")
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        pair = basic_credentials(request.headers.get("authorization", ""))
        if pair is not None:
            client_id, client_secret = pair
        if client_id != state.config.client_id or client_secret != state.config.client_secret:
            return _oauth_error(401, "invalid_client", "unknown client_id or wrong client_secret")
        ttl = state.config.token_ttl
        access_token = state.tokens.issue(state.clock(), ttl)
        expires_in: float = int(ttl) if float(ttl).is_integer() else ttl
        return json_response(
            {"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in},
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    async def status(request: Request) -> Response:
        raw = integer_text(request.path_params["code"])
        if not (raw.isascii() and raw.isdigit() and len(raw) == 3 and 200 <= int(raw) <= 599):
            return error(400, f"status code must be an integer from 200 to 599, got {raw[:20]!r}",
                         field="code")
        code = int(raw)
        headers: dict[str, str] = {}
        retry_after = request.query_params.get("retry_after")
        if retry_after is not None:
            retry_after = integer_text(retry_after)
            if not (retry_after.isascii() and retry_after.isdigit() and len(retry_after) < 8):
                return error(400, "retry_after must be a whole number of seconds from 0 to "
                             f"9999999, such as 2, got {_clip(retry_after)}",
                             field="retry_after")
            headers["Retry-After"] = retry_after
        if code == 401:
            headers["WWW-Authenticate"] = CHALLENGE
        if code in NO_BODY_STATUSES:
            return Response(status_code=code, headers=headers)
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Unknown Status"
        return json_response({"status": code, "message": phrase}, code, headers)

    async def delay(request: Request) -> Response:
        raw = request.path_params["seconds"]
        try:
            seconds = float(raw)
        except ValueError:
            seconds = math.nan
        limit = state.config.max_delay
        if not (math.isfinite(seconds) and 0 <= seconds <= limit):
            return error(400, f"delay must be a number of seconds from 0 to {limit:g}, "
                              f"got {raw[:20]!r}", field="seconds")
        await anyio.sleep(seconds)
        return json_response({"delay": seconds})

    async def health(request: Request) -> Response:
        return json_response(
            {"status": "ok", "seed": state.store.seed, "db": state.config.db or ":memory:",
             "collections": {name: state.store.count(name) for name in RESOURCES}}
        )

    async def reset(request: Request) -> Response:
        raw = request.query_params.get("seed")
        seed = None
        if raw is not None:
            raw = integer_text(raw)
            if not (raw.isascii() and raw.lstrip("-").isdigit() and len(raw) <= 19):
                return error(400, f"seed must be an integer of at most 19 digits, got "
                             f"{_clip(raw)}", field="seed")
            seed = int(raw)
        state.reset(seed)
        return json_response({"status": "reset", "seed": state.store.seed})

    async def stats(request: Request) -> Response:
        return json_response({**state.stats.snapshot(), **state.disruption.stats(),
                              **state.metrics.summary()})

    async def index(request: Request) -> Response:
        # What a first visit to the base URL should show: where everything is.
        base = str(request.base_url).rstrip("/")
        return json_response({
            "name": "tether sandbox",
            "resources": {name: f"{base}/{name}" for name in RESOURCES},
            "openapi": f"{base}/openapi.json",
            "health": f"{base}/_sandbox/health",
            "dashboard": f"{base}/_sandbox/ui",
        })

    documents: dict[str, str] = {}

    async def openapi(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        if base not in documents:
            documents.clear()
            documents[base] = dumps(openapi_document(base, request.app.router.routes,
                                                     max_delay=state.config.max_delay))
        return json_response(documents[base])

    return [
        Route("/", index, methods=["GET"]),
        Route("/profile", profile, methods=["GET"]),
        Route("/oauth/token", token, methods=["POST"]),
        Route("/status/{code}", status, methods=_ALL_METHODS),
        Route("/delay/{seconds}", delay, methods=["GET"]),
        Route("/_sandbox/health", health, methods=["GET"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/stats", stats, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
