"""Everything tether takes from httpx2 beyond its public API, in one place.

httpx2 exports its clients, models and transports, but not the type aliases of its
arguments, the type of ``USE_CLIENT_DEFAULT``, nor hooks for what a client does with a
redirect's headers or an ``auth`` argument. tether needs those to be a drop-in subclass:

* the **argument types** (``QueryParamTypes`` ...), so tether's signatures read as
  httpx2's do;
* ``UseClientDefault``, the type of the public :data:`httpx2.USE_CLIENT_DEFAULT`;
* ``DEFAULT_MAX_REDIRECTS``, so ``max_redirects`` defaults to what httpx2's does;
* the client methods tether overrides, ``_build_auth`` (every ``auth`` passes through it)
  and ``_redirect_headers`` (the headers a redirect keeps), and the attributes it reads or
  replaces: ``_transport`` and ``_mounts`` (keyed by ``URLPattern``), which httpx2 builds
  from many arguments and tether wraps in its layers; ``_timeout``, behind the ``timeout``
  property tether checks; ``_default_encoding``, which ``with_options`` copies and the
  direct send path sets on responses;
* a response's read body (``_content``, with its byte count): :func:`preload` hands a
  body already read whole, which needs no decoding, to the response as if it had read it
  itself, skipping a pass through the decoders and stream wrappers for every call;
* the lower-case header names ``httpx2.Headers`` keeps (in ``_list``), so a check for a
  header on every response (a cookie set? rate-limit fields?) need not decode every name;
  the same list, with the headers' chosen ``_encoding``, lets the fast backends hand
  headers to and from their libraries (:func:`header_pairs`, :func:`headers_from_lower`,
  :func:`headers_from_raw`) without httpx2's per-item normalising;
* a URL's parsed parts (``_uri_reference``), so :func:`url_text` writes the scheme and
  authority of a URL once per host instead of on every request;
* for the direct send path (``tether._direct``), the client's state (a client sends
  directly only once httpx2 has opened it) and its choice of transport for a URL
  (``_transport_for_url``, which applies ``mounts``).

``tests/test_httpx2_private.py`` checks each of these against the installed httpx2, so a
release that changes one fails there, by name, rather than somewhere inside a request.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

import httpx2
from httpx2._client import ClientState, UseClientDefault
from httpx2._config import DEFAULT_MAX_REDIRECTS
from httpx2._types import (
    AuthTypes,
    CertTypes,
    CookieTypes,
    HeaderTypes,
    ProxyTypes,
    QueryParamTypes,
    RequestContent,
    RequestData,
    RequestExtensions,
    RequestFiles,
    TimeoutTypes,
)
from httpx2._urlparse import ParseResult
from httpx2._utils import URLPattern

__all__ = [
    "CLIENT_ATTRIBUTES",
    "CLIENT_HOOKS",
    "DEFAULT_MAX_REDIRECTS",
    "RESPONSE_ATTRIBUTES",
    "AuthTypes",
    "CertTypes",
    "CookieTypes",
    "HeaderTypes",
    "ProxyTypes",
    "QueryParamTypes",
    "RequestContent",
    "RequestData",
    "RequestExtensions",
    "RequestFiles",
    "TimeoutTypes",
    "URLPattern",
    "UseClientDefault",
    "header_pairs",
    "headers_from_lower",
    "headers_from_raw",
    "is_open",
    "lower_names",
    "preload",
    "transport_for_url",
    "url_text",
]

CLIENT_HOOKS = ("_build_auth", "_redirect_headers", "_transport_for_url")
"""The private methods of httpx2's clients that tether's clients override or call."""

CLIENT_ATTRIBUTES = ("_transport", "_mounts", "_timeout", "_default_encoding", "_state")

RESPONSE_ATTRIBUTES = ("_content", "_num_bytes_downloaded")

_R = TypeVar("_R", bound=httpx2.Response)

_HEADER_TRIPLES = isinstance(getattr(httpx2.Headers({"A": "b"}), "_list", None), list)
"""The private attributes of httpx2's responses that :func:`preload` sets."""
"""The private attributes of httpx2's clients that tether's clients read or replace."""


def is_open(client: httpx2.Client | httpx2.AsyncClient) -> bool:
    """Whether ``client`` has been opened (by a request or ``with``) and not closed."""
    state: Any = client._state
    return state is ClientState.OPENED


