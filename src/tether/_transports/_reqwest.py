"""httpx2 transports over pyreqwest, Rust's reqwest (``backend="reqwest"``), sync and async.

As with the aiohttp backend, httpx2 keeps every decision the client makes (redirects,
cookies, auth, decoding) and reqwest only moves bytes: its redirects, cookie store and
decompression stay off. reqwest takes its timeouts per client, not per phase per request,
so the phases are set on the pool from the client's ``timeout``; a request whose timeouts
are shorter (a call's deadline cut them) gets a whole-request limit that maps to
``httpx2.ReadTimeout``. Errors are raised again as the httpx2 error of the same phase.
"""

from __future__ import annotations

import abc
import ssl
from collections.abc import AsyncIterator, Collection, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar, cast

import httpx2
from pyreqwest import exceptions as rx
from pyreqwest.client import ClientBuilder, SyncClientBuilder
from pyreqwest.http import HeaderMap
from pyreqwest.proxy import ProxyBuilder
from pyreqwest.request import RequestBuilder, SyncRequestBuilder
from pyreqwest.response import Response as RxResponse
from pyreqwest.response import SyncResponse

from tether._config import DEFAULT_LIMITS, DEFAULT_TIMEOUT
from tether._httpx2 import CertTypes, header_pairs, headers_from_lower, preload, url_text
from tether._response import Response
from tether._transports._base import READ_BODY_EXTENSION
from tether._transports._gate import AsyncGate, Gate

__all__ = ["AsyncReqwestTransport", "ReqwestTransport"]

_Builder = TypeVar("_Builder", ClientBuilder, SyncClientBuilder)
_RequestBuilder = TypeVar("_RequestBuilder", RequestBuilder, SyncRequestBuilder)

# Most specific first: the first match wins.
_ERRORS: tuple[tuple[type[Exception], type[httpx2.RequestError]], ...] = (
    (rx.ConnectTimeoutError, httpx2.ConnectTimeout),
    (rx.ReadTimeoutError, httpx2.ReadTimeout),
    (rx.WriteTimeoutError, httpx2.WriteTimeout),
    (rx.PoolTimeoutError, httpx2.PoolTimeout),
    (rx.RequestTimeoutError, httpx2.ReadTimeout),
    (rx.ConnectError, httpx2.ConnectError),
    (rx.WriteError, httpx2.WriteError),
    (rx.ReadError, httpx2.ReadError),
    (rx.NetworkError, httpx2.NetworkError),
    (rx.DecodeError, httpx2.DecodingError),
    (rx.RequestError, httpx2.RemoteProtocolError),
)


def _mapped(error: Exception, request: httpx2.Request) -> Exception:
    for source, target in _ERRORS:
        if isinstance(error, source):
            return _phase_checked(target, _causes(error))(str(error), request=request)
    return error


def _causes(error: Exception) -> str:
    details = getattr(error, "details", None)
    causes = details.get("causes") if isinstance(details, dict) else None
    return " | ".join(str(c.get("message", "")) for c in causes or ()) or str(error)


def _phase_checked(target: type[httpx2.RequestError], causes: str) -> type[httpx2.RequestError]:
    """The class httpx2 would raise, where pyreqwest's names the wrong phase.

    pyreqwest calls every failure while sending the request or awaiting its answer a
    connect error or connect timeout; only the ones whose cause is the connect step are.
    The difference matters: tether retries connect failures for any method, since the
    server never saw the request, but read failures only for idempotent ones.
    """
    connecting = "(Connect)" in causes
    if target is httpx2.ConnectTimeout and not connecting:
        return httpx2.ReadTimeout
    if target is httpx2.ConnectError and not connecting:
        target = httpx2.ReadError
    if target in (httpx2.ReadError, httpx2.DecodingError) and (
        "before message completed" in causes or "end of file before message length" in causes
    ):
        # httpx2 calls a peer that hung up mid-message a protocol error.
        return httpx2.RemoteProtocolError
    return target


@dataclass(frozen=True, slots=True)
class _Settings:
    """The arguments both transports take, as the pool builder needs them."""

    verify: ssl.SSLContext | str | bool
    cert: CertTypes | None
    trust_env: bool
    proxy: str | httpx2.URL | None
    limits: httpx2.Limits
    timeout: httpx2.Timeout


