"""Small HTTP helpers shared by the sandbox's endpoints: JSON responses, errors, bodies."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from starlette.datastructures import URL
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from tether.sandbox._json import dumps

__all__ = [
    "MAX_BODY",
    "NO_BODY_STATUSES",
    "BodyError",
    "JSONBodyError",
    "error",
    "json_response",
    "parse_json",
    "read_body",
    "read_json",
    "url_builder",
]

MAX_BODY = 1_000_000
"""Largest request body accepted (bytes); larger ones get 413."""

_TOO_LARGE = (f"the body is larger than {MAX_BODY:,} bytes, the most the sandbox accepts; "
              "send less, e.g. split the data over several requests")

NO_BODY_STATUSES = frozenset({204, 304})
"""Statuses that must go out without a body or ``Content-Length`` (RFC 9110)."""


def json_response(
    content: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON response; ``content`` that is already ``str`` or ``bytes`` is sent as is."""
    body = content if isinstance(content, str | bytes) else dumps(content)
    return Response(body, status, dict(headers or {}), media_type="application/json")


def error(
    status: int,
    message: str,
    *,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """The sandbox's error body: ``{"error": <reason>, "message": ..., "field": ...}``."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    body: dict[str, Any] = {"error": reason, "message": message}
    if field is not None:
        body["field"] = field
    body.update(extra)
    return json_response(body, status, headers)


class BodyError(Exception):
    """A request body that cannot be used; carries the response to send."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


async def read_body(request: Request) -> bytes:
    """The raw body, refusing more than :data:`MAX_BODY` bytes with 413."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise BodyError(error(413, _TOO_LARGE))
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise BodyError(error(413, _TOO_LARGE))
            chunks.append(chunk)
    except ClientDisconnect:
        raise BodyError(
            error(400, "the client disconnected before sending the whole body", field="body")
        ) from None
    return b"".join(chunks)


class JSONBodyError(ValueError):
    """A body that is not usable JSON; the message says why, for a 400."""


def parse_json(raw: bytes | str) -> Any:
    """Decode a JSON body, refusing what would fail later with a 500 instead of a 400:
    bytes that are not UTF-8, nesting too deep for the decoder, and unpaired UTF-16
    surrogate escapes (``"\\ud800"``), which decode but cannot be stored or sent back."""
    try:
        value = json.loads(raw)
    except UnicodeDecodeError:
        raise JSONBodyError("the request body is not UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        raise JSONBodyError(
            f"malformed JSON body: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise JSONBodyError("the JSON body is nested too deeply") from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise JSONBodyError(
            "the JSON body holds an unpaired surrogate escape such as \\ud800; "
            "send valid Unicode text"
        ) from None
    return value


async def read_json(request: Request) -> tuple[dict[str, Any], bytes]:
    """The body as a JSON object, plus the raw bytes; :class:`BodyError` (400/413/422) if not."""
    raw = await read_body(request)
    if not raw.strip():
        raise BodyError(error(400, "the request body is empty; send a JSON object",
                              field="body"))
    try:
        value = parse_json(raw)
    except JSONBodyError as exc:
        message = str(exc)
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        if message.startswith("malformed") and content_type and "json" not in content_type:
            # The usual cause: a form post (requests' data=) where JSON (json=) was meant.
            message += f"; the body was sent as {content_type[:60]}, send JSON instead"
        raise BodyError(error(400, message, field="body")) from None
    if not isinstance(value, dict):
        raise BodyError(error(422, f"the body must be a JSON object, got {type(value).__name__}",
                              field="body"))
    return value, raw


def url_builder(request: Request) -> Callable[[Mapping[str, str | None]], str]:
    """A function giving the absolute URL of ``request`` with some parameters set
    (``None``: removed), the other parameters kept as sent and in their order."""
    # Prepared on the first call (most lists need no URL at all) and then reused (a page's
    # Link header asks for four); unchanged parameters are copied as the client encoded
    # them instead of re-encoded.
    prepared: list[tuple[str, list[tuple[str, str]]]] = []

    def prepare() -> tuple[str, list[tuple[str, str]]]:
        scope = request.scope
        host = next((value for name, value in scope["headers"] if name == b"host"), None)
        server = scope.get("server")
        base = _base_url(scope.get("scheme", "http"), tuple(server) if server else None,
                         host, scope["path"])
        raw = scope.get("query_string", b"").decode("latin-1")
        # The api_key credential is never echoed: Link headers end up in logs and browser
        # histories, and a client sends its key with every request anyway.
        pieces = [(unquote_plus(p.partition("=")[0]), p) for p in raw.split("&") if p]
        return base, [(key, piece) for key, piece in pieces if key != "api_key"]

    def url_with(updates: Mapping[str, str | None]) -> str:
        if not prepared:
            prepared.append(prepare())
        base, pieces = prepared[0]
        query: list[str] = []
        done: set[str] = set()
        for key, piece in pieces:
            if key in updates:
                new = updates[key]
                if key not in done and new is not None:
                    query.append(f"{quote_plus(key)}={quote_plus(new)}")
                done.add(key)
            else:
                query.append(piece)
        query += [f"{quote_plus(k)}={quote_plus(v)}" for k, v in updates.items()
                  if k not in done and v is not None]
        return f"{base}?{'&'.join(query)}" if query else base

    return url_with


@functools.lru_cache(maxsize=1024)
def _base_url(scheme: str, server: tuple[Any, ...] | None, host: bytes | None, path: str) -> str:
    """``request.url`` without its query, from what starlette builds it of; the same few
    values come back on every request, and parsing them costs more than the page."""
    headers = [] if host is None else [(b"host", host)]
    scope = {"scheme": scheme, "server": server, "path": path, "query_string": b"",
             "headers": headers}
    return str(URL(scope=scope).replace(query=""))
