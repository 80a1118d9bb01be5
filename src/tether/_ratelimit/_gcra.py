"""The generic cell rate algorithm (GCRA), pure: state in, decision and new state out.

GCRA keeps one number per limit, the *theoretical arrival time* (TAT): the moment the
limit would be back to idle if requests had arrived exactly at the configured pace. With
``T`` the emission interval (``period / limit``) and ``burst`` the most requests allowed
back to back, a request of cost ``n`` conforms at time ``t`` when::

    max(TAT, t) + n*T - t <= burst*T      i.e.   t >= TAT - (burst - n)*T

and afterwards ``TAT = max(TAT, t) + n*T``. With ``burst == 1`` requests are spaced exactly
``T`` apart; with ``burst == b`` up to ``b`` may go at once after an idle spell, and no
more than ``b + k`` in any span of ``k*T``.

Acquisition here *reserves* a slot instead of asking "may I now?": the caller is given the
earliest conforming time, TAT moves past it immediately, and the caller sleeps until then.
Reservations are handed out in call order, which is what makes waiting fair (FIFO)
without a queue, and what lets a shared store answer with one round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tether._errors import ConfigurationError

__all__ = ["GcraLimit"]


@dataclass(frozen=True, slots=True)
class GcraLimit:
    """Pace ``interval`` seconds per request with up to ``burst`` requests back to back."""

    interval: float
    burst: int = 1

    def __post_init__(self) -> None:
        if not self.interval > 0:
            raise ValueError(f"GCRA interval must be > 0, got {self.interval!r}")
        if self.burst < 1:
            raise ValueError(f"burst must be >= 1, got {self.burst!r}")

    @property
    def horizon(self) -> float:
        """How long an idle state stays meaningful (after that it equals a fresh one)."""
        return self.interval * self.burst

    def check_cost(self, cost: int) -> None:
        """Refuse a cost that could never conform, rather than waiting forever."""
        if cost > self.burst:
            raise ConfigurationError(
                f"cost={cost}: a request of cost {cost} can never pass a limit with burst "
                f"{self.burst}; lower the cost or raise the burst (RateLimit(burst=...), or "
                "the count of a longer rate)"
            )

    def earliest(self, state: Sequence[float], cost: int) -> float:
        """The first time a request of ``cost`` conforms; ``-inf`` for a fresh state."""
        if not state:
            return float("-inf")
        return state[0] - (self.burst - cost) * self.interval

    def commit(self, state: Sequence[float], at: float, cost: int, now: float) -> list[float]:
        """The state after a request of ``cost`` is sent at ``at``."""
        tat = state[0] if state else at
        return [max(tat, at) + cost * self.interval]
