"""Safe JSON decoding of response bodies.

A proxy's HTML error page, an empty 204 or a truncated body should not surface as a bare
``json.JSONDecodeError: Expecting value: line 1 column 1 (char 0)`` from deep inside the
standard library. :func:`parse_json` (and ``.json()`` on every response of a tether client)
raises :class:`JSONDecodeError` instead, which says what came back.

Example::

    try:
        data = tether.parse_json(response, require_json_content_type=True)
    except tether.JSONDecodeError as exc:
        print(exc.content_type, exc.excerpt)
"""

from __future__ import annotations

import json
from typing import Any, TypeVar, overload

import httpx2
import orjson
from pydantic import BaseModel

from tether._errors import ConfigurationError, TetherError, excerpt
from tether._redact import redact_url
from tether._validation import check_model, validate_model

__all__ = ["JSONDecodeError", "decode", "is_json_content_type", "parse_json"]

M = TypeVar("M", bound=BaseModel)

# orjson reads an integer beyond 64 bits as a float, losing digits: a body with a run of
# 19 digits anywhere (inside a string too; then the standard library is merely slower)
# is left to json.loads, which keeps such integers exact. Mapping digits to "0" and the
# rest to " " and searching the copy is several times faster than a regular expression.
_DIGITS_AS_ZEROS = bytes(b"0"[0] if b"0"[0] <= i <= b"9"[0] else b" "[0] for i in range(256))
_LONG_NUMBER = b"0" * 19


def decode(content: bytes, **loads_kwargs: Any) -> Any:
    """``json.loads(content, **loads_kwargs)``, with the same results and errors, faster.

    orjson is several times faster on the usual UTF-8 body. What it refuses (NaN,
    Infinity, a byte-order mark, UTF-16, lone surrogates, bad UTF-8) and any call with
    ``loads_kwargs`` go to the standard library.
    """
    if not loads_kwargs and _LONG_NUMBER not in content.translate(_DIGITS_AS_ZEROS):
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            pass
    return json.loads(content, **loads_kwargs)


class JSONDecodeError(TetherError, json.JSONDecodeError):
    """A response body is not the JSON the caller expected.

    Subclasses :class:`json.JSONDecodeError` (hence ``ValueError``), so existing
    ``except json.JSONDecodeError`` / ``except ValueError`` clauses keep working.
    """

    content_type: str | None
    """The response's ``Content-Type``, or ``None`` when it sent none."""
    excerpt: str
    """The first characters of the body, credentials hidden."""
    status_code: int
    """The response status."""

    def __init__(
        self,
        reason: str,
        *,
        response: httpx2.Response,
        pos: int = 0,
    ) -> None:
        self.content_type = response.headers.get("content-type")
        self.excerpt = excerpt(response.content)
        self.status_code = response.status_code
        where = ""
        try:
            request = response.request
        except RuntimeError:
            pass  # a response built by hand has no request
        else:
            where = f" from {request.method} {redact_url(request.url)}"
        body = f"body starts with {self.excerpt!r}" if self.excerpt else "the body is empty"
        message = (
            f"{reason}: status {self.status_code}{where}, "
            f"content type {self.content_type or '(none)'}, {body}"
        )
        # The document itself is not kept: it may hold credentials.
        json.JSONDecodeError.__init__(self, message, "", pos)
        # JSONDecodeError formats line/column into the message; keep ours as it is.
        self.args = (message,)
        self.msg = message

    def __str__(self) -> str:
        return self.msg


def is_json_content_type(content_type: str | None) -> bool:
    """True for ``application/json`` and every ``+json`` type (problem+json, vnd.x+json)."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


@overload
def parse_json(
    response: httpx2.Response,
    *,
    require_json_content_type: bool = False,
    model: type[M],
    **loads_kwargs: Any,
) -> M: ...
@overload
def parse_json(
    response: httpx2.Response,
    *,
    require_json_content_type: bool = False,
    model: None = None,
    **loads_kwargs: Any,
) -> Any: ...


def parse_json(
    response: httpx2.Response,
    *,
    require_json_content_type: bool = False,
    model: type[M] | None = None,
    **loads_kwargs: Any,
) -> Any:
    """Decode ``response``'s body as JSON or raise :class:`JSONDecodeError` saying why.

    Works on any :class:`httpx2.Response`. With ``require_json_content_type=True`` a body
    whose ``Content-Type`` is not JSON is refused even when it happens to parse, which
    catches an HTML error page served with status 200. With ``model`` (a pydantic model
    class) the data is validated into it; :class:`tether.ResponseValidationError` names
    the field that does not fit.

    Example::

        post = tether.parse_json(response, model=Post)
    """
    if model is not None:
        check_model(model, "parse_json(model=...)")
        data = parse_json(
            response, require_json_content_type=require_json_content_type, **loads_kwargs
        )
        return validate_model(model, data, response, resource=_resource_of(response))
    if not isinstance(response, httpx2.Response):
        raise ConfigurationError(
            f"parse_json() takes an httpx2.Response (such as client.get(...)'s result), got "
            f"{type(response).__name__}"
        )
    if require_json_content_type and not is_json_content_type(response.headers.get("content-type")):
        raise JSONDecodeError("expected a JSON content type", response=response)
    content = response.content
    if not content.strip():
        raise JSONDecodeError("expected a JSON body, got none", response=response)
    try:
        return decode(content, **loads_kwargs)
    except UnicodeDecodeError:
        raise JSONDecodeError("the body is not valid UTF-8 JSON", response=response) from None
    except json.JSONDecodeError as exc:
        raise JSONDecodeError(
            # Some of json's messages end in "at" already ("Unterminated string starting at").
            f"the body is not valid JSON ({exc.msg.removesuffix(' at')} at char {exc.pos})",
            response=response,
            pos=exc.pos,
        ) from None


def _resource_of(response: httpx2.Response) -> str:
    """How a validation error names what was asked for: the URL's path (``posts/1``)."""
    try:
        return response.request.url.path.strip("/") or "/"
    except RuntimeError:
        return "the response"
