"""Stores: memory, SQLite and Redis (Lua) give the same answers as the pure core."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tether import ConfigurationError
from tether._ratelimit import MemoryStore, RedisStore, SQLiteStore, Store
from tether._ratelimit._core import Slot
from tether._ratelimit._gcra import GcraLimit
from tether._ratelimit._window import WindowLimit

from .conftest import FakeClock

StoreFactory = Callable[[FakeClock], Store]


@pytest.fixture(params=["memory", "sqlite", "redis"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    made: list[Store] = []

    def factory(clock: FakeClock) -> Store:
        store: Store
        if request.param == "memory":
            store = MemoryStore(clock=clock)
        elif request.param == "sqlite":
            store = SQLiteStore(tmp_path / f"quota{len(made)}.sqlite", clock=clock)
        else:
            client: Any = request.getfixturevalue("redis_client")
            store = RedisStore(client, clock=clock, prefix=f"t{len(made)}:")
        made.append(store)
        return store

    yield factory
    for store in made:
        if not isinstance(store, RedisStore):
            store.close()


SLOTS = [
    Slot("k|fast", GcraLimit(0.05, burst=3)),
    Slot("k|hour", GcraLimit(2.0, burst=20)),
    Slot("k|window", WindowLimit(7, 1.5)),
]


def scenario(store: Store, clock: FakeClock, seed: int) -> list[tuple[float, int] | None]:
    """A random mix of arrivals, delays, costs and tries; the answers the store gives."""
    rng = random.Random(seed)
    answers: list[tuple[float, int] | None] = []
    for _ in range(120):
        clock.advance(rng.choice([0.0, 0.0, 0.01, 0.03, 0.2, 1.0]))
        slots = rng.sample(SLOTS, rng.randint(1, 3))
        max_wait = rng.choice([None, None, 0.0, 0.1])
        grant = store.reserve(
            slots, delay=rng.choice([0.0, 0.0, 0.25]), cost=rng.randint(1, 2), max_wait=max_wait
        )
        answers.append(None if grant is None else (round(grant.wait, 9), grant.cause))
    return answers


def test_every_store_agrees_with_the_memory_store(make_store: StoreFactory) -> None:
    for seed in range(3):
        reference = scenario(MemoryStore(clock=(ref := FakeClock())), ref, seed)
        clock = FakeClock()
        assert scenario(make_store(clock), clock, seed) == reference


@pytest.mark.parametrize("start", [0.0, 1000.0, 12345.678, 987654.321])
def test_a_full_burst_goes_at_once_whatever_the_clock_reads(
    make_store: StoreFactory, start: float
) -> None:
    """A state built by adding intervals to a large clock value lands a few ulps off; the
    burst must not lose a request to that rounding."""
    clock = FakeClock(start)
    store = make_store(clock)
    for interval, burst in ((0.2, 3), (0.1, 5), (1 / 3, 3), (1 / 7, 4), (0.6, 10)):
        slot = [Slot(f"b{interval}", GcraLimit(interval, burst=burst))]
        granted = [store.reserve(slot, delay=0.0, cost=1, max_wait=0.0) for _ in range(burst + 1)]
        assert all(grant is not None for grant in granted[:burst]), (interval, burst)
        assert granted[burst] is None


def test_refund_returns_the_last_reservation_only(make_store: StoreFactory) -> None:
    clock = FakeClock()
    store = make_store(clock)
    slots = [Slot("r|pace", GcraLimit(1.0))]
    assert store.reserve(slots, delay=0, cost=1, max_wait=None) is not None
    second = store.reserve(slots, delay=0, cost=1, max_wait=None)
    assert second is not None
    assert second.wait == pytest.approx(1.0)
    store.refund(slots, second)
    again = store.reserve(slots, delay=0, cost=1, max_wait=None)
    assert again is not None
    assert again.wait == pytest.approx(1.0)  # the refunded slot was handed out again
    later = store.reserve(slots, delay=0, cost=1, max_wait=None)
    assert later is not None
    store.refund(slots, again)  # not the last one any more: kept
    last = store.reserve(slots, delay=0, cost=1, max_wait=None)
    assert last is not None
    assert last.wait == pytest.approx(3.0)


def test_refund_of_a_first_reservation_forgets_the_slot(make_store: StoreFactory) -> None:
    clock = FakeClock()
    store = make_store(clock)
    slots = [Slot("f|pace", GcraLimit(1.0))]
    first = store.reserve(slots, delay=0, cost=1, max_wait=None)
    assert first is not None
    store.refund(slots, first)
    again = store.reserve(slots, delay=0, cost=1, max_wait=0)
    assert again is not None
    assert again.wait == 0.0


def test_sqlite_state_survives_reopening(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "q.sqlite"
    slots = [Slot("p|pace", GcraLimit(1.0))]
    first = SQLiteStore(path, clock=clock)
    first.reserve(slots, delay=0, cost=1, max_wait=None)
    first.close()
    second = SQLiteStore(path, clock=clock)
    grant = second.reserve(slots, delay=0, cost=1, max_wait=None)
    assert grant is not None
    assert grant.wait == pytest.approx(1.0)
    second.close()


def test_redis_keys_expire_when_idle(redis_client: Any) -> None:
    store = RedisStore(redis_client, prefix="exp:")
    store.reserve([Slot("e|pace", GcraLimit(0.01))], delay=0, cost=1, max_wait=None)
    ttl = redis_client.pttl("exp:e|pace")
    assert 0 < ttl <= 1100


def test_redis_store_uses_the_server_clock_by_default(redis_client: Any) -> None:
    store = RedisStore(redis_client)
    slots = [Slot("c|pace", GcraLimit(0.5))]
    assert store.reserve(slots, delay=0, cost=1, max_wait=None) is not None
    grant = store.reserve(slots, delay=0, cost=1, max_wait=None)
    assert grant is not None
    assert 0.4 < grant.wait <= 0.5


def test_sqlite_store_in_a_missing_folder_says_which_and_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "quota.sqlite"
    with pytest.raises(
        ConfigurationError, match=r"SQLiteStore\(.*quota.sqlite'\): cannot open"
    ) as info:
        SQLiteStore(path)
    assert "does not exist: create it first" in str(info.value)


@pytest.mark.parametrize(
    ("client", "message"),
    [
        (42, r"RedisStore\(client=42\): expected a Redis URL such as 'redis://localhost:6379/0'"),
        ("localhost:6379", r"RedisStore\(client='localhost:6379'\): Redis URL must specify"),
    ],
)
def test_redis_store_refuses_what_is_neither_a_url_nor_a_client(
    client: object, message: str
) -> None:
    pytest.importorskip("redis")
    with pytest.raises(ConfigurationError, match=message):
        RedisStore(client)
