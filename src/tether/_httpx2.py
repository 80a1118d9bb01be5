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
* for the direct send path (``tether._direct``), the client's state (a client sends
  directly only once httpx2 has opened it) and its choice of transport for a URL
  (``_transport_for_url``, which applies ``mounts``).

``tests/test_httpx2_private.py`` checks each of these against the installed httpx2, so a
release that changes one fails there, by name, rather than somewhere inside a request.
"""

from __future__ import annotations

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
    "is_open",
    "lower_names",
    "preload",
    "transport_for_url",
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
