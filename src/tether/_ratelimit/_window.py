"""The sliding-window log, pure: at most ``limit`` requests in *any* window of ``period``.

The state is the sorted list of send times still inside the last ``period``. This is the
exact meaning users read into "500/h", at the price of memory proportional to the limit,
so it suits long windows with modest limits; GCRA (``_gcra.py``) suits fast paces.

Like GCRA here it reserves: a request gets the earliest time at which the window holds
room for it, and its entries are recorded at that (possibly future) time. Reservations
never go back in time (``at >= last entry``), so the log stays sorted and first come is
first served.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tether._errors import ConfigurationError

__all__ = ["WindowLimit"]


@dataclass(frozen=True, slots=True)
class WindowLimit:
    """No more than ``limit`` requests in any span of ``period`` seconds."""

    limit: int
    period: float

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"window limit must be >= 1, got {self.limit!r}")
        if not self.period > 0:
            raise ValueError(f"window period must be > 0, got {self.period!r}")

    @property
    def horizon(self) -> float:
        """How long an entry matters after its time."""
        return self.period

    def check_cost(self, cost: int) -> None:
        """Refuse a cost that could never fit in one window."""
        if cost > self.limit:
            raise ConfigurationError(
                f"cost={cost}: a request of cost {cost} can never fit a window of "
                f"{self.limit} requests; lower the cost or raise the rate's count"
            )

    def earliest(self, state: Sequence[float], cost: int) -> float:
        """The first time ``cost`` more entries fit, never before the last reservation."""
        if not state:
            return float("-inf")
        earliest = state[-1]
        # The entry that must have left the window: with `limit - cost` entries allowed to
        # remain, it is the one just before the last `limit - cost`.
        index = len(state) - (self.limit - cost) - 1
        if index >= 0:
            earliest = max(earliest, state[index] + self.period)
        return earliest

    def commit(self, state: Sequence[float], at: float, cost: int, now: float) -> list[float]:
        """The log after ``cost`` entries at ``at``, without entries that can matter no more."""
        cutoff = now - self.period
        kept = [t for t in state if t > cutoff]
        kept.extend([at] * cost)
        # Only the last `limit` entries can ever decide a future earliest().
        return kept[-self.limit :]
