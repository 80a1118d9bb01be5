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

A retry in flight has not yet shown whether it is wasted. It is charged at the share of
the window's settled retries that failed (with one imaginary failure, so a fresh budget
charges it in full): during an outage that share is 1 and in-flight retries cost what they
would if they failed, while a client meeting scattered errors, with many calls retrying
at once, is not refused for retries that are about to succeed.

Only calls whose retry failed, or that were refused one, weigh the floor down: a call
waiting on its first retry says nothing yet about whether the service is down.

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

    Example: with the defaults (20%, 2 per second, 10 s), 500 healthy calls in the last ten
    seconds allow 0.2 x 500 + 20 = 120 retries in that time, while 500 calls into a dead
    service allow about 100; once spent, a failing call fails at once with
    :class:`tether.RetryBudgetExhausted` instead of retrying::

        budget = tether.RetryBudget(ratio=0.1)
        client = tether.Client(base_url=url, retry_budget=budget)

    The retry layer reports each retry's fate: :meth:`refund` when it succeeded,
    :meth:`waste` when it failed. A custom transport sharing the budget does the same.
    """

    __slots__ = (
        "_bucket_width",
        "_clock",
        "_counter",
        "_counts",
        "_current",
        "_filed",
        "_lock",
        "_peeks",
        "_slot",
        "_totals",
        "min_per_second",
        "ratio",
        "window",
    )

    _BUCKETS = 10

    def __init__(
        self,
        ratio: float = 0.2,
        *,
        min_per_second: float = 2.0,
        window: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name, value in (("ratio", ratio), ("min_per_second", min_per_second)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise ConfigurationError(
                    f"RetryBudget({name}=...) must be a number >= 0, got {value!r}"
                )
        if isinstance(window, bool) or not isinstance(window, int | float) or not window > 0:
            raise ConfigurationError(f"RetryBudget(window=...) must be seconds > 0, got {window!r}")
        if math.isinf(window):
            raise ConfigurationError("RetryBudget(window=...) must be finite")
        self.ratio = float(ratio)
        self.min_per_second = float(min_per_second)
        self.window = float(window)
        self._clock = clock
        self._lock = threading.Lock()
        # A ring of buckets, each covering window/10 seconds: counts age out a bucket at
        # a time, which keeps every operation O(1) whatever the traffic. Each bucket holds
        # one count per kind (see _CALLS ... _TROUBLED); ``_totals`` sums the window.
        self._bucket_width = self.window / self._BUCKETS
        self._counts = [[0] * _KINDS for _ in range(self._BUCKETS)]
        self._totals = [0] * _KINDS
        # Calls are counted by an atomic counter and filed into buckets later (see
        # record_call); reading the counter advances it, so reads are counted and undone.
        self._counter = itertools.count()
        self._peeks = 0
        self._filed = 0
        self._current = math.floor(clock() / self._bucket_width)
        self._slot = self._current % self._BUCKETS

    def _advance(self, now: float) -> list[int]:
        """Bring the counts up to ``now`` (under the lock): file the calls counted since the
        last time into the current bucket, expire buckets that left the window, and return
        the current bucket."""
        counted = next(self._counter) - self._peeks
        self._peeks += 1
        if counted > self._filed:
            self._counts[self._slot][_CALLS] += counted - self._filed
            self._totals[_CALLS] += counted - self._filed
            self._filed = counted
        index = math.floor(now / self._bucket_width)
        passed = index - self._current
        if passed > 0:
            totals = self._totals
            for step in range(1, min(passed, self._BUCKETS) + 1):
                bucket = self._counts[(self._current + step) % self._BUCKETS]
                for kind in range(_KINDS):
                    totals[kind] -= bucket[kind]
                    bucket[kind] = 0
            self._current = index
            self._slot = index % self._BUCKETS
        return self._counts[self._slot]

    def _add(self, bucket: list[int], kind: int, amount: int) -> None:
        # A count taken back may belong to an older bucket than the current one; a bucket
        # going negative is fine because only the totals are compared, clamped at zero.
        bucket[kind] += amount
        self._totals[kind] = max(0, self._totals[kind] + amount)

    def record_call(self) -> None:
        """Count one call (its first attempt); each call earns ``ratio`` retries."""
        # Every call passes here, so it takes no lock: ``next`` on an itertools.count is
        # atomic, and the count is filed into its bucket under the lock by the first call
        # of the next bucket, or by any retry or refund, whichever comes first.
        if math.floor(self._clock() / self._bucket_width) > self._current:
            with self._lock:
                self._advance(self._clock())
        next(self._counter)

    def try_spend(self, *, troubled: bool = False) -> bool:
        """Take one retry from the budget; ``False`` (and nothing taken) when none is left.

        ``troubled`` says the call already had a retry fail (it was reported through
        :meth:`waste`). A call refused here fails for good, so it weighs the floor down
        from now on.
        """
        with self._lock:
            bucket = self._advance(self._clock())
            if self._charged(pending_extra=1) > self._allowance():
                if not troubled:
                    self._add(bucket, _TROUBLED, 1)
                return False
            self._add(bucket, _SPENT, 1)
            if not troubled:
                self._add(bucket, _HOPEFUL, 1)
            return True

    def refund(self, *, troubled: bool = False) -> None:
        """A spent retry succeeded: give it back (see the module's docstring).

        ``troubled`` says an earlier retry of the same call failed: the call recovered, so
        it no longer weighs the floor down.
        """
        with self._lock:
            bucket = self._advance(self._clock())
            self._add(bucket, _SPENT, -1)
            self._add(bucket, _REFUNDED, 1)
            self._add(bucket, _TROUBLED if troubled else _HOPEFUL, -1)

    def waste(self, *, first: bool = False) -> None:
        """A spent retry failed: it stays charged, now for certain.

        ``first`` says it is the call's first failed retry: the call is now troubled and
        weighs the floor down until a retry of it succeeds.
        """
        with self._lock:
            bucket = self._advance(self._clock())
            self._add(bucket, _WASTED, 1)
            if first:
                self._add(bucket, _HOPEFUL, -1)
                self._add(bucket, _TROUBLED, 1)

    def _failing(self) -> float:
        """The share of the window's settled retries that failed, with one imaginary
        failure, so a budget that has seen nothing settle expects the worst."""
        wasted = self._totals[_WASTED]
        return (wasted + 1) / (wasted + self._totals[_REFUNDED] + 1)

    def _charged(self, pending_extra: int = 0) -> float:
        wasted = self._totals[_WASTED]
        pending = max(0, self._totals[_SPENT] - wasted) + pending_extra
        return wasted + pending * self._failing()

    def _allowance(self) -> float:
        totals = self._totals
        calls = totals[_CALLS]
        # A call waiting on its first retry is troubled as likely as retries fail. One
        # imaginary healthy call keeps a quiet client's first failure retryable.
        troubled = totals[_TROUBLED] + max(0, totals[_HOPEFUL]) * self._failing()
        health = min(1.0, max(0.0, (calls - troubled + 1) / (calls + 1)))
        return self.ratio * calls + self.min_per_second * self.window * health

    @property
    def available(self) -> float:
        """Retries that may still be spent now (fractional: a call earns ``ratio`` of one)."""
        with self._lock:
            self._advance(self._clock())
            return max(0.0, self._allowance() - self._charged())

    def __repr__(self) -> str:
        return (
            f"RetryBudget(ratio={self.ratio}, min_per_second={self.min_per_second}, "
            f"window={self.window})"
        )


# What each bucket counts: calls made; retries spent and not refunded (in flight or
# wasted); retries that failed; retries that succeeded; calls troubled (a retry failed or
# was refused, and none has succeeded since); calls whose first retry is in flight.
_CALLS, _SPENT, _WASTED, _REFUNDED, _TROUBLED, _HOPEFUL = range(6)
_KINDS = 6
