"""The direct send path: a call that needs none of httpx2's per-request machinery.

httpx2's ``send()`` runs every request through an auth flow, a redirect loop, event
hooks, a cookie jar update and a stream wrapper that times the body. Most API calls use
none of them: no auth object (the key sits in a header), no redirect to follow, no hooks.
For those, :func:`direct_transport` names the transport to call straight away, and
:func:`finish` does what httpx2 would have done to the response: its request, its
encoding, its cookies (only when the server set one), its ``elapsed`` and httpx2's own
INFO log line. The result is the same response object, for about a quarter less CPU per
call over a transport that answers from memory (tether's own layers included).

Anything else (an auth flow, redirects to follow, event hooks, credentials in the URL,
a streamed response, a body of the other kind (async content on a sync client), a
client not yet opened or already closed) takes httpx2's path, errors included.

Building the request has a lean path too: :func:`bare_request` builds the request of a
call with no body, query parameters, headers or cookies of its own (most reads) in less
than half the time of httpx2's ``build_request()``, and the same request to the byte.
"""

from __future__ import annotations

import datetime
import logging
import time
from typing import TYPE_CHECKING

import httpx2
from httpx2 import USE_CLIENT_DEFAULT

from tether._httpx2 import (
    AuthTypes,
    RequestExtensions,
    TimeoutTypes,
    UseClientDefault,
    is_open,
    lower_names,
    transport_for_url,
)

if TYPE_CHECKING:
    from httpx2._client import BaseClient

__all__ = ["bare_request", "direct_transport", "finish"]

_httpx2_log = logging.getLogger("httpx2")
_INFO = logging.INFO
_SYNC = httpx2.SyncByteStream
_ASYNC = httpx2.AsyncByteStream
# httpx2 sends "Content-Length: 0" for these methods when they carry no body.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "QUERY"})
# Client headers that change what httpx2 adds by itself: such a client takes its path.
_SET_BY_HTTPX2 = frozenset({b"host", b"content-length", b"transfer-encoding"})


def bare_request(
    client: BaseClient,
    method: str,
    url: httpx2.URL | str,
    timeout: TimeoutTypes | UseClientDefault,
    extensions: RequestExtensions | None,
) -> httpx2.Request | None:
    """What ``client.build_request(method, url, timeout=..., extensions=...)`` returns, built
    without httpx2's merging and body encoding; ``None`` when the client has query
    parameters or cookies of its own, or the URL needs httpx2's handling (a relative URL
    with no base URL, an IPv6 zone)."""
    if client.params or client.cookies:
        return None
    target = httpx2.URL(url)
    if target.is_relative_url:
        base = client.base_url
        if not base.host:
            return None
        # httpx2's rule: the base URL (which ends in "/") plus the path without its "/".
        target = base.copy_with(raw_path=base.raw_path + target.raw_path.lstrip(b"/"))
    host = target.netloc
    if not target.host or host.startswith(b"["):
        return None
    defaults = client.headers
    if not _SET_BY_HTTPX2.isdisjoint(lower_names(defaults)):
        return None
    method = method.upper()
    added = [(b"Host", host)]
    if method in _BODY_METHODS:
        added.append((b"Content-Length", b"0"))
    chosen = {} if extensions is None else extensions
    if "timeout" not in chosen:
        chosen_timeout = (
            client.timeout if isinstance(timeout, UseClientDefault) else httpx2.Timeout(timeout)
        )
        chosen = {**chosen, "timeout": chosen_timeout.as_dict()}
    request = httpx2.Request(
        method,
        target,
        headers=[*added, *defaults.raw],
        stream=httpx2.ByteStream(b""),
        extensions=chosen,
    )
    request.read()
    return request


def direct_transport(
    client: httpx2.Client | httpx2.AsyncClient,
    request: httpx2.Request,
    *,
    stream: bool,
    auth: AuthTypes | UseClientDefault | None,
    follow_redirects: bool | UseClientDefault,
) -> httpx2.BaseTransport | httpx2.AsyncBaseTransport | None:
    """The transport to send ``request`` to directly, or ``None`` for httpx2's path."""
    if stream or not is_open(client):
        return None
    asynchronous = isinstance(client, httpx2.AsyncClient)
    if not isinstance(request.stream, _ASYNC if asynchronous else _SYNC):
        return None
    if auth is USE_CLIENT_DEFAULT:
        if client.auth is not None:
            return None
    elif auth is not None:
        return None
    follow = client.follow_redirects if follow_redirects is USE_CLIENT_DEFAULT else follow_redirects
    if follow:
        return None
    hooks = client.event_hooks
    if hooks["request"] or hooks["response"]:
        return None
    url = request.url
    if url.userinfo:
        # httpx2 turns user:password in the URL into Basic auth.
        return None
    return transport_for_url(client, url)


def started() -> float:
    """The clock reading :func:`finish` measures ``elapsed`` from."""
    return time.perf_counter()


def finish(
    client: httpx2.Client | httpx2.AsyncClient,
    request: httpx2.Request,
    response: httpx2.Response,
    since: float,
) -> None:
    """Do to a response read in full what httpx2's send path does to each response."""
    response.request = request
    response.elapsed = datetime.timedelta(seconds=time.perf_counter() - since)
    # Scanning the raw names spares computing the headers' text encoding, which a lookup
    # by name does first and which most calls never need.
    if b"set-cookie" in lower_names(response.headers):
        client.cookies.extract_cookies(response)
    response.default_encoding = client._default_encoding
    if _httpx2_log.isEnabledFor(_INFO):
        _httpx2_log.info(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )
