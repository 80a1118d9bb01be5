"""Rates as users type them: ``"5/s"``, ``"100/min"``, ``"500/h"``, ``"10/2s"``, lists of these.

A rate is a count per period. Parsing happens when a configuration is built, so a typo
fails at construction with a message naming the bad text, never at the first request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

__all__ = ["Rate", "RatesLike", "parse_rate", "parse_rates", "parse_rates_argument"]

_UNITS = {
    "ms": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": 60.0,
    "min": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
}
# "<count> / <multiplier?><unit>" or "<count> per <unit>"; spaces are allowed anywhere.
_RATE = re.compile(
    r"^\s*(?P<count>\d+)\s*(?:/|per\s)\s*(?P<mult>\d+(?:\.\d+)?)?\s*(?P<unit>[a-z]+)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Rate:
    """``limit`` requests per ``period`` seconds.

    Example::

        Rate(5, 1.0) == parse_rate("5/s")
        Rate(100, 60.0) == parse_rate("100/min")
    """

    limit: int
    period: float

    def __post_init__(self) -> None:
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 1:
            raise ValueError(f"Rate limit must be a whole number >= 1, got {self.limit!r}")
        if not self.period > 0:
            raise ValueError(f"Rate period must be > 0 seconds, got {self.period!r}")

    @property
    def per_second(self) -> float:
        """The long-run pace in requests per second."""
        return self.limit / self.period

    @property
    def interval(self) -> float:
        """Seconds between two requests at an even pace."""
        return self.period / self.limit

    def __str__(self) -> str:
        for name, seconds in (("d", 86400.0), ("h", 3600.0), ("min", 60.0), ("s", 1.0)):
            if self.period == seconds:
                return f"{self.limit}/{name}"
        return f"{self.limit}/{self.period:g}s"


RatesLike: TypeAlias = "str | Rate | Iterable[str | Rate]"


def parse_rate(text: str | Rate) -> Rate:
    """Parse one rate such as ``"5/s"``, ``"100/min"``, ``"500/h"``, ``"10/2s"`` or ``"3 per day"``.

    Raises :class:`ValueError` naming the text and the accepted forms when it is not a rate.
    """
    if isinstance(text, Rate):
        return text
    if not isinstance(text, str):
        raise TypeError(_not_a_rate(text))
    match = _RATE.match(text)
    unit = match.group("unit").lower() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(
            f"cannot read rate {text!r}: write '<count>/<unit>' such as '5/s', '100/min', "
            "'500/h', '1000/day' or '10/2s' (units: ms, s, min, h, day)"
        )
    multiplier = float(match.group("mult")) if match.group("mult") else 1.0
    period = multiplier * _UNITS[unit]
    count = int(match.group("count"))
    if count < 1:
        raise ValueError(f"cannot read rate {text!r}: the count must be at least 1")
    if period <= 0:
        raise ValueError(f"cannot read rate {text!r}: the period must be longer than zero")
    return Rate(count, period)


def parse_rates(rates: RatesLike) -> tuple[Rate, ...]:
    """Parse one rate or several (``["10/s", "500/h"]`` or ``"10/s, 500/h"``).

    The result is sorted shortest period first.

    Duplicates are dropped; an empty list is refused because it would mean "no limit"
    silently (pass ``None`` to the client for that).
    """
    items: list[str | Rate]
    if isinstance(rates, Rate):
        items = [rates]
    elif isinstance(rates, str):
        items = [part for part in re.split(r"[,;]", rates) if part.strip()]
    elif isinstance(rates, Mapping):
        raise TypeError(
            "a mapping is not a list of rates; per-route quotas go in "
            "RateLimit(rates, routes={'GET /search*': '1/s'})"
        )
    elif isinstance(rates, Iterable):
        items = list(rates)
    else:
        raise TypeError(_not_a_rate(rates))
    if not items:
        raise ValueError("no rate given: pass at least one rate such as '5/s'")
    parsed = {parse_rate(item) for item in items}
    return tuple(sorted(parsed, key=lambda rate: (rate.period, rate.limit)))


def parse_rates_argument(
    argument: str, rates: RatesLike, *, owner: str | None = None
) -> tuple[Rate, ...]:
    """:func:`parse_rates`, with errors that name the argument the rates were given as
    (``rate_limit=5: ...``, or ``RateLimit(rates=5): ...`` with an ``owner``)."""
    try:
        return parse_rates(rates)
    except (TypeError, ValueError) as exc:
        given = f"{argument}={rates!r}"
        where = f"{owner}({given})" if owner else given
        raise type(exc)(f"{where}: {exc}") from None


def _not_a_rate(value: object) -> str:
    """Why ``value`` is not a rate, and what to write instead."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        # A bare number is the most common slip: say which period it needs.
        count = f"{value:g}"
        example = f"'{count}/s'" if float(value).is_integer() else "'5/2s' (2.5 per second)"
        return (
            f"a number alone is not a rate: {count} per what? write it with a unit, such "
            f"as {example}, '100/min' or '500/h'"
        )
    return (
        "expected a rate such as '5/s', a tether.Rate, or a list of them, "
        f"got {type(value).__name__} {value!r}"
    )
