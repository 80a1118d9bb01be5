"""An async httpx2 transport over aiohttp's connection pool (``backend="aiohttp"``).

httpx2 keeps doing what the client promises (URLs, headers, cookies, redirects, auth,
decoding); aiohttp only moves bytes, so it is told to do none of those things itself:
no redirects, no cookie jar, no decompression. Its errors are raised again as the httpx2
error of the same phase, so tether's retry rules see the same classes under every backend.
"""

from __future__ import annotations

import asyncio
import ssl
import urllib.request
from collections.abc import AsyncIterator
from typing import Any, cast

import aiohttp
import httpx2
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

from tether._config import DEFAULT_LIMITS
from tether._httpx2 import CertTypes, header_pairs, headers_from_raw, preload, url_text
from tether._response import Response
from tether._transports._base import READ_BODY_EXTENSION
from tether._transports._gate import AsyncGate

__all__ = ["AiohttpTransport"]

# Headers httpx2 always sets itself; aiohttp must not add its own versions.
_SKIP_AUTO = frozenset({"User-Agent", "Accept", "Accept-Encoding", "Content-Type"})
_ALWAYS_ADDED = frozenset({"user-agent", "accept", "accept-encoding"})
_BODY_METHODS = frozenset({"PATCH", "POST", "PUT"})  # aiohttp gives these a Content-Type


