"""Where limiter state lives, and the in-process default.

A store answers one question atomically: "reserve the next slot for a request bound by
these limits, and tell me how long to wait". Everything that spends one quota must use
one store: a :class:`MemoryStore` is shared by the clients of one process,
:class:`~tether.SQLiteStore` by the processes of one machine, :class:`~tether.RedisStore`
by machines.

Each store also owns its clock, because stored times must mean the same thing to every
user of the store: a monotonic clock inside one process, wall-clock time in a file that
outlives processes, the Redis server's clock across machines. Callers therefore pass
*delays* ("not before 0.3 s from now") and receive delays, never absolute times.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, cast, runtime_checkable

from tether._errors import ConfigurationTypeError
from tether._ratelimit._core import Slot, reserve

__all__ = ["Grant", "MemoryStore", "Store", "check_callable"]


def check_callable(owner: str, name: str, value: object, *, default: str) -> None:
    """Refuse a clock or sleep function that is not callable, before its first use."""
    if not callable(value):
        raise ConfigurationTypeError(
            f"{owner}({name}={value!r}): expected a function; leave it out for the "
            f"default ({default})"
        )


@dataclass(frozen=True, slots=True)
class Grant:
    """A reserved slot: wait ``wait`` seconds, then send."""

    wait: float
    cause: int
    """Index of the slot that made the request wait, -1 for none (or only ``delay``)."""
    token: tuple[tuple[object, object], ...]
    """Per slot: (state stored by this grant, state before it), to undo it on cancel.
    Opaque: each store keeps them in its own form."""


@runtime_checkable
class Store(Protocol):
    """The interface every limiter store implements."""

    blocking: bool
    """True when calls may block on I/O, so async callers run them in a worker thread."""

    def reserve(
        self, slots: Sequence[Slot], *, delay: float, cost: int, max_wait: float | None
    ) -> Grant | None:
        """Reserve atomically; ``None`` when the wait would exceed ``max_wait``."""
        ...

    def refund(self, slots: Sequence[Slot], grant: Grant) -> None:
        """Give a reservation back if nobody has reserved after it (else keep it: safe)."""
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...


def encode(state: Sequence[float]) -> str:
    """Exact, compact text form of a state (``repr`` round-trips floats)."""
    return ",".join(repr(float(value)) for value in state)


def decode(text: str | bytes | None) -> tuple[float, ...]:
    """Inverse of :func:`encode`; a missing state is the empty (fresh) state."""
    if not text:
        return ()
    if isinstance(text, bytes):
        text = text.decode()
    return tuple(float(part) for part in text.split(","))


def expiry(slots: Sequence[Slot], states: Sequence[Sequence[float]], now: float) -> float:
    """When every one of these states has become equivalent to a fresh one."""
    latest = now
    for slot, state in zip(slots, states, strict=True):
        if state:
            latest = max(latest, max(state) + slot.limit.horizon)
    return latest


class MemoryStore:
    """State in a dict guarded by a lock: shared by every client in this process.

    Operations take microseconds and never wait on I/O, so async callers use them
    directly. Idle entries are swept now and then so a client calling many hosts does not
    grow without bound.
    """

    blocking = False
    _SWEEP_EVERY = 4096

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        check_callable("MemoryStore", "clock", clock, default="time.monotonic")
        self.clock = clock
        self._lock = threading.Lock()
        self._states: dict[str, tuple[tuple[float, ...], float]] = {}
        self._calls = 0

    def reserve(
        self, slots: Sequence[Slot], *, delay: float, cost: int, max_wait: float | None
    ) -> Grant | None:
        with self._lock:
            now = self.clock()
            states = [self._states.get(slot.name, ((), 0.0))[0] for slot in slots]
            granted = reserve(
                slots, states, now=now, not_before=now + delay, cost=cost, max_wait=max_wait
            )
            if granted is None:
                return None
            expires = expiry(slots, granted.states, now)
            for slot, state in zip(slots, granted.states, strict=True):
                self._states[slot.name] = (state, expires)
            self._calls += 1
            if self._calls % self._SWEEP_EVERY == 0:
                self._sweep(now)
        token = tuple(zip(granted.states, states, strict=True))
        return Grant(granted.at - now, granted.cause, token)

    def refund(self, slots: Sequence[Slot], grant: Grant) -> None:
        with self._lock:
            for slot, (new, old) in zip(slots, grant.token, strict=True):
                current = self._states.get(slot.name)
                if current is not None and current[0] == new:
                    self._states[slot.name] = (cast(tuple[float, ...], old), current[1])

    def close(self) -> None:
        with self._lock:
            self._states.clear()

    def _sweep(self, now: float) -> None:
        for name in [name for name, (_, expires) in self._states.items() if expires < now]:
            del self._states[name]

    def __repr__(self) -> str:
        return f"MemoryStore(slots={len(self._states)})"
