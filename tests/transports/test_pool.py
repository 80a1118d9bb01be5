"""The default backend's pool bookkeeping (``_pool.py``), without sockets: which request
gets which connection, what is kept, closed and queued."""

from __future__ import annotations

from collections.abc import Hashable

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    precondition,
    rule,
)

from tether._transports._pool import ConnectionBook, Ticket


class Fake:
    """A connection as the pool sees it: new (not idle) until a response on it ends."""

    made = 0

    def __init__(self, origin: Hashable) -> None:
        Fake.made += 1
        self.number = Fake.made
        self.origin = origin
        self.idle = False
        self.closed = False
        self.expired = False

    def is_idle(self) -> bool:
        return self.idle and not self.closed

    def is_closed(self) -> bool:
        return self.closed

    def has_expired(self) -> bool:
        return self.expired

    def __repr__(self) -> str:
        return f"<Fake {self.number} {self.origin}>"


def book(
    max_connections: int | None = 10, max_keepalive: int | None = None
) -> ConnectionBook[Fake]:
    return ConnectionBook(Fake, max_connections=max_connections, max_keepalive=max_keepalive)


def granted(ticket: Ticket[Fake]) -> Fake:
    assert ticket.connection is not None, "ticket not granted"
    return ticket.connection


def done(pool: ConnectionBook[Fake], ticket: Ticket[Fake]) -> Fake:
    """The response on the ticket's connection ended cleanly: give it back, idle."""
    connection = granted(ticket)
    connection.idle = True
    pool.release(ticket.origin, connection)
    return connection


def test_a_released_connection_is_reused_last_in_first_out_per_origin() -> None:
    pool = book()
    tickets = [pool.acquire("a") for _ in range(3)]
    first, second, third = (done(pool, ticket) for ticket in tickets)
    assert len({first, second, third}) == 3
    assert pool.idle_connections("a") == [third, second, first]
    assert granted(pool.acquire("a")) is third
    assert granted(pool.acquire("a")) is second
    assert granted(pool.acquire("b")) not in (first, second, third)
    assert pool.open == 4


def test_connections_are_kept_per_origin() -> None:
    pool = book()
    a = done(pool, pool.acquire("a"))
    b = done(pool, pool.acquire("b"))
    assert granted(pool.acquire("a")) is a
    assert granted(pool.acquire("b")) is b


def test_a_full_pool_queues_and_counts_every_connection() -> None:
    pool = book(max_connections=2)
    first, second = pool.acquire("a"), pool.acquire("b")
    third = pool.acquire("a")
    assert (first.granted, second.granted, third.granted) == (True, True, False)
    assert (pool.open, pool.waiting) == (2, 1)


def test_waiters_are_served_first_come_first_served_one_at_a_time() -> None:
    pool = book(max_connections=1)
    holder = pool.acquire("a")
    woken: list[str] = []
    waiters = [pool.acquire("a") for _ in range(3)]
    for name, waiter in zip("xyz", waiters, strict=True):
        waiter.wake = lambda name=name: woken.append(name)  # type: ignore[misc]
    connection = done(pool, holder)
    assert woken == ["x"]
    assert granted(waiters[0]) is connection
    assert not waiters[1].granted
    done(pool, waiters[0])
    assert woken == ["x", "y"]
    done(pool, waiters[1])
    done(pool, waiters[2])
    assert woken == ["x", "y", "z"]
    assert (pool.open, pool.idle, pool.waiting) == (1, 1, 0)


def test_a_newcomer_queues_behind_the_waiters() -> None:
    pool = book(max_connections=1)
    holder = pool.acquire("a")
    waiter = pool.acquire("a")
    done(pool, holder)  # handed to the waiter, not kept idle for a newcomer
    assert waiter.granted
    assert not pool.acquire("a").granted


def test_surplus_idle_connections_are_closed_oldest_first() -> None:
    pool = book(max_connections=5, max_keepalive=2)
    tickets = [pool.acquire("a") for _ in range(4)]
    released = [done(pool, ticket) for ticket in tickets]
    assert list(pool.take_closing()) == released[:2]
    assert pool.idle_connections("a") == [released[3], released[2]]
    assert (pool.open, pool.idle) == (2, 2)


def test_no_keepalive_closes_every_released_connection() -> None:
    pool = book(max_keepalive=0)
    connection = done(pool, pool.acquire("a"))
    assert list(pool.take_closing()) == [connection]
    assert (pool.open, pool.idle) == (0, 0)


