"""Slow start: learn what a host allows before sending it a burst. Pure, clock passed in.

A client that has heard nothing from a host cannot know its limits, and a burst sent in
that ignorance is exactly what gets clients refused, or banned. So, in the spirit of TCP
slow start, requests to such a host pass a window on the number in flight:

1. The window starts at :data:`INITIAL_WINDOW` (one request): the first answer says
   whether the host announces limits before anything else goes out.
2. Each answer without limit pressure (no rate-limit header, no 429) widens the window
   by :data:`GROWTH`; once it reaches :data:`OPEN_AT` the host is taken to have no limit
   worth learning and the window is dropped (the fast path again).
3. An answer carrying rate-limit headers hands the host over to header feedback: while
   the client knows a pace, or a count of requests remaining before a reset, it admits
   by that knowledge instead of by the window. When that knowledge runs out (a reset
   passed with no pace learned), the window applies again.
4. A 429 closes the window back to one: after a refusal the client probes again rather
   than letting every waiting request go at once when the pause ends. So does an answer
   that informs: once its knowledge runs out, the next request probes alone.

Waiting requests are served first come, first served: only the head of the queue may
go, and it hands the turn on once it has reserved its slot, so a count the server
announced is never spent twice. Not thread-safe: the limiter holds its lock around it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["GROWTH", "INITIAL_WINDOW", "OPEN_AT", "Gate", "Ticket", "Turn"]

INITIAL_WINDOW = 1
"""Requests in flight to a host the client knows nothing about yet."""
GROWTH = 1
"""How much each answer without limit pressure widens the window (TCP's doubling per round
trip: every answer of a round trip widens it by one)."""
OPEN_AT = 32
"""Window at which slow start ends for a host that never mentioned limits."""


class Ticket:
    """One request's place in a host's queue, and how to wake it (set by the sync or
    async shell that waits)."""

    __slots__ = ("gate", "key", "wake")

    def __init__(self, gate: Gate, key: str) -> None:
        self.gate = gate
        self.key = key
        self.wake: Callable[[], None] | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """Whether a ticket may go now, and else when to look again."""

    go: bool
    recheck_at: float | None = None
    """A time at which waiting may end by itself (a reset, the end of a pause); ``None``:
    only an answer can change things."""


class Gate:
    """Slow-start state and queue of one host (or limiter key)."""

    __slots__ = ("in_flight", "open", "queue", "window")

    def __init__(self) -> None:
        self.window = INITIAL_WINDOW
        self.in_flight = 0
        self.open = False
        self.queue: deque[Ticket] = deque()

    def turn(self, ticket: Ticket, informed: bool, hold_until: float | None) -> Turn:
        """May ``ticket`` go now? ``informed``: the server's headers give a pace or a
        remaining count to admit by; ``hold_until``: that count is spent until then."""
        if not self.queue or self.queue[0] is not ticket:
            return Turn(False)
        if hold_until is not None:
            return Turn(False, hold_until)
        if self.open or informed or self.in_flight < self.window:
            return Turn(True)
        return Turn(False)

    def answered(self, *, clean: bool, informed: bool, refused: bool) -> None:
        """An admitted request ended. ``clean``: its answer said nothing about limits;
        ``informed``: the server's word now gives a pace or a remaining count;
        ``refused``: it was a 429."""
        self.in_flight = max(0, self.in_flight - 1)
        if refused:
            self.window = INITIAL_WINDOW
            self.open = False
        elif informed:
            # Admission goes by the server's word now; should that run out (a reset with
            # no pace known), the next request probes alone again.
            self.window = INITIAL_WINDOW
        elif not self.open:
            # Headers naming no usable figure widen the window too, or such a host would
            # stay at one request at a time; only answers that are clean end slow start.
            self.window += GROWTH
            if clean and self.window >= OPEN_AT:
                self.open = True
