"""The default backend: httpcore2's connections under tether's own pool (``_pool.py``).

Each transport converts the httpx2 request to httpcore2's, sends it on a connection the
pool grants, and answers with a tether response whose stream, once closed, gives the
connection back; a call that reads the body whole anyway gets it read in the same call,
with the connection given back at once. The pool's bookkeeping is pure; the two shells
here only wait and close: the sync one holds a lock around the bookkeeping (never around
I/O) and parks each waiter on a lock of its own, the async one waits on an anyio event, so
it runs under asyncio and trio alike. httpcore2's errors become httpx2's, class for class,
as httpx2's own transport maps them, so tether's retries still tell a connect error from a
read error.

Example::

    transport = PooledTransport(limits=httpx2.Limits(max_connections=8))
    with httpx2.Client(transport=transport) as client:
        client.get("http://127.0.0.1:8000/posts/1")
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import AsyncIterable, AsyncIterator, Hashable, Iterable, Iterator, Sequence
from typing import Final, Generic, TypeVar, cast

import anyio
import httpcore2
import httpx2

from tether._httpx2 import CertTypes, preload
from tether._response import Response
from tether._transports._base import DEADLINE_EXTENSION, READ_BODY_EXTENSION
from tether._transports._pool import ConnectionBook, Ticket

__all__ = ["AsyncPooledTransport", "PooledTransport"]

# httpcore2's error classes and httpx2's for the same failure, in httpx2's own pairing;
# the most specific class an error is an instance of wins (its first one in the MRO).
_ERRORS: Final[dict[type[BaseException], type[httpx2.TransportError]]] = {
    httpcore2.TimeoutException: httpx2.TimeoutException,
    httpcore2.ConnectTimeout: httpx2.ConnectTimeout,
    httpcore2.ReadTimeout: httpx2.ReadTimeout,
    httpcore2.WriteTimeout: httpx2.WriteTimeout,
    httpcore2.PoolTimeout: httpx2.PoolTimeout,
    httpcore2.NetworkError: httpx2.NetworkError,
    httpcore2.ConnectError: httpx2.ConnectError,
    httpcore2.ReadError: httpx2.ReadError,
    httpcore2.WriteError: httpx2.WriteError,
    httpcore2.ProxyError: httpx2.ProxyError,
    httpcore2.UnsupportedProtocol: httpx2.UnsupportedProtocol,
    httpcore2.ProtocolError: httpx2.ProtocolError,
    httpcore2.LocalProtocolError: httpx2.LocalProtocolError,
    httpcore2.RemoteProtocolError: httpx2.RemoteProtocolError,
}

_DEFAULT_PORTS: Final = {b"http": 80, b"https": 443, b"ws": 80, b"wss": 443}

OriginKey = tuple[bytes, bytes, int]


def httpx2_error(error: BaseException, request: httpx2.Request) -> httpx2.TransportError | None:
    """httpx2's exception for httpcore2's ``error``, with ``request`` attached; ``None`` for
    an exception that is not httpcore2's (it propagates as it is)."""
    for kind in type(error).__mro__:
        mapped = _ERRORS.get(kind)
        if mapped is not None:
            return mapped(str(error), request=request)
    return None


