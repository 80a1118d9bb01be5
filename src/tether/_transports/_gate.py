"""The connection cap of the fast backends, with httpx2's meaning and its ``PoolTimeout``.

httpx2 counts a connection busy from the request until its response body is closed, and
bounds the wait for a free one by the ``pool`` timeout. aiohttp frees a connection as soon
as the body has arrived, whether or not it was read, and pyreqwest caps only requests
awaiting headers, so neither keeps that promise by itself: each backend holds one slot of
a gate from the request until its body is closed.

The gates are counters rather than ``threading.BoundedSemaphore`` and ``asyncio.Semaphore``
because every request passes one twice: a free slot is taken with one test, and the
semaphores' extra locking and coroutines were a sizeable part of the backends' own cost
per request. A slot that comes free goes straight to the longest waiter, first come first
served.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque

import httpx2

__all__ = ["AsyncGate", "Gate"]


def _pool_timeout(request: httpx2.Request) -> float | None:
    phases = request.extensions.get("timeout")
    return None if phases is None else phases.get("pool")


def _refused(request: httpx2.Request) -> httpx2.PoolTimeout:
    return httpx2.PoolTimeout("no connection came free within the pool timeout", request=request)


class Gate:
    """At most ``limit`` requests between :meth:`enter` and :meth:`leave` (threads);
    ``None`` for no limit."""

    def __init__(self, limit: int | None) -> None:
        self._capped = limit is not None
        self._free = 0 if limit is None else limit
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)
        self._waiting = 0
        self._handed = 0  # slots given to waiters and not yet taken by one

    def enter(self, request: httpx2.Request) -> None:
        if not self._capped:
            return
        with self._lock:
            if self._free:  # slots are free only while every waiter has been handed one
                self._free -= 1
                return
            self._waiting += 1
            try:
                handed = self._freed.wait_for(lambda: self._handed > 0, _pool_timeout(request))
                if handed:
                    self._handed -= 1
            finally:
                self._waiting -= 1
        if not handed:
            raise _refused(request)

    def leave(self) -> None:
        if not self._capped:
            return
        with self._lock:
            if self._waiting > self._handed:
                self._handed += 1
                self._freed.notify()
            else:
                self._free += 1


class AsyncGate:
    """At most ``limit`` requests between :meth:`enter` and :meth:`leave` (one event
    loop); ``None`` for no limit."""

    def __init__(self, limit: int | None) -> None:
        self._capped = limit is not None
        self._free = 0 if limit is None else limit
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def enter(self, request: httpx2.Request) -> None:
        if not self._capped:
            return
        if self._free:  # slots are free only while no one waits
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            await asyncio.wait_for(waiter, _pool_timeout(request))
        except BaseException as error:
            if waiter.done() and not waiter.cancelled():
                # A slot was handed over just as the wait ended: pass it on.
                self.leave()
            elif waiter in self._waiting:
                # Not there when a slot freed while the timeout was cancelling the waiter:
                # leave() then skipped it and kept the slot.
                self._waiting.remove(waiter)
            if isinstance(error, TimeoutError):
                raise _refused(request) from None
            raise

    def leave(self) -> None:
        if not self._capped:
            return
        waiting = self._waiting
        while waiting:
            waiter = waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1
