"""Header feedback: pace from what the server says, pure (clock passed in, no I/O).

Servers describe their limits in three families of headers (formats in the project's
reference notes; parsing lives in :mod:`tether._headers`):

* the policy: ``RateLimit-Policy`` (``q`` per ``w`` seconds), from which a *pace* is learned;
* the current state: ``RateLimit`` (``r`` remaining, ``t`` seconds to reset), the older
  ``RateLimit-Remaining``/``-Reset``, or ``X-RateLimit-Remaining``/``-Reset`` (epoch);
* the refusal: 429 (or GitHub's 403 with nothing remaining) with ``Retry-After``.

The rules, each small enough to check by hand:

1. **Learned pace.** A policy of ``q`` per ``w`` becomes a GCRA limit of
   ``q*(1-margin)`` per ``w`` with a burst of ``floor(q*margin)`` (at least 1). In any span
   of ``w`` that admits at most ``q*margin + q*(1-margin) = q`` requests, so the client
   fits fixed and sliding server windows alike, without needing the reset time to be
   precise. With several policies the one with the shortest window paces: longer
   windows are quotas that may be spent at that pace (``5/s`` and ``100/min`` allow 100
   requests in 20 s, not in a minute), and rule 2 holds requests back when the server
   says such a quota is running out.
2. **Remaining.** When a response says ``r`` remain until ``t``, the client counts what it
   has sent since that request; once the count reaches ``r`` it holds requests until the
   reset instead of letting the server refuse them.
3. **Refusal.** A 429 pauses the key until ``Retry-After`` (else the reset). A refusal
   that names no time pauses nothing: guessing is the retry policy's job (its backoff),
   and a guessed pause here would only add to it.

The learned pace is only ever an *extra* limit: configured rates always apply as well, so
the client never goes faster than the user's ceiling whatever a server claims.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import httpx2

from tether._headers import (
    parse_quota_fields,
    parse_ratelimit,
    parse_ratelimit_policy,
    server_wait,
)
from tether._httpx2 import lower_names
from tether._ratelimit._gcra import GcraLimit

__all__ = ["AdaptiveState", "Adjustment", "Feedback", "carries_feedback", "read_feedback"]

# Any of these means the server talks about rate limits; without them (and without a
# refusal) a response costs the limiter nothing.
_MARKERS = frozenset(
    {
        "ratelimit",
        "ratelimit-policy",
        "ratelimit-remaining",
        "ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-limit",
    }
)
_RAW_MARKERS = frozenset(name.encode() for name in _MARKERS)


def carries_feedback(status: int, headers: Mapping[str, str]) -> bool:
    """True when a response says anything about rate limits: a 429 or a marker header.

    This check is the whole cost of adaptive pacing for servers that send no rate-limit
    headers. ``headers`` must be ``httpx2.Headers`` or use lower-case names.
    """
    if status == 429:
        return True
    if type(headers) is httpx2.Headers:
        # Raw names: decoding every header name of every response costs more.
        return not _RAW_MARKERS.isdisjoint(lower_names(headers))
    return not _MARKERS.isdisjoint(map(str.lower, headers))


@dataclass(frozen=True, slots=True)
class Feedback:
    """What one response said about rate limits."""

    policies: tuple[tuple[int, float], ...] = ()
    """(quota, window seconds) for each policy with a known window."""
    remaining: int | None = None
    reset: float | None = None
    """Seconds until the quota named by ``remaining`` returns."""
    refused: bool = False
    wait: float | None = None
    """For a refusal: seconds the server asked to wait."""


def read_feedback(status: int, headers: Mapping[str, str], *, wall_now: float) -> Feedback | None:
    """Read rate-limit feedback from a response; ``None`` when it carries none.

    ``headers`` must be case-insensitive (``httpx2.Headers``) or lower-cased.
    ``wall_now`` is the current Unix time, for epoch resets and HTTP-dates.
    """
    if not carries_feedback(status, headers):
        return None
    policies: list[tuple[int, float]] = []
    policy_value = headers.get("ratelimit-policy") or headers.get("ratelimit-limit")
    if policy_value:
        policies = [
            (item.quota, item.window)
            for item in parse_ratelimit_policy(policy_value)
            if item.window is not None
        ]
    # One (remaining, reset) per header family that is present.
    candidates: list[tuple[int, float | None]] = []
    field_value = headers.get("ratelimit")
    if field_value:
        known = [item for item in parse_ratelimit(field_value) if item.remaining is not None]
        if known:
            # Among policies, the one closest to refusing matters; among equals, the one
            # that takes longest to come back.
            tightest = min(known, key=lambda item: (item.remaining, -(item.reset or 0.0)))
            assert tightest.remaining is not None
            candidates.append((tightest.remaining, tightest.reset))
    for prefix in ("ratelimit-", "x-ratelimit-"):
        fields = parse_quota_fields(headers, now=wall_now, prefix=prefix)
        if fields is not None and fields.remaining is not None:
            candidates.append((fields.remaining, fields.reset))
    remaining: int | None = None
    reset: float | None = None
    if candidates:
        remaining = min(count for count, _ in candidates)
        # Families describing the same quota differ only in precision: delays are whole
        # seconds rounded up, an epoch reset can be exact, so the earliest reset wins.
        resets = [when for count, when in candidates if count == remaining and when is not None]
        reset = min(resets) if resets else None
    # GitHub answers an exhausted primary limit with 403 and remaining 0.
    refused = status == 429 or (status == 403 and remaining == 0)
    wait = server_wait(headers, now=wall_now) if refused else None
    return Feedback(tuple(policies), remaining, reset, refused, wait)


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A change of pace worth reporting."""

    rate: float
    """Requests per second now in force from the server's feedback (0 while paused)."""
    reason: str


