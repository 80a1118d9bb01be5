"""The connection cap of the fast backends, with httpx2's meaning and its ``PoolTimeout``.

httpx2 counts a connection busy from the request until its response body is closed, and
bounds the wait for a free one by the ``pool`` timeout. aiohttp frees a connection as soon
as the body has arrived, whether or not it was read, and pyreqwest caps only requests
awaiting headers, so neither keeps that promise by itself: each backend holds one slot of
a semaphore from the request until its body is closed.
"""

from __future__ import annotations

import asyncio
import threading

import httpx2

__all__ = ["AsyncGate", "Gate"]


def _pool_timeout(request: httpx2.Request) -> float | None:
    phases = request.extensions.get("timeout")
    return None if phases is None else phases.get("pool")


def _refused(request: httpx2.Request) -> httpx2.PoolTimeout:
    return httpx2.PoolTimeout("no connection came free within the pool timeout", request=request)


class Gate:
    """At most ``limit`` requests between :meth:`enter` and :meth:`leave` (threads)."""

    def __init__(self, limit: int | None) -> None:
        self._slots = None if limit is None else threading.BoundedSemaphore(limit)

    def enter(self, request: httpx2.Request) -> None:
        slots = self._slots
        if slots is None or slots.acquire(blocking=False):
            return
        if not slots.acquire(timeout=_pool_timeout(request)):
            raise _refused(request)

    def leave(self) -> None:
        if self._slots is not None:
            self._slots.release()


class AsyncGate:
    """At most ``limit`` requests between :meth:`enter` and :meth:`leave` (one event loop)."""

    def __init__(self, limit: int | None) -> None:
        self._slots = None if limit is None else asyncio.Semaphore(limit)

    async def enter(self, request: httpx2.Request) -> None:
        slots = self._slots
        if slots is None:
            return
        if not slots.locked():
            await slots.acquire()  # returns at once: a slot is free
            return
        try:
            await asyncio.wait_for(slots.acquire(), _pool_timeout(request))
        except TimeoutError:
            raise _refused(request) from None

    def leave(self) -> None:
        if self._slots is not None:
            self._slots.release()
