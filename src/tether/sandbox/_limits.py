"""Server-side rate limits for the sandbox: rates, fixed-window counting, response headers.

Algorithm: **fixed windows aligned to the clock.** A ``50/s`` limit admits 50 requests per
client key in every wall-clock second ``[k, k+1)``; ``1000/h`` counts per clock hour. This is
what many real APIs do (GitHub's hourly quota resets at one instant) and it makes every
header exact: ``X-RateLimit-Reset`` is the whole epoch second the window ends, the IETF
``t`` and ``Retry-After`` are the seconds until then, and a client that waits that long
really finds a fresh quota. Its known weakness, up to twice the rate across a window
boundary, is itself something clients meet in the wild.

Several rates apply at once (``50/s`` and ``1000/h``): a request is admitted only when every
rate has quota left, and only admitted requests spend quota.

This module is pure (the clock is passed in); :class:`RateLimiter` adds a lock so counting
stays exact when requests race.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tether._errors import ConfigurationError
from tether._ratelimit._rate import parse_rate, split_rates

__all__ = [
    "LimitDecision",
    "Quota",
    "Rate",
    "RateLimitConfigError",
    "RateLimiter",
    "client_key",
    "parse_rates",
    "rate_limit_headers",
]


class RateLimitConfigError(ConfigurationError):
    """A rate string such as ``"100/s"`` could not be understood."""


_SHORT = {1: "s", 60: "min", 3600: "h", 86400: "d"}


@dataclass(frozen=True, slots=True)
class Rate:
    """``limit`` requests per ``period`` whole seconds, e.g. ``Rate.parse("100/min")``.

    Accepted forms: ``100/s``, ``100/min``, ``5000/h``, ``10000/d``, ``10/5s`` (ten per five
    seconds), ``100 per minute``.
    """

    limit: int
    period: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """Parse a rate string; raises :class:`RateLimitConfigError` saying what is accepted.

        The spellings are the client's (:func:`tether._ratelimit._rate.parse_rate`), so a
        rate that configures ``tether.Client(rate_limit=...)`` configures the sandbox too;
        the sandbox adds one rule: the period is a whole number of seconds, since its
        windows are aligned to whole epoch seconds.
        """
        try:
            parsed = parse_rate(text)  # a client-side tether.Rate passes through too
        except TypeError as exc:
            # Not text at all; the client's message has the hint ("5 per what?").
            raise RateLimitConfigError(f"rate limit {text!r}: {exc}") from None
        except ValueError as exc:
            # The client's message, word for word: one grammar, one way to explain it.
            raise RateLimitConfigError(str(exc)) from None
        period = round(parsed.period) if math.isfinite(parsed.period) else 0
        if period < 1 or not math.isclose(parsed.period, period, rel_tol=1e-9):
            raise RateLimitConfigError(
                f"rate limit {text!r}: the period must be a whole number of seconds, got "
                f"{parsed.period:g} s; the sandbox counts in windows of whole seconds "
                "(write e.g. '5/s' or '10/2s')"
            )
        return cls(limit=parsed.limit, period=period)

    @property
    def name(self) -> str:
        """Canonical text, also the IETF policy name: ``"100/s"``, ``"10/5s"``, ``"5000/h"``."""
        if self.period in _SHORT:
            return f"{self.limit}/{_SHORT[self.period]}"
        for seconds, unit in sorted(_SHORT.items(), reverse=True):
            if self.period % seconds == 0:
                return f"{self.limit}/{self.period // seconds}{unit}"
        return f"{self.limit}/{self.period}s"  # pragma: no cover - period 1 is in _SHORT

    def window(self, now: float) -> tuple[int, int]:
        """The index of the window containing ``now`` and the epoch second it ends."""
        index = math.floor(now / self.period)
        return index, (index + 1) * self.period

    def __str__(self) -> str:
        return self.name


def parse_rates(values: Iterable[str | Rate]) -> tuple[Rate, ...]:
    """Rates from strings (or ready :class:`Rate` objects), in order, duplicates removed.

    A string may hold several rates separated by commas or semicolons (``"50/s, 1000/h"``),
    as the client's ``rate_limit=`` accepts.
    """
    if isinstance(values, str):
        values = [values]
    out: list[Rate] = []
    for value in values:
        pieces: list[str | Rate] = [value]
        if isinstance(value, str) and _SEPARATOR.search(value):
            try:
                pieces = list(split_rates(value))
            except ValueError as exc:
                raise RateLimitConfigError(str(exc)) from None
        for piece in pieces:
            rate = piece if isinstance(piece, Rate) else Rate.parse(piece)
            if rate not in out:
                out.append(rate)
    return tuple(out)


_SEPARATOR = re.compile(r"[,;]")


@dataclass(frozen=True, slots=True)
class Quota:
    """One rate's state for one key, as seen by one request."""

    rate: Rate
    used: int
    """Requests admitted in this window, this one included when it was admitted."""
    reset_at: int
    """Epoch second at which the window ends and the quota is full again."""
    reset_in: int
    """Whole seconds until ``reset_at`` (rounded up, at least 1)."""

    @property
    def remaining(self) -> int:
        """Requests still admitted in this window."""
        return max(self.rate.limit - self.used, 0)