def learned_limit(policies: tuple[tuple[int, float], ...], margin: float) -> GcraLimit | None:
    """Rule 1: the GCRA limit of the policy with the shortest window (``None`` without
    policies); among policies of that window, the slowest."""
    best: GcraLimit | None = None
    best_window = math.inf
    for quota, window in policies:
        paced = quota * (1.0 - margin)
        if paced <= 0 or window > best_window:
            continue
        limit = GcraLimit(window / paced, max(1, math.floor(quota * margin)))
        if best is None or window < best_window or limit.interval > best.interval:
            best, best_window = limit, window
    return best


class AdaptiveState:
    """Feedback state for one key. Not thread-safe: the limiter holds a lock around it."""

    _MAX_PENDING = 10_000

    def __init__(self, margin: float = 0.05) -> None:
        self.margin = margin
        self.limit: GcraLimit | None = None
        self._policies: tuple[tuple[int, float], ...] = ()
        self._sent = 0
        # Send times of requests not answered yet, by sequence number: the server may not
        # have counted them in the remaining count the client holds.
        self._pending: dict[int, float] = {}
        self._remaining: int | None = None
        self._reset_at: float | None = None
        self._paused_until = -math.inf

    @property
    def idle(self) -> bool:
        """True while the server has said nothing: the limiter may skip all work."""
        return self.limit is None and self._reset_at is None and self._paused_until == -math.inf

    def not_before(self, now: float) -> tuple[float, str]:
        """The earliest time the next request may go by rules 2 and 3, with the reason."""
        at, reason = now, ""
        if self._paused_until > now:
            at, reason = self._paused_until, "server refused; pausing as asked"
        if self._reset_at is not None and self._remaining is not None:
            if now >= self._reset_at:
                self._remaining = self._reset_at = None
                self._pending.clear()
            elif self._reset_at > at:
                # Only requests going out before the reset spend this window's quota;
                # ones already booked for later belong to the next.
                reset_at = self._reset_at
                spent = sum(1 for when in self._pending.values() if when < reset_at)
                if self._remaining - spent <= 0:
                    at = reset_at
                    reason = f"server quota used up, resets in {reset_at - now:.2f}s"
        return at, reason

    def admission(self, now: float) -> tuple[bool, float | None]:
        """For slow start: whether the server's word lets requests go without a window
        (a learned pace, or part of an announced count left), and the time until which an
        announced count is used up (``None`` if it is not)."""
        if self.limit is not None:
            return True, None
        if self._reset_at is None or self._remaining is None:
            return False, None
        if now >= self._reset_at:
            self._remaining = self._reset_at = None
            self._pending.clear()
            return False, None
        reset_at = self._reset_at
        spent = sum(1 for when in self._pending.values() if when < reset_at)
        if self._remaining - spent > 0:
            return True, None
        return False, reset_at

    @property
    def last_seq(self) -> int:
        """The sequence number of the latest request counted as sent."""
        return self._sent - 1

    def sent(self, at: float) -> int:
        """Count one request going out at ``at``; returns its sequence number."""
        seq = self._sent
        self._sent += 1
        self._pending[seq] = at
        if len(self._pending) > self._MAX_PENDING:
            del self._pending[next(iter(self._pending))]
        return seq

    def unsent(self, seq: int) -> None:
        """Forget request ``seq``: it was counted by :meth:`sent` but never went out."""
        self._pending.pop(seq, None)

    def observe(self, feedback: Feedback, now: float, seq: int | None) -> Adjustment | None:
        """Take in the feedback on request ``seq`` (``None``: one sent unpaced); report a
        change of pace, if any."""
        adjustment: Adjustment | None = None
        if feedback.policies and feedback.policies != self._policies:
            self._policies = feedback.policies
            limit = learned_limit(feedback.policies, self.margin)
            if limit != self.limit:
                self.limit = limit
                if limit is not None:
                    quotas = ", ".join(f"{q} per {w:g}s" for q, w in feedback.policies)
                    adjustment = Adjustment(1.0 / limit.interval, f"server policy {quotas}")
        if seq is not None:
            self._pending.pop(seq, None)
        if feedback.remaining is not None:
            # Concurrent requests are counted by the server in the order they reach it and
            # answered in any order, so within one window the lowest count is the newest;
            # a higher one is taken only once the client's idea of the reset has passed.
            # Every request still unanswered is taken as not yet counted by the server: at
            # worst a request is counted twice, never once too few.
            held, reset_at = self._remaining, self._reset_at
            if held is None or reset_at is None or now >= reset_at or feedback.remaining <= held:
                self._remaining = feedback.remaining
                self._reset_at = None if feedback.reset is None else now + feedback.reset
        if feedback.refused:
            pause = feedback.wait if feedback.wait is not None else feedback.reset
            if pause is not None and now + pause > self._paused_until:
                self._paused_until = now + pause
                adjustment = Adjustment(0.0, f"server refused; pausing {pause:.2f}s")
        return adjustment