def _configure(builder: _Builder, settings: _Settings) -> _Builder:
    verify, cert, proxy = settings.verify, settings.cert, settings.proxy
    limits, timeout, trust_env = settings.limits, settings.timeout, settings.trust_env
    if isinstance(verify, ssl.SSLContext):
        raise TypeError(
            "backend='reqwest' cannot use an ssl.SSLContext for verify=: pass True, False "
            "or the path of a CA bundle (PEM), or use the default backend"
        )
    if cert is not None:
        raise TypeError("backend='reqwest' does not take cert= yet: use the default backend")
    builder = (
        builder.follow_redirects(False)
        .gzip(False)
        .brotli(False)
        .deflate(False)
        .zstd(False)
        .pool_idle_timeout(
            None if limits.keepalive_expiry is None else timedelta(seconds=limits.keepalive_expiry)
        )
    )
    if limits.max_keepalive_connections is not None:
        builder = builder.pool_max_idle_per_host(limits.max_keepalive_connections)
    if verify is False:
        builder = builder.danger_accept_invalid_certs(True)
    elif isinstance(verify, str):
        with open(verify, "rb") as bundle:
            builder = builder.add_root_certificate_pem(bundle.read())
    if proxy is not None:
        builder = builder.proxy(ProxyBuilder.all(str(proxy)))
    elif not trust_env:
        builder = builder.no_proxy()
    if timeout.connect is not None:
        builder = builder.connect_timeout(timedelta(seconds=timeout.connect))
    if timeout.read is not None:
        builder = builder.read_timeout(timedelta(seconds=timeout.read))
    if timeout.pool is not None:
        builder = builder.pool_timeout(timedelta(seconds=timeout.pool))
    return builder


class _Shared(abc.ABC):
    """What the sync and async transports share: their arguments, the pool they build from
    them, and the per-request limit."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        proxy: str | httpx2.URL | None = None,
        limits: httpx2.Limits = DEFAULT_LIMITS,
        timeout: httpx2.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._pool_read: float | None = timeout.read
        self._open(_Settings(verify, cert, trust_env, proxy, limits, timeout))

    @abc.abstractmethod
    def _open(self, settings: _Settings) -> None:
        """Build the pool and the gate (each transport builds its own kind)."""

    def _prepared(self, builder: _RequestBuilder, request: httpx2.Request) -> _RequestBuilder:
        """``builder`` with the request's headers, its body when held in memory (a streamed
        one is the caller's: sync and async streams differ) and its own time limit."""
        builder = builder.headers(header_pairs(request.headers))
        if isinstance(request.stream, httpx2.ByteStream):
            body = _content(request)
            if body:
                builder = builder.body_bytes(body)
        limit = self._limit_for(request)
        if limit is not None:
            builder = builder.timeout(limit)
        return builder

    def _limit_for(self, request: httpx2.Request) -> timedelta | None:
        """A whole-request limit when this request's read timeout is shorter than the
        pool's (a call's own timeout, or one its deadline cut)."""
        phases: dict[str, Any] | None = request.extensions.get("timeout")
        read = None if phases is None else phases.get("read")
        if read is None:
            return None
        pool_read = self._pool_read
        if pool_read is not None and read >= pool_read:
            return None
        return timedelta(seconds=read)


def _content(request: httpx2.Request) -> bytes:
    try:
        return request.content
    except httpx2.RequestNotRead:
        # A request rebuilt for a redirect carries the body without having read it.
        return b"".join(request.stream)  # type: ignore[arg-type]


def _header_pairs(headers: HeaderMap, request: httpx2.Request) -> Collection[tuple[str, str]]:
    """The headers' (name, value) pairs in reqwest's order (each name's values together).

    Without a repeated name they are read in one call into Rust rather than one per item.
    pyreqwest gives header values only as text, and cannot for a value that is not ASCII
    (which the other backends decode as httpx2 does): that is an ``httpx2.DecodingError``
    naming the header, not retried, rather than a bare ``ValueError``.
    """
    try:
        grouped = headers.dict_multi_value()
        if len(grouped) == len(headers):
            return cast("dict[str, str]", grouped).items()
        return headers.items()
    except ValueError:
        unreadable = []
        for name in headers:
            try:
                headers.getall(name)
            except ValueError:
                unreadable.append(name)
        raise httpx2.DecodingError(
            f"backend='reqwest' cannot read the response header {', '.join(unreadable)}: "
            "its value is not ASCII. The default backend (and backend='aiohttp') decode it "
            "as httpx2 does.",
            request=request,
        ) from None


def _response(
    rx_response: RxResponse | SyncResponse, stream: Any, request: httpx2.Request
) -> Response:
    return Response(
        rx_response.status,
        # reqwest's header names are lower case, which saves httpx2 lowering each.
        headers=headers_from_lower(_header_pairs(rx_response.headers, request)),
        stream=stream,
        extensions={"http_version": rx_response.version.encode("ascii")},
    )