def test_keepalive_is_capped_by_max_connections() -> None:
    assert book(max_connections=3, max_keepalive=10).max_keepalive == 3
    assert book(max_connections=3, max_keepalive=None).max_keepalive == 3
    assert book(max_connections=None, max_keepalive=None).max_keepalive is None


def test_expired_idle_connections_are_dropped_when_met() -> None:
    pool = book()
    tickets = [pool.acquire("a"), pool.acquire("a")]
    old, new = (done(pool, ticket) for ticket in tickets)
    old.expired = True
    # The oldest idle connection is looked at on every acquire, whatever the origin.
    fresh = granted(pool.acquire("b"))
    assert list(pool.take_closing()) == [old]
    assert fresh not in (old, new)
    assert (pool.open, pool.idle) == (2, 1)


def test_an_expired_or_closed_connection_on_top_is_skipped() -> None:
    pool = book()
    tickets = [pool.acquire("a"), pool.acquire("a")]
    below, top = (done(pool, ticket) for ticket in tickets)
    top.closed = True  # the server's close noticed; the oldest is still fine
    assert granted(pool.acquire("a")) is below
    assert list(pool.take_closing()) == [top]
    assert pool.open == 1


def test_expiry_is_checked_on_release_too() -> None:
    pool = book()
    first, busy = pool.acquire("a"), pool.acquire("a")
    idle = done(pool, first)
    idle.expired = True
    done(pool, busy)
    assert idle in pool.take_closing()
    assert pool.idle == 1


def test_a_full_pool_closes_another_origins_idle_connection_for_a_new_one() -> None:
    pool = book(max_connections=2)
    tickets = [pool.acquire("a"), pool.acquire("a")]
    a1, a2 = (done(pool, ticket) for ticket in tickets)
    b = granted(pool.acquire("b"))
    assert b.origin == "b"
    assert list(pool.take_closing()) == [a1]  # the coldest one
    assert pool.idle_connections("a") == [a2]
    assert (pool.open, pool.idle) == (2, 1)


def test_a_released_connection_of_another_origin_becomes_the_waiters_slot() -> None:
    pool = book(max_connections=1)
    holder = pool.acquire("a")
    waiter = pool.acquire("b")
    a = done(pool, holder)
    assert list(pool.take_closing()) == [a]
    assert granted(waiter).origin == "b"
    assert pool.open == 1


def test_a_connection_that_cannot_be_reused_frees_its_slot() -> None:
    pool = book()
    ticket = pool.acquire("a")
    connection = granted(ticket)
    connection.closed = True  # the server closed it mid-response
    pool.release("a", connection)
    assert list(pool.take_closing()) == [connection]
    assert (pool.open, pool.idle) == (0, 0)


def test_discard_frees_a_slot_for_a_waiter() -> None:
    pool = book(max_connections=1)
    holder = pool.acquire("a")
    waiter = pool.acquire("a")
    broken = granted(holder)
    pool.discard(broken)
    assert list(pool.take_closing()) == [broken]
    assert granted(waiter) is not broken
    assert (pool.open, pool.waiting) == (1, 0)
    pool.discard(granted(waiter))
    assert (pool.open, pool.idle) == (0, 0)


def test_a_cancelled_waiter_leaves_the_queue() -> None:
    pool = book(max_connections=1)
    holder = pool.acquire("a")
    gone, staying = pool.acquire("a"), pool.acquire("a")
    pool.cancel(gone)
    pool.cancel(gone)  # twice is harmless
    assert pool.waiting == 1
    connection = done(pool, holder)
    assert not gone.granted
    assert granted(staying) is connection


def test_a_waiter_cancelled_after_its_grant_gives_the_connection_back() -> None:
    pool = book(max_connections=1)
    holder = pool.acquire("a")
    late, next_one = pool.acquire("a"), pool.acquire("a")
    connection = done(pool, holder)
    assert granted(late) is connection
    pool.cancel(late)  # it timed out just as the connection came
    assert granted(next_one) is connection
    pool.cancel(next_one)
    assert (pool.open, pool.idle, pool.waiting) == (1, 1, 0)


def test_a_new_connection_granted_to_a_cancelled_waiter_frees_its_slot() -> None:
    pool = book(max_connections=1)
    holder = pool.acquire("a")
    waiter = pool.acquire("a")
    pool.discard(granted(holder))
    fresh = granted(waiter)
    pool.cancel(waiter)
    assert fresh in pool.take_closing()
    assert (pool.open, pool.idle) == (0, 0)


