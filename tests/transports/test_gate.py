"""The fast backends' connection cap (``_transports/_gate.py``): a slot per request until
its body is closed, a ``PoolTimeout`` past the pool timeout, first come first served."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx2
import pytest

from tether._transports._gate import AsyncGate, Gate


def _request(pool: float | None) -> httpx2.Request:
    return httpx2.Request(
        "GET", "http://127.0.0.1/", extensions={"timeout": {"pool": pool, "read": None}}
    )


def test_sync_gate_caps_and_refuses_past_the_pool_timeout() -> None:
    gate = Gate(2)
    gate.enter(_request(None))
    gate.enter(_request(None))
    started = time.monotonic()
    with pytest.raises(httpx2.PoolTimeout, match="pool timeout"):
        gate.enter(_request(0.05))
    assert 0.04 < time.monotonic() - started < 2.0
    gate.leave()
    gate.enter(_request(0.05))  # the freed slot is taken at once


def test_sync_gate_hands_freed_slots_to_waiters_in_arrival_order() -> None:
    gate = Gate(1)
    gate.enter(_request(None))
    order: list[int] = []

    def wait(number: int) -> None:
        gate.enter(_request(5.0))
        order.append(number)
        gate.leave()

    threads = []
    for number in range(4):
        thread = threading.Thread(target=wait, args=(number,))
        thread.start()
        threads.append(thread)
        deadline = time.monotonic() + 5.0
        while gate._waiting <= number and time.monotonic() < deadline:
            time.sleep(0.001)
    gate.leave()
    for thread in threads:
        thread.join(5.0)
    assert order == [0, 1, 2, 3]
    gate.enter(_request(0.0))  # every slot came back
    with pytest.raises(httpx2.PoolTimeout):
        gate.enter(_request(0.0))


def test_sync_gate_without_limit_never_waits() -> None:
    gate = Gate(None)
    for _ in range(1000):
        gate.enter(_request(0.0))
    gate.leave()


async def test_async_gate_caps_and_refuses_past_the_pool_timeout() -> None:
    gate = AsyncGate(2)
    await gate.enter(_request(None))
    await gate.enter(_request(None))
    with pytest.raises(httpx2.PoolTimeout, match="pool timeout"):
        await gate.enter(_request(0.05))
    assert not gate._waiting  # the refused request left the queue
    gate.leave()
    await gate.enter(_request(0.0))


async def test_async_gate_hands_freed_slots_to_waiters_in_arrival_order() -> None:
    gate = AsyncGate(1)
    await gate.enter(_request(None))
    order: list[int] = []

    async def wait(number: int) -> None:
        await gate.enter(_request(5.0))
        order.append(number)
        await asyncio.sleep(0)
        gate.leave()

    tasks = [asyncio.create_task(wait(number)) for number in range(4)]
    await asyncio.sleep(0.01)
    gate.leave()
    await asyncio.wait_for(asyncio.gather(*tasks), 5.0)
    assert order == [0, 1, 2, 3]
    await gate.enter(_request(0.0))
    with pytest.raises(httpx2.PoolTimeout):
        await gate.enter(_request(0.0))


async def test_async_gate_passes_on_a_slot_handed_to_a_cancelled_waiter() -> None:
    gate = AsyncGate(1)
    await gate.enter(_request(None))
    first = asyncio.create_task(gate.enter(_request(None)))
    second = asyncio.create_task(gate.enter(_request(None)))
    await asyncio.sleep(0.01)
    gate.leave()  # hands the slot to the first waiter ...
    first.cancel()  # ... which is cancelled before it runs again
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 5.0)  # the slot went on to the next waiter
    gate.leave()
    await gate.enter(_request(0.0))


async def test_async_gate_drops_a_cancelled_waiter_from_the_queue() -> None:
    gate = AsyncGate(1)
    await gate.enter(_request(None))
    waiter = asyncio.create_task(gate.enter(_request(None)))
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert not gate._waiting
    gate.leave()
    await gate.enter(_request(0.0))  # the slot was not given to the cancelled waiter


async def test_async_gate_times_out_cleanly_when_a_slot_frees_during_the_timeout() -> None:
    # A timed-out wait cancels the waiter and yields once more before the gate sees the
    # timeout; a slot freed in that moment skips the cancelled waiter. The caller must
    # still get a PoolTimeout (not an error from the gate's own queue), and the slot
    # must stay free.
    gate = AsyncGate(1)
    await gate.enter(_request(None))
    waiting = asyncio.create_task(gate.enter(_request(0.05)))
    await asyncio.sleep(0)
    (waiter,) = gate._waiting
    waiter.add_done_callback(lambda _: gate.leave())
    with pytest.raises(httpx2.PoolTimeout):
        await waiting
    await asyncio.wait_for(gate.enter(_request(None)), 1.0)