@dataclass(frozen=True, slots=True)
class LimitDecision:
    """Whether one request is admitted and every quota after it."""

    allowed: bool
    quotas: tuple[Quota, ...]

    @property
    def retry_after(self) -> int | None:
        """Seconds until every exhausted quota is full again; ``None`` when admitted."""
        if self.allowed:
            return None
        return max(q.reset_in for q in self.quotas if q.remaining == 0)

    @property
    def binding(self) -> Quota | None:
        """The quota the GitHub-style headers describe: the one closest to refusing.

        When refused, the exhausted quota that resets last (it sets ``Retry-After``); when
        admitted, the one with the fewest requests left (ties: the later reset).
        """
        if not self.quotas:
            return None
        candidates = self.quotas if self.allowed else [q for q in self.quotas if q.remaining == 0]
        return min(candidates, key=lambda q: (q.remaining, -q.reset_at))


@dataclass(slots=True)
class RateLimiter:
    """Counts requests per client key in clock-aligned fixed windows; thread-safe.

    ``configured`` are the rates the server started with; :meth:`replace` changes them at
    run time and :meth:`restore` returns to them. Both clear the counters.

    >>> limiter = RateLimiter(parse_rates(["2/s"]))
    >>> [limiter.hit("k", now=100.0).allowed for _ in range(3)]
    [True, True, False]
    """

    configured: tuple[Rate, ...] = ()
    _rates: tuple[Rate, ...] = field(init=False)
    # key -> one (window index, count) per rate, in the order of ``_rates``.
    _windows: dict[str, list[tuple[int, int]]] = field(init=False, default_factory=dict)
    _refused: int = field(init=False, default=0)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rates = self.configured

    @property
    def rates(self) -> tuple[Rate, ...]:
        """The rates in force."""
        return self._rates

    def replace(self, rates: Sequence[Rate]) -> None:
        """Put ``rates`` in force (empty: no limit); every key starts with a full quota."""
        with self._lock:
            self._rates = tuple(rates)
            self._windows.clear()

    def restore(self) -> None:
        """Back to the configured rates, with counters and the 429 tally cleared."""
        with self._lock:
            self._rates = self.configured
            self._windows.clear()
            self._refused = 0

    def refused(self) -> int:
        """Requests refused with 429 since the last restore."""
        with self._lock:
            return self._refused

    def hit(self, key: str, now: float) -> LimitDecision:
        """Count one request from ``key`` at ``now`` (epoch seconds) if every rate admits it."""
        with self._lock:
            rates = self._rates
            if not rates:
                return LimitDecision(allowed=True, quotas=())
            if len(self._windows) > 10_000:
                self._forget_stale(now)
            windows = [rate.window(now) for rate in rates]
            stored = self._windows.get(key)
            counts = [
                stored[i][1] if stored is not None and stored[i][0] == index else 0
                for i, (index, _) in enumerate(windows)
            ]
            allowed = all(count < rate.limit for count, rate in zip(counts, rates, strict=True))
            if allowed:
                counts = [count + 1 for count in counts]
                self._windows[key] = [
                    (index, count) for (index, _), count in zip(windows, counts, strict=True)
                ]
            else:
                self._refused += 1
            quotas = tuple(
                Quota(rate=rate, used=count, reset_at=end, reset_in=max(1, math.ceil(end - now)))
                for rate, count, (_, end) in zip(rates, counts, windows, strict=True)
            )
            return LimitDecision(allowed=allowed, quotas=quotas)

    def _forget_stale(self, now: float) -> None:
        # Many short-lived client keys (one per source port when clients send no key) would
        # otherwise grow the table without bound.
        current = [rate.window(now)[0] for rate in self._rates]
        self._windows = {
            key: windows
            for key, windows in self._windows.items()
            if any(index == cur for (index, _), cur in zip(windows, current, strict=True))
        }


def rate_limit_headers(decision: LimitDecision) -> list[tuple[str, str]]:
    """Both common header formats for ``decision``; empty when no rate is in force.

    GitHub style (one quota, the binding one): ``X-RateLimit-Limit``, ``-Remaining``,
    ``-Used``, ``-Reset`` (epoch seconds), ``-Resource`` (the rate's name). IETF
    draft-ietf-httpapi-ratelimit-headers-10 (every quota): ``RateLimit-Policy:
    "50/s";q=50;w=1`` and ``RateLimit: "50/s";r=12;t=1`` (``t`` is a delay in seconds).
    A refusal adds ``Retry-After``.
    """
    binding = decision.binding
    if binding is None:
        return []
    headers = [
        ("X-RateLimit-Limit", str(binding.rate.limit)),
        ("X-RateLimit-Remaining", str(binding.remaining)),
        ("X-RateLimit-Used", str(binding.used)),
        ("X-RateLimit-Reset", str(binding.reset_at)),
        ("X-RateLimit-Resource", binding.rate.name),
        (
            "RateLimit-Policy",
            ", ".join(
                f'"{q.rate.name}";q={q.rate.limit};w={q.rate.period}' for q in decision.quotas
            ),
        ),
        (
            "RateLimit",
            ", ".join(f'"{q.rate.name}";r={q.remaining};t={q.reset_in}' for q in decision.quotas),
        ),
    ]
    retry_after = decision.retry_after
    if retry_after is not None:
        headers.append(("Retry-After", str(retry_after)))
    return headers


def client_key(
    headers: Mapping[str, str], client_host: str | None, query_key: str | None = None
) -> str:
    """Whose quota a request spends: its API key (``X-API-Key``, else the ``api_key`` query
    parameter as ``query_key``), else its bearer token, else its address.

    ``headers`` must have lower-case names. Basic credentials are not a key: the sandbox
    treats them like an anonymous caller from that address.
    """
    api_key = headers.get("x-api-key", "").strip() or (query_key or "").strip()
    if api_key:
        return "key:" + api_key
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "bearer:" + token.strip()
    return "addr:" + (client_host or "unknown")
