"""The default backend's connection pool: who sends on which connection. Pure, no I/O.

httpcore2's pool reassigns every queued request to every connection on each request and
each release, so its cost per request grows with the number of requests in flight. This
one does a constant amount of work per acquire, release and discard:

- Idle connections are kept per origin, last in first out: the hottest socket is reused
  and the coldest sits at the bottom, where the keep-alive expiry takes it. One ordered
  index over all idle connections, oldest first, finds the expired ones (a connection
  released earlier expires earlier) and the one to close when another origin needs the
  slot, without a walk.
- A count of open connections (idle, in use, or being opened) is held against
  ``max_connections``. The pool creates connection objects through a factory that does
  no I/O; the shell that acquired one opens it by sending on it.
- Requests that find the pool full wait in one first-come, first-served queue, and are
  served one at a time: a released connection goes straight to the head of the queue
  (or, for another origin, is closed and its slot handed over with a new connection), so
  a newcomer never overtakes a waiter.

Connections the pool gives up are collected for :meth:`ConnectionBook.take_closing`: the
shell closes them outside its lock. Not thread-safe: the sync shell holds a lock around
every call; the async shell calls it without awaiting in between.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, Protocol, TypeVar

__all__ = ["ConnectionBook", "PooledConnection", "Ticket"]


class PooledConnection(Protocol):
    """What the pool asks of a connection (httpcore2's connections answer all three)."""

    def is_idle(self) -> bool:
        """Connected, with no request on it."""
        ...

    def is_closed(self) -> bool:
        """Closed, by either side or by a failed connect."""
        ...

    def has_expired(self) -> bool:
        """Idle for longer than the keep-alive expiry."""
        ...


C = TypeVar("C", bound=PooledConnection)


class Ticket(Generic[C]):
    """One request's claim on a connection, and how to wake it once granted.

    ``connection`` is set when the claim is granted: an idle connection to reuse, or a
    new one (not yet connected) to open. ``wake`` is set by a shell before it waits and is
    called, under the shell's lock, when the claim is granted.
    """

    __slots__ = ("cancelled", "connection", "origin", "wake")

    def __init__(self, origin: Hashable) -> None:
        self.origin = origin
        self.connection: C | None = None
        self.cancelled = False
        self.wake: Callable[[], None] | None = None

    @property
    def granted(self) -> bool:
        """Whether the ticket holds a connection to send on."""
        return self.connection is not None


class ConnectionBook(Generic[C]):
    """The pool's state: idle connections, the open count and the queue of waiters.

    ``factory(origin)`` makes a connection object for ``origin`` without connecting.
    ``max_connections``/``max_keepalive`` of ``None`` mean no limit; the keep-alive limit
    never exceeds the connection limit.
    """

    def __init__(
        self,
        factory: Callable[[Hashable], C],
        *,
        max_connections: int | None,
        max_keepalive: int | None,
    ) -> None:
        if max_connections is not None and max_connections < 1:
            raise ValueError(
                f"limits: max_connections={max_connections} leaves no connection to send "
                "on: pass httpx2.Limits(max_connections=1 or more, or None for no limit)"
            )
        if max_keepalive is not None and max_keepalive < 0:
            raise ValueError(
                f"limits: max_keepalive_connections={max_keepalive} must be 0 or more "
                "(or None: as many as max_connections)"
            )
        self._factory = factory
        self.max_connections = max_connections
        keep = max_keepalive if max_keepalive is not None else max_connections
        if keep is not None and max_connections is not None:
            keep = min(keep, max_connections)
        self.max_keepalive = keep
        self.open = 0
        """Connections counted against ``max_connections``: idle, in use or opening."""
        self._idle: dict[Hashable, OrderedDict[C, None]] = {}
        self._idle_by_age: OrderedDict[C, Hashable] = OrderedDict()
        self._in_use: set[C] = set()
        self._queue: deque[Ticket[C]] = deque()
        self._waiting = 0
        self._closing: list[C] = []

    # -- what the shells call ---------------------------------------------------------

    def acquire(self, origin: Hashable) -> Ticket[C]:
        """A ticket for a request to ``origin``: granted at once when an idle connection or
        a free slot is there, else queued (the shell waits for ``wake``)."""
        ticket: Ticket[C] = Ticket(origin)
        self._drop_expired()
        if self._waiting:
            # Waiters exist only while every slot is busy; a newcomer queues behind them.
            self._enqueue(ticket)
            return ticket
        connection = self._pop_idle(origin)
        if connection is None:
            if self.max_connections is not None and self.open >= self.max_connections:
                if not self._idle_by_age:
                    self._enqueue(ticket)
                    return ticket
                # Full, but another origin has an idle connection: its slot serves this one.
                self._close_oldest_idle()
            else:
                self.open += 1
            connection = self._factory(origin)
        self._grant(ticket, connection)
        return ticket

    def release(self, origin: Hashable, connection: C) -> None:
        """A request on ``connection`` to ``origin`` is over (its response closed): keep
        the connection for reuse if it can serve another request, else close it."""
        if connection not in self._in_use:
            # Given back after close(), which already closed it.
            self._closing.append(connection)
            return
        self._in_use.discard(connection)
        if not _reusable(connection):
            self._closing.append(connection)
            self._free_slot()
            return
        head = self._head()
        if head is None:
            self._keep_idle(origin, connection)
        elif head.origin == origin:
            self._queue.popleft()
            self._waiting -= 1
            self._grant(head, connection)
        else:
            # The first waiter wants another origin: this slot becomes its connection.
            self._closing.append(connection)
            self._hand_slot_to_head()
        self._drop_expired()

    def discard(self, connection: C) -> None:
        """``connection`` cannot be used (it failed, or was found unavailable): close it and
        free its slot."""
        if connection not in self._in_use:
            self._closing.append(connection)
            return
        self._in_use.discard(connection)
        self._closing.append(connection)
        self._free_slot()

    def cancel(self, ticket: Ticket[C]) -> None:
        """The request holding ``ticket`` gave up (timed out or cancelled): leave the
        queue, or give back what it was granted in the meantime, unused."""
        if ticket.cancelled:
            return
        ticket.cancelled = True
        connection = ticket.connection
        if connection is None:
            # Still queued: skipped when it reaches the head (removal in the middle of a
            # deque would cost a walk).
            self._waiting -= 1
            return
        ticket.connection = None
        if _reusable(connection):
            self.release(ticket.origin, connection)
        else:
            # A new connection never opened: nothing to reuse, its slot is free again.
            self.discard(connection)

    def close(self) -> None:
        """Give up every connection, idle or in use (the in-use ones are closed under
        their requests, as httpcore2's pool does). Waiters are served afresh."""
        self._closing.extend(self._idle_by_age)
        self._closing.extend(self._in_use)
        self._idle.clear()
        self._idle_by_age.clear()
        self._in_use.clear()
        self.open = 0
        while self._head() is not None:
            self.open += 1
            self._hand_slot_to_head()

    def take_closing(self) -> Sequence[C]:
        """The connections the pool gave up since the last call, for the shell to close."""
        if not self._closing:
            return ()
        closing, self._closing = self._closing, []
        return closing

    # -- what tests and reprs read ----------------------------------------------------

    @property
    def idle(self) -> int:
        """Idle connections kept for reuse."""
        return len(self._idle_by_age)

    @property
    def in_use(self) -> frozenset[C]:
        """Connections granted to a request and not yet given back."""
        return frozenset(self._in_use)

    @property
    def waiting(self) -> int:
        """Requests queued for a connection."""
        return self._waiting

    def idle_connections(self, origin: Hashable) -> list[C]:
        """The idle connections of ``origin``, the next to be reused first."""
        return list(reversed(self._idle.get(origin, ())))

    # -- the bookkeeping ----------------------------------------------------------------

    def _grant(self, ticket: Ticket[C], connection: C) -> None:
        self._in_use.add(connection)
        ticket.connection = connection
        if ticket.wake is not None:
            ticket.wake()

    def _enqueue(self, ticket: Ticket[C]) -> None:
        self._queue.append(ticket)
        self._waiting += 1

    def _head(self) -> Ticket[C] | None:
        queue = self._queue
        while queue and queue[0].cancelled:
            queue.popleft()
        return queue[0] if queue else None

    def _hand_slot_to_head(self) -> None:
        """A slot came free (and is still counted in ``open``): the head waiter opens a new
        connection in it."""
        head = self._queue.popleft()
        self._waiting -= 1
        self._grant(head, self._factory(head.origin))

    def _free_slot(self) -> None:
        if self._head() is None:
            self.open -= 1
        else:
            self._hand_slot_to_head()

    def _keep_idle(self, origin: Hashable, connection: C) -> None:
        stack = self._idle.get(origin)
        if stack is None:
            stack = self._idle[origin] = OrderedDict()
        stack[connection] = None
        self._idle_by_age[connection] = origin
        keep = self.max_keepalive
        if keep is not None:
            while len(self._idle_by_age) > keep:
                self._close_oldest_idle()
                self.open -= 1

    def _pop_idle(self, origin: Hashable) -> C | None:
        """The most recently released usable idle connection of ``origin``; unusable ones
        met on the way are closed."""
        stack = self._idle.get(origin)
        while stack:
            connection, _ = stack.popitem(last=True)
            del self._idle_by_age[connection]
            if not stack:
                del self._idle[origin]
            if connection.is_closed() or connection.has_expired():
                self._closing.append(connection)
                self.open -= 1
                continue
            return connection
        return None

    def _close_oldest_idle(self) -> None:
        """Close the idle connection released longest ago (its slot stays counted)."""
        connection, origin = self._idle_by_age.popitem(last=False)
        stack = self._idle[origin]
        del stack[connection]
        if not stack:
            del self._idle[origin]
        self._closing.append(connection)

    def _drop_expired(self) -> None:
        """Close idle connections past their keep-alive expiry, oldest first: they expire
        in the order they were released, so the first one still alive ends the look."""
        by_age = self._idle_by_age
        while by_age:
            oldest = next(iter(by_age))
            if not (oldest.has_expired() or oldest.is_closed()):
                return
            self._close_oldest_idle()
            self.open -= 1


def _reusable(connection: PooledConnection) -> bool:
    return connection.is_idle() and not connection.is_closed() and not connection.has_expired()
