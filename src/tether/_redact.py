"""Redaction of secrets in URLs, headers and bodies.

Every repr, log line and exception message that shows a URL or headers goes through
these functions, so an API key typed into a query string or a header never reaches a log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import httpx2

__all__ = [
    "REDACTED",
    "add_sensitive_names",
    "is_sensitive_header",
    "is_sensitive_param",
    "mask_request",
    "redact_data",
    "redact_headers",
    "redact_text",
    "redact_url",
]

REDACTED = "[REDACTED]"

_SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "apikey",
        "x-auth-token",
        "x-access-token",
        "x-csrf-token",
        "x-amz-security-token",
    }
)
# Header and parameter names are matched loosely because APIs invent their own
# spellings (X-Goog-Api-Key, private_token, client_secret ...).
_SENSITIVE_WORDS = re.compile(
    r"(api[-_]?key|token|secret|passw(or)?d|signature|^sig$|^key$|credential|session|jwt"
    r"|^auth$)",
    re.IGNORECASE,
)
# Token-like values inside free text: bearer tokens, key=value pairs, JSON string fields.
_TEXT_PATTERNS = (
    # The words prose puts after "Bearer" / "Basic" ("send a Bearer token") are not
    # credentials; anything else there is taken for one.
    re.compile(
        r"(?i)(bearer|basic)\s+(?!(?:tokens?|credentials?|auth|authentication|scheme|realm|"
        r"header|or|and|to|is)\b)[A-Za-z0-9._~+/=-]+"
    ),
    # "Authorization: abc123" quoted in an error body or a debug dump.
    # A cookie header holds several pairs: all of the line goes.
    re.compile(
        r"(?i)\b((?:proxy-)?authorization|x-api-key|api-key|x-auth-token|x-access-token)"
        r"(\s*:\s*(?:(?:bearer|basic|token)\s+)?)"
        r"(?!\[REDACTED\]|(?:bearer|basic|token)\s)[^\s,;\"]+"
        r"|\b((?:set-)?cookie)(\s*:\s*)[^\r\n\"]+"
    ),
    re.compile(
        r"(?i)(\"?(?:access_token|refresh_token|id_token|client_secret|password|api_key|apikey|token|secret)\"?\s*[:=]\s*\"?)([^\"&\s,}]+)"
    ),
)


# Names registered at run time by auth objects whose header or parameter name does not
# look like a credential (``APIKeyAuth(key, name="appid", location="query")``). Sets only
# grow: redacting one name too many is harmless, missing one is a leak.
_EXTRA_HEADERS: set[str] = set()
_EXTRA_PARAMS: set[str] = set()


def add_sensitive_names(*, headers: Iterable[str] = (), params: Iterable[str] = ()) -> None:
    """Treat these header / query parameter names as credentials from now on, process-wide."""
    _EXTRA_HEADERS.update(name.lower() for name in headers)
    _EXTRA_PARAMS.update(name.lower() for name in params)


def is_sensitive_header(name: str) -> bool:
    """True when a header of this name may carry a credential."""
    lowered = name.lower()
    return (
        lowered in _SENSITIVE_HEADERS
        or lowered in _EXTRA_HEADERS
        or bool(_SENSITIVE_WORDS.search(lowered))
    )


def is_sensitive_param(name: str) -> bool:
    """True when a query parameter of this name may carry a credential."""
    return name.lower() in _EXTRA_PARAMS or bool(_SENSITIVE_WORDS.search(name))


def redact_url(url: httpx2.URL | str) -> str:
    """Return ``url`` as text with the password and credential-like query values hidden.

    >>> redact_url("https://me:pw@api.example/x?api_key=abc&page=2")
    'https://me:[REDACTED]@api.example/x?api_key=[REDACTED]&page=2'
    """
    try:
        parsed = url if isinstance(url, httpx2.URL) else httpx2.URL(url)
    except Exception:
        return redact_text(str(url))
    if parsed.password:
        parsed = parsed.copy_with(username=parsed.username, password=REDACTED)
    elif parsed.username:
        # A user name alone is how many APIs take a token (https://<token>@host).
        parsed = parsed.copy_with(username=REDACTED)
    if "=" in parsed.fragment:
        # OAuth's implicit flow returns the token in the fragment (#access_token=...).
        parsed = parsed.copy_with(fragment=_redact_pairs(parsed.fragment))
    if parsed.query:
        params = [
            (key, REDACTED if is_sensitive_param(key) else value)
            for key, value in parsed.params.multi_items()
        ]
        if any(value == REDACTED for _, value in params):
            parsed = parsed.copy_with(params=params)
    text = str(parsed)
    # httpx2 percent-encodes the brackets; show the marker as people would type it.
    return text.replace("%5BREDACTED%5D", REDACTED)


def _redact_pairs(text: str) -> str:
    """``a=1&token=x`` with the values of credential-like names hidden."""
    pairs = []
    for pair in text.split("&"):
        name, equals, _ = pair.partition("=")
        pairs.append(f"{name}={REDACTED}" if equals and is_sensitive_param(name) else pair)
    return "&".join(pairs)


def redact_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | httpx2.Headers,
) -> dict[str, str]:
    """Return a plain dict of ``headers`` with credential-carrying values hidden."""
    items: Iterable[tuple[str, str]]
    if isinstance(headers, httpx2.Headers):
        items = headers.multi_items()
    elif isinstance(headers, Mapping):
        items = headers.items()
    else:
        items = headers
    return {
        name: (REDACTED if is_sensitive_header(name) else value) for name, value in items
    }


def redact_data(value: Any) -> Any:
    """A copy of decoded JSON with the values of credential-like fields hidden.

    >>> redact_data({"error": "bad", "access_token": "abc", "items": [{"password": "p"}]})
    {'error': 'bad', 'access_token': '[REDACTED]', 'items': [{'password': '[REDACTED]'}]}
    """
    if isinstance(value, dict):
        return {
            key: REDACTED
            if isinstance(key, str) and is_sensitive_param(key)
            else redact_data(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_data(item) for item in value]
    return value


def redact_text(text: str) -> str:
    """Hide bearer/basic credentials, ``Authorization: ...``-style header lines and
    ``token=...``-style values inside free text."""
    text = _TEXT_PATTERNS[0].sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _TEXT_PATTERNS[1].sub(_header_line, text)
    return _TEXT_PATTERNS[2].sub(lambda m: f"{m.group(1)}{REDACTED}", text)


def _header_line(match: re.Match[str]) -> str:
    name, separator = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
    return f"{name}{separator}{REDACTED}"


class _MaskedHeaders(httpx2.Headers):
    """``httpx2.Headers`` whose repr hides every credential-carrying value, including
    header names registered through :func:`add_sensitive_names` (httpx2 hides only
    ``Authorization`` and ``Proxy-Authorization``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Headers({redact_headers(self)!r})"


class _MaskedRequest(httpx2.Request):
    """``httpx2.Request`` whose repr shows its URL with credentials hidden."""

    def __repr__(self) -> str:
        return f"<Request({self.method!r}, {redact_url(self.url)!r})>"


def mask_request(request: httpx2.Request) -> None:
    """Make ``request``'s repr, and its headers' repr, hide credentials, in place.

    Users log ``error.request`` and ``response.request`` routinely; swapping the class
    changes only the reprs (same object, same data, still an ``httpx2.Request``) and costs
    two assignments, where a redacted copy would cost a rebuild per request.
    """
    if type(request) is httpx2.Request:
        request.__class__ = _MaskedRequest
    headers = request.headers
    if type(headers) is httpx2.Headers:
        headers.__class__ = _MaskedHeaders