def _coding(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The ``Content-Encoding`` of raw response headers (``None``: none)."""
    for name, value in headers:
        if name.lower() == b"content-encoding":
            return value.decode("latin-1")
    return None


def _answer(
    answer: httpcore2.Response, stream: httpx2.SyncByteStream | httpx2.AsyncByteStream
) -> Response:
    return Response(
        status_code=answer.status,
        headers=answer.headers,
        stream=stream,
        extensions=answer.extensions,
    )


def _pool_timeout(request: httpx2.Request) -> float | None:
    phases = request.extensions.get("timeout")
    return None if phases is None else phases.get("pool")


def _pool_timed_out(request: httpx2.Request) -> httpx2.PoolTimeout:
    return httpx2.PoolTimeout(
        "no connection came free within the pool timeout: raise Limits(max_connections=...) "
        "or the pool timeout, or send fewer requests at once",
        request=request,
    )


def _core_request(request: httpx2.Request) -> tuple[httpcore2.Request, OriginKey]:
    """httpcore2's request for ``request``, and the key of its origin in the pool."""
    url = request.url
    scheme = url.raw_scheme
    default_port = _DEFAULT_PORTS.get(scheme)
    if default_port is None:
        message = (
            "Request URL is missing an 'http://' or 'https://' protocol."
            if not scheme
            else f"Request URL has an unsupported protocol '{scheme.decode()}://'."
        )
        raise httpx2.UnsupportedProtocol(message, request=request)
    port = url.port
    core = httpcore2.Request(
        method=request.method,
        url=httpcore2.URL(scheme=scheme, host=url.raw_host, port=port, target=url.raw_path),
        headers=request.headers.raw,
        content=request.stream,
        extensions=request.extensions,
    )
    return core, (scheme, url.raw_host, default_port if port is None else port)


def _origin(key: Hashable) -> httpcore2.Origin:
    scheme, host, port = cast(OriginKey, key)
    return httpcore2.Origin(scheme=scheme, host=host, port=port)


_Connection = TypeVar("_Connection", httpcore2.HTTPConnection, httpcore2.AsyncHTTPConnection)


def _new_book(
    kind: type[_Connection],
    verify: ssl.SSLContext | str | bool,
    cert: CertTypes | None,
    trust_env: bool,
    limits: httpx2.Limits,
) -> ConnectionBook[_Connection]:
    """The pool's bookkeeping for a transport, opening connections of ``kind`` (httpcore2's
    sync or async class) with one TLS context built as httpx2 builds its own."""
    ssl_context = httpx2.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
    expiry = limits.keepalive_expiry

    def connect(key: Hashable) -> _Connection:
        return kind(origin=_origin(key), ssl_context=ssl_context, keepalive_expiry=expiry)

    return ConnectionBook(
        connect,
        max_connections=limits.max_connections,
        max_keepalive=limits.max_keepalive_connections,
    )


class PooledTransport(httpx2.BaseTransport):
    """HTTP/1.1 over httpcore2's connections, pooled by tether at a constant cost per
    request; safe to share between threads."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        limits: httpx2.Limits,
    ) -> None:
        self._book = _new_book(httpcore2.HTTPConnection, verify, cert, trust_env, limits)
        self._lock = threading.Lock()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send ``request`` on a pooled connection; the response's stream gives it back."""
        core, origin = _core_request(request)
        while True:
            connection = self._acquire(origin, request)
            try:
                answer = connection.handle_request(core)
            except httpcore2.ConnectionNotAvailable:
                # Taken by the server since it was released: try another.
                self._discard(connection)
                continue
            except BaseException as error:
                self._discard(connection)
                mapped = httpx2_error(error, request)
                if mapped is None:
                    raise
                raise mapped from error
            break
        stream = _PooledStream(self, origin, connection, answer.stream, request)  # type: ignore[arg-type]
        extensions = request.extensions
        if READ_BODY_EXTENSION not in extensions or DEADLINE_EXTENSION in extensions:
            # A call with a deadline has its body read by the retry layer, which checks the
            # deadline between pieces: a sync read cannot be cut from outside.
            return _answer(answer, stream)
        # The client reads this body whole anyway: read it here, give the connection back
        # at once, and hand the bytes to the response as if it had read them itself.
        try:
            body = b"".join(stream)
        finally:
            stream.close()
        return preload(_answer(answer, httpx2.ByteStream(body)), body, _coding(answer.headers))

    def close(self) -> None:
        """Close every connection, idle or in use."""
        with self._lock:
            self._book.close()
            closing = self._book.take_closing()
        _close(closing)

    def _acquire(self, origin: OriginKey, request: httpx2.Request) -> httpcore2.HTTPConnection:
        with self._lock:
            ticket = self._book.acquire(origin)
            closing = self._book.take_closing()
            if ticket.connection is None:
                granted = threading.Lock()
                granted.acquire()
                ticket.wake = granted.release
        if closing:
            _close(closing)
        connection = ticket.connection
        if connection is not None:
            return connection
        timeout = _pool_timeout(request)
        try:
            granted.acquire(timeout=-1 if timeout is None else timeout)
        except BaseException:
            self._cancel(ticket)
            raise
        with self._lock:
            # A connection granted as the time ran out is still ours.
            connection = ticket.connection
        if connection is None:
            self._cancel(ticket)
            raise _pool_timed_out(request)
        return connection

    def _cancel(self, ticket: Ticket[httpcore2.HTTPConnection]) -> None:
        with self._lock:
            self._book.cancel(ticket)
            closing = self._book.take_closing()
        _close(closing)

    def _release(self, origin: OriginKey, connection: httpcore2.HTTPConnection) -> None:
        with self._lock:
            self._book.release(origin, connection)
            closing = self._book.take_closing()
        if closing:
            _close(closing)

    def _discard(self, connection: httpcore2.HTTPConnection) -> None:
        with self._lock:
            self._book.discard(connection)
            closing = self._book.take_closing()
        _close(closing)


def _close(connections: Sequence[httpcore2.HTTPConnection]) -> None:
    for connection in connections:
        if not connection.is_closed():
            connection.close()


_Transport = TypeVar("_Transport", "PooledTransport", "AsyncPooledTransport")
_Body = TypeVar("_Body", Iterable[bytes], AsyncIterable[bytes])


class _Lease(Generic[_Transport, _Connection, _Body]):
    """What a response body holds of its pool: the connection to give back once closed,
    and the request its read errors name."""

    def __init__(
        self,
        transport: _Transport,
        origin: OriginKey,
        connection: _Connection,
        stream: _Body,
        request: httpx2.Request,
    ) -> None:
        self._transport: _Transport = transport
        self._origin = origin
        self._connection: _Connection = connection
        self._stream: _Body = stream
        self._request = request
        self._closed = False

    def _mapped(self, error: Exception) -> Exception:
        """httpx2's error for a read error of httpcore2's (others unchanged)."""
        return httpx2_error(error, self._request) or error

    def _closing(self) -> bool:
        """True the first time only: a body is given back once."""
        if self._closed:
            return False
        self._closed = True
        return True


class _PooledStream(
    _Lease[PooledTransport, httpcore2.HTTPConnection, Iterable[bytes]], httpx2.SyncByteStream
):
    """A response body that gives its connection back to the pool once closed."""

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._stream
        except Exception as error:
            mapped = self._mapped(error)
            if mapped is error:
                raise
            raise mapped from error

    def close(self) -> None:
        if not self._closing():
            return
        try:
            close = getattr(self._stream, "close", None)
            if close is not None:
                close()
        finally:
            self._transport._release(self._origin, self._connection)


class AsyncPooledTransport(httpx2.AsyncBaseTransport):
    """HTTP/1.1 over httpcore2's connections, pooled by tether at a constant cost per
    request; for one event loop (asyncio or trio)."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        limits: httpx2.Limits,
    ) -> None:
        # The bookkeeping never awaits, so no lock: each call runs to its end in one step.
        self._book = _new_book(httpcore2.AsyncHTTPConnection, verify, cert, trust_env, limits)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send ``request`` on a pooled connection; the response's stream gives it back."""
        core, origin = _core_request(request)
        while True:
            connection = await self._acquire(origin, request)
            try:
                answer = await connection.handle_async_request(core)
            except httpcore2.ConnectionNotAvailable:
                await self._discard(connection)
                continue
            except BaseException as error:
                await self._discard(connection)
                mapped = httpx2_error(error, request)
                if mapped is None:
                    raise
                raise mapped from error
            break
        stream = _AsyncPooledStream(self, origin, connection, answer.stream, request)  # type: ignore[arg-type]
        if READ_BODY_EXTENSION not in request.extensions:
            return _answer(answer, stream)
        try:
            body = b"".join([part async for part in stream])
        finally:
            await stream.aclose()
        return preload(_answer(answer, httpx2.ByteStream(body)), body, _coding(answer.headers))

    async def aclose(self) -> None:
        """Close every connection, idle or in use."""
        self._book.close()
        await _aclose(self._book.take_closing())

    async def _acquire(
        self, origin: OriginKey, request: httpx2.Request
    ) -> httpcore2.AsyncHTTPConnection:
        book = self._book
        ticket = book.acquire(origin)
        granted = None
        if ticket.connection is None:
            granted = anyio.Event()
            ticket.wake = granted.set
        closing = book.take_closing()
        if closing:
            await _aclose(closing)
        connection = ticket.connection
        if connection is not None:
            return connection
        assert granted is not None
        try:
            with anyio.fail_after(_pool_timeout(request)):
                await granted.wait()
        except TimeoutError:
            connection = ticket.connection
            if connection is not None:  # granted as the time ran out
                return connection
            book.cancel(ticket)
            await _aclose(book.take_closing())
            raise _pool_timed_out(request) from None
        except BaseException:
            book.cancel(ticket)
            await _aclose(book.take_closing())
            raise
        connection = ticket.connection
        assert connection is not None
        return connection

    async def _release(self, origin: OriginKey, connection: httpcore2.AsyncHTTPConnection) -> None:
        self._book.release(origin, connection)
        closing = self._book.take_closing()
        if closing:
            await _aclose(closing)

    async def _discard(self, connection: httpcore2.AsyncHTTPConnection) -> None:
        self._book.discard(connection)
        await _aclose(self._book.take_closing())


async def _aclose(connections: Sequence[httpcore2.AsyncHTTPConnection]) -> None:
    """Close ``connections``, even in a cancelled task: a socket left open would leak."""
    if not connections:
        return
    with anyio.CancelScope(shield=True):
        for connection in connections:
            if not connection.is_closed():
                await connection.aclose()


class _AsyncPooledStream(
    _Lease[AsyncPooledTransport, httpcore2.AsyncHTTPConnection, AsyncIterable[bytes]],
    httpx2.AsyncByteStream,
):
    """A response body that gives its connection back to the pool once closed."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self._stream:
                yield part
        except Exception as error:
            mapped = self._mapped(error)
            if mapped is error:
                raise
            raise mapped from error

    async def aclose(self) -> None:
        if not self._closing():
            return
        try:
            close = getattr(self._stream, "aclose", None)
            if close is not None:
                await close()
        finally:
            await self._transport._release(self._origin, self._connection)
