"""tether's exceptions.

Status errors subclass :class:`httpx2.HTTPStatusError`, so code written for httpx2
(``except httpx2.HTTPStatusError``) keeps catching them, and they add what a person needs
to act: the method, the URL with secrets hidden, a short body excerpt, the parsed JSON
error body and the server's request id.

Example::

    try:
        client.get("/posts/999")
    except tether.NotFound as exc:
        print(exc.status_code, exc.request_id, exc.body)
"""

from __future__ import annotations

import html as html_lib
import json
import re
import time
from typing import Any

import httpx2

from tether._headers import parse_retry_after
from tether._redact import redact_data, redact_text, redact_url
from tether._transports._base import ATTEMPTS_EXTENSION, Attempt, describe_history

__all__ = [
    "APIError",
    "BadRequest",
    "ClientError",
    "ConfigurationError",
    "ConfigurationTypeError",
    "Conflict",
    "Forbidden",
    "MissingCredentialError",
    "NotFound",
    "RateLimited",
    "ResponseValidationError",
    "ServerError",
    "TetherError",
    "TokenError",
    "Unauthorized",
    "UnprocessableEntity",
    "error_for_response",
]

EXCERPT_CHARS = 200
"""How much of a response body an error message quotes."""

_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-correlation-id")


class TetherError(Exception):
    """Base class of every exception tether raises itself."""


class ConfigurationError(TetherError, ValueError):
    """An argument given to tether is invalid; the message says which and what to do."""


class ConfigurationTypeError(ConfigurationError, TypeError):
    """A :class:`tether.ConfigurationError` for an argument of the wrong type (a number
    where a rate goes, a string where a retry policy goes ...).

    Python and httpx2 raise :class:`TypeError` for these, so this is one too: ``except
    TypeError`` written for them still works. Catch ``tether.ConfigurationError``.
    """


class MissingCredentialError(ConfigurationError, LookupError):
    """An environment variable that should hold a credential is not set (or is empty)."""

    def __init__(self, variable: str, needed_by: str) -> None:
        self.variable = variable
        super().__init__(
            f"environment variable {variable} is not set or is empty, but {needed_by} "
            f"needs it; set it (for example `export {variable}=...`) or pass the value "
            "directly"
        )


class TokenError(TetherError):
    """A token endpoint answered with something that is not a usable access token."""


def excerpt(content: bytes, limit: int = EXCERPT_CHARS) -> str:
    """The first ``limit`` characters of ``content`` as text, credentials hidden."""
    text = content[: limit * 4].decode("utf-8", errors="replace")
    if len(text) > limit:
        text = text[:limit] + "..."
    return redact_text(text)


class APIError(TetherError, httpx2.HTTPStatusError):
    """The server answered with an error status (4xx or 5xx).

    Subclasses :class:`httpx2.HTTPStatusError`; ``.request`` and ``.response`` are the
    original objects. The message and every attribute below have secrets redacted.
    """

    method: str
    """The request method."""
    url: str
    """The request URL with credentials hidden."""
    status_code: int
    """The response status."""
    body_excerpt: str
    """The first characters of the response body, credentials hidden."""
    body: Any
    """The response body parsed as JSON, or ``None`` when it is not JSON; the values of
    credential-like fields (``access_token``, ``password`` ...) hidden, as everywhere an
    error shows the body (``error.response`` keeps the raw one)."""
    request_id: str | None
    """The server's request id (``x-request-id``, ``request-id`` ...), when it sent one."""
    attempts: tuple[Attempt, ...]
    """The call's attempt history, this response's attempt last (empty when the response
    did not come through tether's retry layer); as ``tether.attempts_of(error)``."""

    def __init__(self, response: httpx2.Response) -> None:
        request = response.request
        self.method = request.method
        self.url = redact_url(request.url)
        self.status_code = response.status_code
        content = _content_or_empty(response)
        self.body_excerpt = excerpt(content)
        self.body = redact_data(_json_or_none(content))
        self.request_id = _request_id(response.headers)
        history = response.extensions.get(ATTEMPTS_EXTENSION, ())
        self.attempts = history if isinstance(history, tuple) else ()
        super().__init__(self._message(response), request=request, response=response)

    def _message(self, response: httpx2.Response) -> str:
        text = f"{self.status_code} {response.reason_phrase} for {self.method} {self.url}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        detail = self._detail()
        if detail:
            text += f"; {detail}"
        page = _html_summary(response)
        if page:
            text += f"; body: {page}"
        elif self.body_excerpt:
            text += f"; body: {self.body_excerpt}"
        return text

    def _detail(self) -> str:
        return ""


class ClientError(APIError):
    """A 4xx status: the request needs changing before it can succeed."""


class BadRequest(ClientError):  # noqa: N818 (named after the status)
    """400: the server could not understand the request."""


class Unauthorized(ClientError):  # noqa: N818 (named after the status)
    """401: credentials are missing or wrong."""


class Forbidden(ClientError):  # noqa: N818 (named after the status)
    """403: the credentials are valid but not allowed to do this."""


