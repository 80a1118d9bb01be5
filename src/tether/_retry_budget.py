"""A client-wide retry budget: retries may add only a fraction of recent traffic.

Per-call attempt limits do not stop a retry storm: when a service is down, every call
retries its full allowance and the load on the struggling service multiplies. A budget
shared by all calls of a client caps the extra load instead (the idea of gRPC's retry
throttling and Finagle's ``RetryBudget``): within a sliding window, retries may number at
most ``ratio`` times the calls made plus a small floor of ``min_per_second`` per second of
window, so a quiet client can still retry its occasional failure. The floor is weighted by
how healthy the window is (the share of its calls that have not failed without recovery),
so it serves clients whose calls mostly work and shrinks to nothing during an outage: a
burst of calls into a dead service gets ``ratio`` of its size in retries, however short
the burst.

Only *wasted* retries stay charged: a retry that gets an answer the policy accepts is
refunded. The budget exists to stop a client from multiplying the load on a service that
is down; a retry that succeeded replaced a failed request rather than piling onto an
outage. So a service failing 30% of requests at random is ridden out (about 13% of calls
end up as wasted retries, inside the default 20%), while during a full outage no retry
succeeds, nothing is refunded, and the extra load stays capped at ``ratio``.

The arithmetic is pure: the clock is injected, nothing sleeps. A lock makes it safe to
share between threads and between sync and async callers (the critical section never
awaits, so holding a thread lock inside a coroutine is fine).
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable

from tether._errors import ConfigurationError

__all__ = ["RetryBudget"]


class RetryBudget:
    """Caps wasted retries at ``ratio`` x calls + ``min_per_second`` x ``window`` x health.

    ``health`` is the share of the window's calls that have not failed for good, so the
    floor serves quiet, mostly healthy clients and vanishes during an outage.

    Example: with the defaults (20%, 1 per second, 10 s), 500 healthy calls in the last ten
    seconds allow 0.2 x 500 + 10 = 110 retries in that time, while 500 calls into a dead
    service allow about 100; once spent, a failing call fails at once with
    :class:`tether.RetryBudgetExhausted` instead of retrying::

        budget = tether.RetryBudget(ratio=0.1)
        client = tether.Client(base_url=url, retry_budget=budget)
    """

    __slots__ = (
        "_bucket_width",
        "_calls",
        "_clock",
        "_counter",
        "_current",
        "_filed",
        "_lock",
        "_peeks",
        "_retries",
        "_slot",
        "_total_calls",
        "_total_retries",
        "_total_troubled",
        "_troubled",
        "min_per_second",
        "ratio",
        "window",
    )

    _BUCKETS = 10

    def __init__(
        self,
        ratio: float = 0.2,
        *,
        min_per_second: float = 1.0,
        window: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name, value in (("ratio", ratio), ("min_per_second", min_per_second)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise ConfigurationError(
                    f"RetryBudget({name}=...) must be a number >= 0, got {value!r}"
                )
        if isinstance(window, bool) or not isinstance(window, int | float) or not window > 0:
            raise ConfigurationError(
                f"RetryBudget(window=...) must be seconds > 0, got {window!r}"
            )
        if math.isinf(window):
            raise ConfigurationError("RetryBudget(window=...) must be finite")
        self.ratio = float(ratio)
        self.min_per_second = float(min_per_second)
        self.window = float(window)
        self._clock = clock
        self._lock = threading.Lock()
        # A ring of buckets, each covering window/10 seconds: counts age out a bucket at
        # a time, which keeps every operation O(1) whatever the traffic.
        self._bucket_width = self.window / self._BUCKETS
        self._calls = [0] * self._BUCKETS
        self._retries = [0] * self._BUCKETS
        self._total_calls = 0
        # Calls are counted by an atomic counter and filed into buckets later (see
        # record_call); reading the counter advances it, so reads are counted and undone.
        self._counter = itertools.count()
        self._peeks = 0
        self._filed = 0
        self._total_retries = 0
        # Calls that needed a retry and have not (yet) succeeded: they weigh the floor.
        self._troubled = [0] * self._BUCKETS
        self._total_troubled = 0
        self._current = math.floor(clock() / self._bucket_width)
        self._slot = self._current % self._BUCKETS

    def _advance(self, now: float) -> int:
        """Bring the counts up to ``now`` (under the lock): file the calls counted since the
        last time into the current bucket, expire buckets that left the window, and return
        the current bucket's slot."""
        counted = next(self._counter) - self._peeks
        self._peeks += 1
        if counted > self._filed:
            self._calls[self._slot] += counted - self._filed
            self._total_calls += counted - self._filed
            self._filed = counted
        index = math.floor(now / self._bucket_width)
        passed = index - self._current
        if passed > 0:
            for step in range(1, min(passed, self._BUCKETS) + 1):
                slot = (self._current + step) % self._BUCKETS
                self._total_calls -= self._calls[slot]
                self._total_retries -= self._retries[slot]
                self._total_troubled -= self._troubled[slot]
                self._calls[slot] = 0
                self._retries[slot] = 0
                self._troubled[slot] = 0
            self._current = index
            self._slot = index % self._BUCKETS
        return self._slot

    def record_call(self) -> None:
        """Count one call (its first attempt); each call earns ``ratio`` retries."""
        # Every call passes here, so it takes no lock: ``next`` on an itertools.count is
        # atomic, and the count is filed into its bucket under the lock by the first call
        # of the next bucket, or by any retry or refund, whichever comes first.
        if math.floor(self._clock() / self._bucket_width) > self._current:
            with self._lock:
                self._advance(self._clock())
        next(self._counter)

    def try_spend(self, *, first: bool = False) -> bool:
        """Take one retry from the budget; ``False`` (and nothing taken) when none is left.

        ``first`` marks a call's first retry: from then on the call counts as troubled (it
        weighs down the floor) until a retry of it succeeds and is refunded.
        """
        with self._lock:
            slot = self._advance(self._clock())
            if first:
                self._troubled[slot] += 1
                self._total_troubled += 1
            if self._total_retries + 1 > self._allowance():
                return False
            self._retries[slot] += 1
            self._total_retries += 1
            return True

    def refund(self) -> None:
        """Give back one spent retry because it succeeded (see the module's docstring)."""
        with self._lock:
            slot = self._advance(self._clock())
            # The retry may have been counted in an older bucket; a slot going negative is
            # fine because only the total is compared, and it is clamped at zero.
            self._retries[slot] -= 1
            self._total_retries = max(0, self._total_retries - 1)
            # The call recovered: it no longer weighs the floor down.
            self._troubled[slot] -= 1
            self._total_troubled = max(0, self._total_troubled - 1)

    def _allowance(self) -> float:
        calls = self._total_calls
        # One imaginary healthy call keeps a quiet client's first failure retryable.
        health = min(1.0, max(0.0, (calls - self._total_troubled + 1) / (calls + 1)))
        return self.ratio * calls + self.min_per_second * self.window * health

    @property
    def available(self) -> float:
        """Retries that may still be spent now (fractional: a call earns ``ratio`` of one)."""
        with self._lock:
            self._advance(self._clock())
            return max(0.0, self._allowance() - self._total_retries)

    def __repr__(self) -> str:
        return (
            f"RetryBudget(ratio={self.ratio}, min_per_second={self.min_per_second}, "
            f"window={self.window})"
        )
