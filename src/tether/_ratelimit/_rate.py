"""Rates as users type them: ``"5/s"``, ``"100/min"``, ``"500/h"``, ``"10/2s"``, lists of these.

A rate is a count per period. Parsing happens when a configuration is built, so a typo
fails at construction with a message naming the bad text, never at the first request.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeAlias, overload

from tether._errors import ConfigurationError, ConfigurationTypeError

__all__ = [
    "UNITS_HELP",
    "Rate",
    "RatesLike",
    "parse_rate",
    "parse_rates",
    "parse_rates_argument",
    "split_rates",
]

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
    re.IGNORECASE | re.ASCII,
)
UNITS_HELP = "units: ms, s, min, h, d; also sec, m, minute, hr, hour, day and plurals"
"""The accepted units, as every rate error lists them (client and sandbox alike)."""
_FORMS = (
    "write '<count>/<unit>' such as '5/s', '100/min', '500/h', '1000/day' or '10/2s' "
    f"({UNITS_HELP})"
)
_MAX_DIGITS = 30
"""Longer numbers are refused by message, before int() or float() see them."""


@dataclass(frozen=True, slots=True, init=False)
class Rate:
    """``limit`` requests per ``period`` seconds, or a rate written as text.

    Example::

        Rate("5/s") == Rate(5, 1.0) == parse_rate("5/s")
        Rate("100/min") == Rate(100, 60.0)
    """

    limit: int
    period: float

    @overload
    def __init__(self, limit: str) -> None: ...
    @overload
    def __init__(self, limit: int, period: float) -> None: ...

    def __init__(self, limit: int | str, period: float | None = None) -> None:
        if isinstance(limit, str) and period is None:
            parsed = parse_rate(limit)
            limit, period = parsed.limit, parsed.period
        elif period is None:
            raise ConfigurationTypeError(
                f"Rate({limit!r}): give a rate as text, such as Rate('5/s'), or a count and "
                f"a period in seconds, such as Rate({limit!r}, 1.0)"
            )
        self._check(limit, period)
        object.__setattr__(self, "limit", limit)
        object.__setattr__(self, "period", period)

    @staticmethod
    def _check(limit: object, period: object) -> None:
        """Refuse a limit or period no limiter can pace by, saying what to write."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ConfigurationError(
                f"Rate(limit={limit!r}): the limit must be a whole number >= 1 (requests per "
                "period); for a fractional pace lengthen the period instead, such as "
                "Rate(5, 2.0) for 2.5 a second"
            )
        if isinstance(period, bool) or not isinstance(period, int | float):
            raise ConfigurationTypeError(
                f"Rate(period={period!r}): the period must be a number of seconds, such as "
                "Rate(100, 60.0) for 100 a minute"
            )
        if not math.isfinite(period) or period <= 0:
            raise ConfigurationError(
                f"Rate(period={period!r}): the period must be a finite number of seconds "
                "> 0, such as Rate(100, 60.0) for 100 a minute"
            )
        try:
            interval = period / limit
        except OverflowError:
            interval = 0.0
        if interval <= 0:
            raise ConfigurationError(
                f"Rate(limit={limit!r}, period={period!r}): too many requests per period to "
                "pace; give a smaller limit, or no rate at all for no limit"
            )

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

    Raises :class:`tether.ConfigurationError` (a :class:`ValueError`) naming the text and
    the accepted forms when it is not a rate.
    """
    if isinstance(text, Rate):
        return text
    if not isinstance(text, str):
        raise ConfigurationTypeError(_not_a_rate(text))
    match = _RATE.match(text)
    if match is None:
        raise ConfigurationError(f"cannot read rate {text!r}: {_FORMS}")
    if len(match.group("count")) > _MAX_DIGITS or len(match.group("mult") or "") > _MAX_DIGITS:
        raise ConfigurationError(f"cannot read rate {text!r}: the numbers are too long to pace by")
    unit = match.group("unit").lower()
    if unit not in _UNITS:
        raise ConfigurationError(
            f"cannot read rate {text!r}: {match.group('unit')!r} is not a unit; {_FORMS}"
        )
    multiplier = float(match.group("mult")) if match.group("mult") else 1.0
    period = multiplier * _UNITS[unit]
    count = int(match.group("count"))
    if count < 1:
        raise ConfigurationError(
            f"cannot read rate {text!r}: the count must be at least 1, such as '1/min'"
        )
    if not 0 < period < math.inf:
        raise ConfigurationError(
            f"cannot read rate {text!r}: the period must be a finite length above zero, "
            "such as '10/2s'"
        )
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
        items = list[str | Rate](split_rates(rates))
    elif isinstance(rates, Mapping):
        raise ConfigurationTypeError(
            "a mapping is not a list of rates; per-route quotas go in "
            "RateLimit(rates, routes={'GET /search*': '1/s'})"
        )
    elif isinstance(rates, Iterable) and not isinstance(rates, bytes | bytearray):
        items = list(rates)
    else:
        raise ConfigurationTypeError(_not_a_rate(rates))
    if not items:
        raise ConfigurationError(
            "no rate given: pass at least one rate such as '5/s', or None for no configured rate"
        )
    parsed = {parse_rate(item) for item in items}
    return tuple(sorted(parsed, key=lambda rate: (rate.period, rate.limit)))


def split_rates(text: str) -> list[str]:
    """The rates in ``"10/s, 500/h"``, split at commas or semicolons.

    A blank piece (``"5/s,"``, ``"5/s,,1/h"``) is refused: it is usually a rate lost while
    editing, and reading it as "no more rates" would hide that.
    """
    pieces = re.split(r"[,;]", text)
    if len(pieces) > 1 and any(not piece.strip() for piece in pieces):
        raise ConfigurationError(
            f"cannot read rates {text!r}: there is an empty rate between or after the commas; "
            "write rates separated by commas, such as '10/s, 500/h'"
        )
    return [piece for piece in pieces if piece.strip()]


def parse_rates_argument(
    argument: str, rates: RatesLike, *, owner: str | None = None
) -> tuple[Rate, ...]:
    """:func:`parse_rates`, with errors that name the argument the rates were given as
    (``rate_limit=5: ...``, or ``RateLimit(rates=5): ...`` with an ``owner``)."""
    try:
        return parse_rates(rates)
    except ConfigurationError as exc:
        given = f"{argument}={rates!r}"
        where = f"{owner}({given})" if owner else given
        # Keep the class: a rate of the wrong type stays a TypeError too.
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
    if isinstance(value, bytes | bytearray):
        return f"a rate is text, not bytes: decode it first, got {value!r}"
    return (
        "expected a rate such as '5/s', a tether.Rate, or a list of them, "
        f"got {type(value).__name__} {value!r}"
    )