class NotFound(ClientError):  # noqa: N818 (named after the status)
    """404: there is nothing at this URL."""


class Conflict(ClientError):  # noqa: N818 (named after the status)
    """409: the request conflicts with the resource's current state."""


class UnprocessableEntity(ClientError):  # noqa: N818 (named after the status)
    """422: the body was understood but failed validation; see ``.body`` for details."""


class RateLimited(ClientError):  # noqa: N818 (named after the status)
    """429: too many requests; ``retry_after`` says how long the server asks to wait."""

    retry_after: float | None
    """Seconds from the ``Retry-After`` header (delay or HTTP-date), ``None`` if absent."""

    def __init__(self, response: httpx2.Response) -> None:
        header = response.headers.get("retry-after")
        self.retry_after = None if header is None else parse_retry_after(header, now=time.time())
        super().__init__(response)

    def _detail(self) -> str:
        if self.retry_after is None:
            return ""
        return f"retry after {self.retry_after:g}s"


class ServerError(APIError):
    """A 5xx status: the server failed; the same request may succeed later."""


class ResponseValidationError(TetherError, ValueError):
    """A successful response's data does not fit the model a :class:`tether.Resource`
    expects: names the resource, the item's id, the field and the value it had.

    ``response`` is the raw response, unchanged; ``errors`` every problem pydantic found
    (the message names the first). Values of credential-like fields are hidden.

    Example::

        try:
            api.posts.get(7)
        except tether.ResponseValidationError as error:
            print(error.resource, error.id, error.field, error.value)
    """

    resource: str
    """The resource's name, such as ``"posts"``."""
    id: int | str | None
    """The item's id (the one asked for, or the item's own in a list), when known."""
    field: str
    """The first field that did not fit, dotted for nested ones (``"address.geo.lat"``);
    empty when the body as a whole was wrong (a list where an object was expected)."""
    value: Any
    """What that field held (``None`` when it was missing: see ``problem``)."""
    problem: str
    """What was wrong with it, in pydantic's words (``"Field required"``)."""
    errors: list[dict[str, Any]]
    """Every problem, as pydantic's ``ValidationError.errors()``."""
    response: httpx2.Response
    """The response the data came in, as received."""

    def __init__(
        self,
        message: str,
        *,
        resource: str,
        id: int | str | None,
        field: str,
        value: Any,
        problem: str,
        errors: list[dict[str, Any]],
        response: httpx2.Response,
    ) -> None:
        super().__init__(message)
        self.resource = resource
        self.id = id
        self.field = field
        self.value = value
        self.problem = problem
        self.errors = errors
        self.response = response


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: UnprocessableEntity,
    429: RateLimited,
}


def error_for_response(response: httpx2.Response) -> APIError:
    """The typed error for a 4xx/5xx ``response`` (the caller raises it).

    >>> error_for_response(response)   # doctest: +SKIP
    NotFound('404 Not Found for GET http://127.0.0.1:8000/posts/999; body: {}')
    """
    status = response.status_code
    cls = _BY_STATUS.get(status)
    if cls is None:
        if 400 <= status < 500:
            cls = ClientError
        elif 500 <= status < 600:
            cls = ServerError
        else:
            raise ValueError(f"status {status} is not an error status (expected 4xx or 5xx)")
    error = cls(response)
    history = response.extensions.get(ATTEMPTS_EXTENSION)
    if isinstance(history, tuple) and len(history) > 1:
        # The message names the last response only; the traceback then shows the others.
        error.add_note(describe_history(history))
    return error


_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _html_summary(response: httpx2.Response) -> str:
    """An HTML error page (a proxy's, a framework's) in a few words: its title, or the
    first line of its text; empty for anything else. The page stays on ``.response``."""
    content = _content_or_empty(response)
    head = content[:512].lstrip().lower()
    html = "html" in response.headers.get("content-type", "").lower()
    if not (html or head.startswith((b"<!doctype html", b"<html"))):
        return ""
    match = _TITLE.search(content[:65536])
    if match:
        words = match.group(1).decode("utf-8", errors="replace")
    else:
        text = _TAG.sub(" ", content[:65536].decode("utf-8", errors="replace"))
        words = next((line for line in text.splitlines() if line.strip()), "")
    words = html_lib.unescape(" ".join(words.split()))
    if len(words) > 80:
        words = words[:77] + "..."
    shown = f"an HTML page titled {redact_text(words)!r}" if match else "an HTML page"
    if not match and words:
        shown += f" starting {redact_text(words)!r}"
    return f"{shown} ({len(content)} bytes; the whole page is in .response.text)"


def _content_or_empty(response: httpx2.Response) -> bytes:
    try:
        return response.content
    except httpx2.ResponseNotRead:
        return b""


_MAX_PARSED_BODY = 1 << 20
"""Error bodies larger than this (1 MiB) are quoted but not parsed."""


def _json_or_none(content: bytes) -> Any:
    if len(content) > _MAX_PARSED_BODY or not content.strip():
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None


def _request_id(headers: httpx2.Headers) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None