def transport_for_url(
    client: httpx2.Client | httpx2.AsyncClient, url: httpx2.URL
) -> httpx2.BaseTransport | httpx2.AsyncBaseTransport:
    """The transport ``client`` sends a request for ``url`` through (mounts applied)."""
    transport: httpx2.BaseTransport | httpx2.AsyncBaseTransport = client._transport_for_url(url)
    return transport


def preload(response: _R, raw: bytes, coding: str | None) -> _R:
    """``response`` holding ``raw``, its whole body as it came off the wire.

    ``coding`` is the response's ``Content-Encoding`` (``None`` when it has none), which
    the fast backends read from their own headers at no cost. A body without a coding is
    the content itself: the response is left read and closed, exactly as ``read()`` leaves
    it. A coded one (gzip ...) is replayed from memory instead, so httpx2 decodes it when
    the client reads it.
    """
    if coding and coding.lower() != "identity":
        response.stream = httpx2.ByteStream(raw)
        response.is_stream_consumed = False
        response.is_closed = False
        return response
    response._content = raw
    response._num_bytes_downloaded = len(raw)
    response.stream = httpx2.ByteStream(raw)
    response.is_stream_consumed = True
    response.is_closed = True
    return response


def lower_names(headers: httpx2.Headers) -> list[bytes]:
    """The header names of ``headers``, lower-case bytes, without decoding any of them.

    Falls back to the public interface if a release stores headers differently.
    """
    if _HEADER_TRIPLES:
        return [entry[1] for entry in headers._list]
    return [name.lower() for name, _ in headers.raw]


_ASCII_COMPATIBLE = frozenset({None, "ascii", "utf-8", "iso-8859-1"})
"""The header encodings httpx2 picks itself (``None``: not picked yet); each decodes an
ASCII byte string as ASCII does."""


def header_pairs(headers: httpx2.Headers) -> list[tuple[str, str]]:
    """``headers.multi_items()``: the (lower-case name, value) pairs, as strings.

    The usual all-ASCII headers are decoded in one pass; any other case (a value that is
    not ASCII, an encoding set by hand) is left to httpx2, so the result is always the same.
    """
    if _HEADER_TRIPLES and getattr(headers, "_encoding", "") in _ASCII_COMPATIBLE:
        try:
            return [
                (name.decode("ascii"), value.decode("ascii")) for _, name, value in headers._list
            ]
        except UnicodeDecodeError:
            pass
    return headers.multi_items()


def headers_from_lower(pairs: Collection[tuple[str, str]]) -> httpx2.Headers:
    """``httpx2.Headers(pairs)`` for string pairs whose names are lower case already (as
    reqwest's always are), so each name is encoded once and serves as its own lower case.

    A name or value that is not ASCII raises as ``httpx2.Headers`` does.
    """
    if _HEADER_TRIPLES:
        headers = httpx2.Headers()
        try:
            headers._list = [
                ((key := name.encode("ascii")), key, value.encode("ascii")) for name, value in pairs
            ]
        except UnicodeEncodeError:
            pass
        else:
            return headers
    return httpx2.Headers(list(pairs))


def headers_from_raw(pairs: Collection[tuple[bytes, bytes]]) -> httpx2.Headers:
    """``httpx2.Headers(pairs)`` for byte pairs as they came off the wire (aiohttp's
    ``raw_headers``), without a type check and a call per item."""
    if _HEADER_TRIPLES:
        headers = httpx2.Headers()
        headers._list = [(name, name.lower(), value) for name, value in pairs]
        return headers
    return httpx2.Headers(list(pairs))


_URL_PREFIXES: dict[tuple[str, str, str, int | None], str] = {}
"""``scheme://authority`` by URL parts, for :func:`url_text` (bounded: see there)."""


def url_text(url: httpx2.URL) -> str:
    """``str(url)``, with the scheme and authority written once per host rather than for
    every URL (httpx2 writes the whole URL again on each ``str()``)."""
    parts: Any = getattr(url, "_uri_reference", None)
    if type(parts) is not ParseResult:
        return str(url)
    scheme, userinfo, host, port, path, query, fragment = parts
    key = (scheme, userinfo, host, port)
    prefix = _URL_PREFIXES.get(key)
    if prefix is None:
        prefix = str(parts._replace(path="", query=None, fragment=None))
        # Credentials in a URL are not kept past its request.
        if not userinfo and len(_URL_PREFIXES) < 512:
            _URL_PREFIXES[key] = prefix
    text: str = prefix + path
    if query is not None:
        text = f"{text}?{query}"
    if fragment is not None:
        text = f"{text}#{fragment}"
    return text
