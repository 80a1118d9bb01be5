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
  property tether checks; ``_default_encoding``, which ``with_options`` copies.

``tests/test_httpx2_private.py`` checks each of these against the installed httpx2, so a
release that changes one fails there, by name, rather than somewhere inside a request.
"""

from __future__ import annotations

from httpx2._client import UseClientDefault
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
]

CLIENT_HOOKS = ("_build_auth", "_redirect_headers")
"""The private methods of httpx2's clients that tether's clients override."""

CLIENT_ATTRIBUTES = ("_transport", "_mounts", "_timeout", "_default_encoding")
"""The private attributes of httpx2's clients that tether's clients read or replace."""