def test_close_gives_up_every_connection_and_serves_the_waiters_afresh() -> None:
    pool = book(max_connections=2)
    first, second = pool.acquire("a"), pool.acquire("a")
    idle, busy = done(pool, first), granted(second)
    assert granted(pool.acquire("a")) is idle
    third = pool.acquire("a")
    late = pool.acquire("a")
    assert not third.granted
    pool.close()
    assert set(pool.take_closing()) == {idle, busy}
    assert granted(third) not in (idle, busy)
    assert granted(late) not in (idle, busy, granted(third))
    assert late.granted
    assert (pool.open, pool.idle, pool.waiting) == (2, 0, 0)
    # A connection given back after close is closed, not counted again.
    busy.idle = True
    pool.release("a", busy)
    assert list(pool.take_closing()) == [busy]
    assert pool.open == 2


def test_no_limit_never_queues() -> None:
    pool = book(max_connections=None)
    assert all(pool.acquire("a").granted for _ in range(1000))
    assert pool.open == 1000


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"max_connections": 0}, r"limits: max_connections=0 leaves no connection"),
        ({"max_keepalive": -1}, r"limits: max_keepalive_connections=-1 must be 0 or more"),
    ],
)
def test_impossible_limits_are_explained(limits: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        book(**limits)  # type: ignore[arg-type]


ORIGINS = st.sampled_from(["a", "b", "c"])


class PoolMachine(RuleBasedStateMachine):
    """Random acquires, releases, discards, cancels, expiries and closes; the pool's
    promises hold after every step."""

    holding = Bundle("holding")

    def __init__(self) -> None:
        super().__init__()
        self.pool: ConnectionBook[Fake] = book(max_connections=3, max_keepalive=2)
        self.waiting: list[Ticket[Fake]] = []
        self.woken: list[Ticket[Fake]] = []

    def _wake(self, ticket: Ticket[Fake]) -> None:
        assert ticket in self.waiting, "a ticket was woken twice or never queued"
        self.waiting.remove(ticket)
        self.woken.append(ticket)

    @rule(target=holding, origin=ORIGINS)
    def acquire(self, origin: str) -> object:
        ticket = self.pool.acquire(origin)
        if ticket.granted:
            assert granted(ticket).origin == origin
            return multiple(ticket)
        ticket.wake = lambda: self._wake(ticket)
        self.waiting.append(ticket)
        return multiple()

    @precondition(lambda self: self.woken)
    @rule(target=holding)
    def collect_woken(self) -> object:
        woken, self.woken = self.woken, []
        return multiple(*woken)

    @rule(ticket=consumes(holding), reusable=st.booleans())
    def release(self, ticket: Ticket[Fake], reusable: bool) -> None:
        connection = granted(ticket)
        assert connection in self.pool.in_use
        connection.idle = reusable
        connection.closed = not reusable
        self.pool.release(ticket.origin, connection)

    @rule(ticket=consumes(holding))
    def discard(self, ticket: Ticket[Fake]) -> None:
        self.pool.discard(granted(ticket))

    @precondition(lambda self: self.waiting)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        ticket = data.draw(st.sampled_from(self.waiting))
        self.waiting.remove(ticket)
        self.pool.cancel(ticket)

    @rule(origin=ORIGINS, data=st.data())
    def expire(self, origin: str, data: st.DataObject) -> None:
        idle = self.pool.idle_connections(origin)
        if idle:
            data.draw(st.sampled_from(idle)).expired = True

    @invariant()
    def promises_hold(self) -> None:
        pool = self.pool
        idle = [c for origin in "abc" for c in pool.idle_connections(origin)]
        in_use = pool.in_use
        assert pool.open <= 3
        assert pool.idle <= 2 == pool.max_keepalive
        assert len(idle) == pool.idle == len(set(idle))
        assert not set(idle) & in_use, "a connection both idle and in use"
        assert pool.open == len(in_use) + pool.idle, "a slot was lost or counted twice"
        assert pool.waiting == len(self.waiting)
        if pool.waiting:
            assert (pool.open, pool.idle) == (3, 0), "a waiter starves beside a free slot"
        for connection in pool.take_closing():
            assert connection not in in_use
            assert connection not in idle
            connection.closed = True
        assert all(not c.closed for c in in_use | set(idle))
        assert all(c.origin == origin for origin in "abc" for c in pool.idle_connections(origin))


TestPoolMachine = PoolMachine.TestCase
