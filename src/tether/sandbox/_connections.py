"""Dropping a client's connection from inside the ASGI app.

ASGI gives an application no way to close its connection without answering: under uvicorn
an app that returns (or raises) before starting a response gets a 500 sent on its behalf.
The ``reset`` and ``truncate`` faults need exactly that dropped connection, so the sandbox
runs uvicorn with an abortable protocol (:class:`AbortableConnection` on top of uvicorn's
httptools protocol, see ``_httptools.py``, or :class:`AbortableH11Protocol` where httptools
is missing), which records every open connection under the ``(server, client)`` address
pair that ASGI puts in ``scope["server"]`` and ``scope["client"]``. :func:`drop_connection`
finds the connection of a request by those two tuples and closes it, either abruptly with
a TCP reset or after flushing what was already written.

:func:`on_disconnect` uses the same registry to hear when a client goes away while its
request is still running (it gave up waiting), which the request accounting counts then.

``serve_in_thread`` picks the protocol; to run the app under your own uvicorn, pass
``uvicorn.Config(app, http=AbortableH11Protocol)``.
"""

from __future__ import annotations

import abc
import asyncio
import socket
import struct
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from tether._errors import TetherError
from tether.sandbox._coalescing import CoalescingTransport

__all__ = [
    "AbortableConnection",
    "AbortableH11Protocol",
    "ConnectionDropError",
    "drop_connection",
    "on_disconnect",
]

_Address = tuple[Any, ...]
_open: dict[tuple[_Address | None, _Address | None], AbortableConnection] = {}
_open_lock = threading.Lock()

# A dropped connection is normally gone within a loop iteration; the bound only matters
# when a peer stops reading and a graceful close cannot flush.
_CLOSE_WAIT = 5.0


class ConnectionDropError(TetherError, RuntimeError):
    """The request did not arrive over an abortable protocol, so it cannot be dropped."""


class AbortableConnection(asyncio.Protocol, metaclass=abc.ABCMeta):
    """Mixed into a uvicorn HTTP protocol: each open connection findable by its address
    pair, droppable, and watchable for the client going away.

    The protocol it is mixed into provides ``transport``, ``server``, ``client`` and
    ``loop``; it says which request cycles are under way in :meth:`_cycles`.
    """

    transport: asyncio.Transport
    server: Any
    client: Any
    loop: asyncio.AbstractEventLoop
    _closed_event: asyncio.Event | None = None
    _watchers: list[Callable[[], None]] | None = None

    @abc.abstractmethod
    def _cycles(self) -> Iterable[Any]:
        """The request/response cycles of this connection not yet answered in full."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # A response's head and body leave in one write (see _coalescing.py).
        transport = CoalescingTransport(transport, self.loop)
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # asyncio only disables Nagle when the listening socket was created with
            # proto=IPPROTO_TCP; otherwise the head and body writes of every response
            # meet the peer's delayed ACK and each request takes ~40 ms.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._closed_event = asyncio.Event()
        self._watchers = []
        with _open_lock:
            _open[_key(self.server, self.client)] = self

    def connection_lost(self, exc: Exception | None) -> None:
        with _open_lock:
            if _open.get(_key(self.server, self.client)) is self:
                del _open[_key(self.server, self.client)]
        super().connection_lost(exc)
        if self._closed_event is not None:
            self._closed_event.set()
        watchers, self._watchers = self._watchers or [], []
        for watcher in watchers:
            watcher()

    async def drop(self, *, reset: bool) -> None:
        """Close the connection: ``reset`` sends an RST, else a FIN after pending bytes.

        A reset happens only once the current request's ASGI call has returned, so the
        layers above (the request accounting) finish before the client can see the
        connection die and ask for the figures.
        """
        transport = self.transport
        if not reset:
            transport.close()
            # Wait for uvicorn to see the loss, so it does not answer in the app's place.
            if self._closed_event is not None:
                try:
                    await asyncio.wait_for(self._closed_event.wait(), _CLOSE_WAIT)
                except TimeoutError:
                    transport.abort()
            return
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # Linger on with a zero timeout turns close() into an RST instead of a FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # Tells uvicorn the peer is gone: it must not send a 500 for the missing response.
        # Every cycle, not just the newest: a pipelined request parsed after this one is
        # the protocol's current cycle while this one still runs.
        for cycle in self._cycles():
            cycle.disconnected = True
        # Callbacks run only when the request's task next yields, which is after it ends.
        self.loop.call_soon(transport.abort)


class AbortableH11Protocol(AbortableConnection, H11Protocol):
    """uvicorn's h11 protocol, with each open connection findable by its address pair.

    The pure-Python fallback of the sandbox's server, used where httptools is not
    installed; pass it as ``uvicorn.Config(app, http=AbortableH11Protocol)``.
    """

    def _cycles(self) -> Iterable[Any]:
        # h11 reads the next request only once the current one is answered.
        return [] if self.cycle is None else [self.cycle]


def _key(server: object, client: object) -> tuple[_Address | None, _Address | None]:
    if type(server) is tuple and type(client) is tuple:  # what uvicorn sends, per request
        return (server, client)
    return (
        tuple(server) if isinstance(server, tuple | list) else None,
        tuple(client) if isinstance(client, tuple | list) else None,
    )


def on_disconnect(scope: Mapping[str, Any], callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` (on the server's loop) when the connection carrying the request of
    ``scope`` is lost, until the returned function is called; a request that did not arrive
    over an :class:`AbortableConnection` is never watched."""
    with _open_lock:
        protocol = _open.get(_key(scope.get("server"), scope.get("client")))
    watchers = None if protocol is None else protocol._watchers
    if watchers is None:
        return _nothing
    watchers.append(callback)

    def cancel() -> None:
        if callback in watchers:
            watchers.remove(callback)

    return cancel


def _nothing() -> None:
    return None


async def drop_connection(scope: Mapping[str, Any], *, reset: bool) -> None:
    """Drop the connection that carried the request of ``scope``.

    Raises :class:`ConnectionDropError` when the server is not running an
    :class:`AbortableConnection` protocol (for example under a test client without sockets).
    """
    with _open_lock:
        protocol = _open.get(_key(scope.get("server"), scope.get("client")))
    if protocol is None:
        raise ConnectionDropError(
            "cannot drop this connection: serve the app with tether.sandbox.serve_in_thread, "
            "or with uvicorn.Config(app, http=tether.sandbox.AbortableH11Protocol)"
        )
    await protocol.drop(reset=reset)