def _whole(
    rx_response: RxResponse | SyncResponse, body: bytes, request: httpx2.Request
) -> Response:
    """The response to a request whose body was read in the same call, left read."""
    response = _response(rx_response, httpx2.ByteStream(body), request)
    return preload(response, body, rx_response.get_header("content-encoding"))


class ReqwestTransport(_Shared, httpx2.BaseTransport):
    """A sync httpx2 transport over pyreqwest.

    Example::

        with httpx2.Client(transport=ReqwestTransport()) as client:
            client.get("http://127.0.0.1:8000/posts/1")
    """

    def _open(self, settings: _Settings) -> None:
        self._gate = Gate(settings.limits.max_connections)
        self._client = _configure(SyncClientBuilder(), settings).build()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        builder: SyncRequestBuilder = self._prepared(
            self._client.request(request.method, url_text(request.url)), request
        )
        stream = request.stream
        if isinstance(stream, httpx2.SyncByteStream) and not isinstance(stream, httpx2.ByteStream):
            builder = builder.body_stream(iter(stream))
        if READ_BODY_EXTENSION in request.extensions:
            # The client reads this body whole anyway: reqwest reads it in the same call,
            # which saves a round trip into Rust per chunk and one to close the stream.
            self._gate.enter(request)
            try:
                whole = builder.build().send()
                body = bytes(whole.bytes())
            except rx.PyreqwestError as error:
                raise _mapped(error, request) from error
            finally:
                self._gate.leave()
            return _whole(whole, body, request)
        pending = builder.build_streamed()
        self._gate.enter(request)
        try:
            rx_response = pending.__enter__()
        except BaseException as error:
            self._gate.leave()
            if isinstance(error, rx.PyreqwestError):
                raise _mapped(error, request) from error
            raise
        streamed = _SyncBody(self._gate, pending, rx_response, request)
        try:
            return _response(rx_response, streamed, request)
        except BaseException:
            streamed.close()
            raise

    def close(self) -> None:
        self._client.close()


class _SyncBody(httpx2.SyncByteStream):
    def __init__(
        self, gate: Gate, pending: Any, response: SyncResponse, request: httpx2.Request
    ) -> None:
        self._gate = gate
        self._pending = pending
        self._reader = response.body_reader
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        try:
            while (chunk := self._reader.read_chunk()) is not None:
                yield bytes(chunk)
        except rx.PyreqwestError as error:
            raise _mapped(error, self._request) from error

    def close(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            try:
                pending.__exit__(None, None, None)
            finally:
                self._gate.leave()


class AsyncReqwestTransport(_Shared, httpx2.AsyncBaseTransport):
    """An async httpx2 transport over pyreqwest.

    Example::

        async with httpx2.AsyncClient(transport=AsyncReqwestTransport()) as client:
            await client.get("http://127.0.0.1:8000/posts/1")
    """

    def _open(self, settings: _Settings) -> None:
        self._gate = AsyncGate(settings.limits.max_connections)
        self._client = _configure(ClientBuilder(), settings).build()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        builder: RequestBuilder = self._prepared(
            self._client.request(request.method, url_text(request.url)), request
        )
        stream = request.stream
        if isinstance(stream, httpx2.AsyncByteStream) and not isinstance(stream, httpx2.ByteStream):
            builder = builder.body_stream(_chunks(stream))
        if READ_BODY_EXTENSION in request.extensions:
            # As in the sync transport: one call reads the whole body.
            await self._gate.enter(request)
            try:
                whole = await builder.build().send()
                body = bytes(await whole.bytes())
            except rx.PyreqwestError as error:
                raise _mapped(error, request) from error
            finally:
                self._gate.leave()
            return _whole(whole, body, request)
        pending = builder.build_streamed()
        await self._gate.enter(request)
        try:
            rx_response = await pending.__aenter__()
        except BaseException as error:
            self._gate.leave()
            if isinstance(error, rx.PyreqwestError):
                raise _mapped(error, request) from error
            raise
        streamed = _AsyncBody(self._gate, pending, rx_response, request)
        try:
            return _response(rx_response, streamed, request)
        except BaseException:
            await streamed.aclose()
            raise

    async def aclose(self) -> None:
        await self._client.close()


async def _chunks(stream: httpx2.AsyncByteStream) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk


class _AsyncBody(httpx2.AsyncByteStream):
    def __init__(
        self, gate: AsyncGate, pending: Any, response: RxResponse, request: httpx2.Request
    ) -> None:
        self._gate = gate
        self._pending = pending
        self._reader = response.body_reader
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            while (chunk := await self._reader.read_chunk()) is not None:
                yield bytes(chunk)
        except rx.PyreqwestError as error:
            raise _mapped(error, self._request) from error

    async def aclose(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            try:
                await pending.__aexit__(None, None, None)
            finally:
                self._gate.leave()