def _skip_for(
    headers: list[tuple[str, str]], has_body: bool, method: str
) -> frozenset[str] | None:
    """The headers aiohttp must be told not to add (``_SKIP_AUTO``), or ``None`` when the
    request has every one it would add, which spares aiohttp building its skip list for
    every request. ``headers`` are (lower-case name, value) pairs."""
    names = {name for name, _ in headers}
    if names >= _ALWAYS_ADDED and (
        "content-type" in names or not (has_body or method in _BODY_METHODS)
    ):
        return None
    return _SKIP_AUTO


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """Send httpx2 requests with aiohttp.

    Takes the connection arguments of :class:`httpx2.AsyncHTTPTransport` that matter to a
    pool: ``verify``, ``cert``, ``trust_env`` (proxies from ``HTTP_PROXY`` & co.),
    ``proxy`` and ``limits``. Timeouts come per request from httpx2, phase by phase.

    Example::

        async with httpx2.AsyncClient(transport=AiohttpTransport()) as client:
            await client.get("http://127.0.0.1:8000/posts/1")
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        proxy: str | httpx2.URL | None = None,
        limits: httpx2.Limits = DEFAULT_LIMITS,
    ) -> None:
        self._ssl = httpx2.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
        self._proxy = None if proxy is None else str(proxy)
        # Proxies from the environment are read once, as httpx2 reads them when a client
        # is built. aiohttp's own trust_env would look them up (and ~/.netrc, which httpx2
        # never reads) on a worker thread for every request: most of a request's cost.
        self._env_proxies = trust_env and proxy is None and bool(urllib.request.getproxies())
        self._gate = AsyncGate(limits.max_connections)
        self._keepalive = limits.keepalive_expiry
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}

    def _new_session(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=0,  # the gate caps connections, as httpx2 counts them
            limit_per_host=0,
            ssl=self._ssl,
            keepalive_timeout=self._keepalive if self._keepalive is not None else 3600.0,
        )
        session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            trust_env=False,
            timeout=aiohttp.ClientTimeout(total=None),
        )
        # aiohttp quietly sends an idempotent request again when a kept-alive connection
        # fails; tether's retry layer decides retries (and counts them against the budget),
        # so this one is switched off. The attribute has no public setter.
        if hasattr(session, "_retry_connection"):
            session._retry_connection = False
        return session

    def _timeout_for(self, request: httpx2.Request) -> aiohttp.ClientTimeout:
        phases = request.extensions.get("timeout") or {}
        key = (phases.get("connect"), phases.get("read"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            connect, read = key
            # The gate has bounded the wait for the pool; aiohttp's own pool never waits.
            timeout = aiohttp.ClientTimeout(
                total=None, connect=connect, sock_connect=connect, sock_read=read
            )
            if len(self._timeouts) < 64:
                self._timeouts[key] = timeout
        return timeout

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        session = self._session
        if session is None:
            session = self._session = self._new_session()
        stream = request.stream
        headers = header_pairs(request.headers)
        data: Any
        if isinstance(stream, httpx2.ByteStream):
            try:
                data = request.content or None
            except httpx2.RequestNotRead:
                # A request rebuilt for a redirect carries the body without having read it.
                data = b"".join(stream) or None
        else:
            data = _chunks(cast(httpx2.AsyncByteStream, stream))
            # aiohttp chunks a streamed body itself and refuses the header set twice.
            headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
        url = url_text(request.url)
        proxy, proxy_auth = self._proxy_for(url, request.url.scheme)
        await self._gate.enter(request)
        try:
            response = await session.request(
                request.method,
                url,
                headers=headers,
                skip_auto_headers=_skip_for(headers, data is not None, request.method),
                data=data,
                allow_redirects=False,
                timeout=self._timeout_for(request),
                proxy=proxy,
                proxy_auth=proxy_auth,
                ssl=self._ssl,
            )
        except BaseException as error:
            self._gate.leave()
            raise _mapped(error, request) from error
        extensions = {
            "http_version": b"HTTP/1.1",  # aiohttp speaks no other
            "reason_phrase": (response.reason or "").encode("latin-1"),
        }
        if READ_BODY_EXTENSION not in request.extensions:
            return Response(
                response.status,
                headers=headers_from_raw(response.raw_headers),
                stream=_Body(self._gate, response, request),
                extensions=extensions,
            )
        # The client reads this body whole anyway: read it here, in one call, and give
        # the connection back at once.
        try:
            body = await response.read()
        except BaseException as error:
            raise _mapped(error, request) from error
        finally:
            response.release()
            self._gate.leave()
        answer = Response(
            response.status,
            headers=headers_from_raw(response.raw_headers),
            stream=httpx2.ByteStream(body),
            extensions=extensions,
        )
        return preload(answer, body, response.headers.get("Content-Encoding"))

    def _proxy_for(self, url: str, scheme: str) -> tuple[str | None, aiohttp.BasicAuth | None]:
        if self._proxy is not None:
            return (self._proxy if scheme == "http" else None), None
        if not self._env_proxies:
            return None, None
        try:
            found, auth = get_env_proxy_for_url(URL(url))
        except LookupError:
            return None, None
        return str(found), auth

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _chunks(stream: httpx2.AsyncByteStream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk


class _Body(httpx2.AsyncByteStream):
    """A response body read from aiohttp, with its errors raised as httpx2's."""

    def __init__(
        self, gate: AsyncGate, response: aiohttp.ClientResponse, request: httpx2.Request
    ) -> None:
        self._gate = gate
        self._response = response
        self._request = request
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except Exception as error:
            raise _mapped(error, self._request) from error

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            self._response.release()
            self._gate.leave()


def _mapped(error: BaseException, request: httpx2.Request) -> BaseException:
    """The httpx2 error for an aiohttp one (others unchanged)."""
    message = str(error) or type(error).__name__
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        kind: type[httpx2.TransportError] = httpx2.ConnectTimeout
    elif isinstance(error, aiohttp.SocketTimeoutError | asyncio.TimeoutError):
        kind = httpx2.ReadTimeout
    elif isinstance(error, aiohttp.ClientConnectorError | aiohttp.ClientProxyConnectionError):
        kind = httpx2.ConnectError
    elif isinstance(
        error,
        aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError,
    ):
        kind = httpx2.RemoteProtocolError
    elif isinstance(error, aiohttp.ClientOSError | ConnectionError):
        kind = httpx2.ReadError
    elif isinstance(error, aiohttp.InvalidURL):
        kind = httpx2.UnsupportedProtocol
    elif isinstance(error, aiohttp.ClientError):
        kind = httpx2.NetworkError
    else:
        return error
    return kind(message, request=request)
