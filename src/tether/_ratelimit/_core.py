"""One reservation across several limits at once, pure and clock-free.

A request may be bound by several limits (``"10/s"`` and ``"500/h"``, a route's limit and
its host's, the pace learned from the server). It is sent at the earliest time that
conforms to *all* of them, and every limit records that same time, so a later limit
never sees a request at a moment other than when it really goes out. Stores call
:func:`reserve` inside whatever makes them atomic (a lock, a SQLite write transaction);
the Redis store runs the same rules as a Lua script.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from tether._ratelimit._gcra import GcraLimit
from tether._ratelimit._window import WindowLimit

__all__ = ["Limit", "Reservation", "Slot", "reserve", "slot_id"]

ROUNDING = 1e-9
"""Seconds of float rounding ignored when comparing times: a state built by adding
intervals to a large clock value lands a few ulps off, and a burst must not lose a request
to that (the Redis script uses the same figure)."""

Limit: TypeAlias = GcraLimit | WindowLimit


@dataclass(frozen=True, slots=True)
class Slot:
    """A limit and the name its state is stored under (shared by everyone using the name)."""

    name: str
    limit: Limit


@dataclass(frozen=True, slots=True)
class Reservation:
    """A granted request: when it may go, and the states to store for each slot."""

    at: float
    states: tuple[tuple[float, ...], ...]
    cause: int
    """Index of the slot that set ``at``, or -1 when nothing held the request back but
    ``now``/``not_before``."""


def slot_id(key: str, limit: Limit, tag: str | None = None) -> str:
    """A stable storage name: the same key and limit share state across processes."""
    if tag is not None:
        return f"{key}|{tag}"
    if isinstance(limit, GcraLimit):
        return f"{key}|gcra:{limit.interval!r}:{limit.burst}"
    return f"{key}|window:{limit.limit}:{limit.period!r}"


def reserve(
    slots: Sequence[Slot],
    states: Sequence[Sequence[float]],
    *,
    now: float,
    not_before: float,
    cost: int,
    max_wait: float | None,
) -> Reservation | None:
    """Reserve the earliest time at or after ``max(now, not_before)`` that all slots allow.

    Returns ``None`` (and changes nothing) when that time is more than ``max_wait``
    seconds away; ``max_wait=0`` is a non-blocking try.
    """
    at = max(now, not_before)
    cause = -1
    for index, (slot, state) in enumerate(zip(slots, states, strict=True)):
        slot.limit.check_cost(cost)
        earliest = slot.limit.earliest(state, cost)
        if earliest > at + ROUNDING:
            at, cause = earliest, index
    if max_wait is not None and at - now > max_wait:
        return None
    if math.isinf(at):
        raise ValueError("not_before must be a finite time")
    new_states = tuple(
        tuple(slot.limit.commit(state, at, cost, now))
        for slot, state in zip(slots, states, strict=True)
    )
    return Reservation(at, new_states, cause)
