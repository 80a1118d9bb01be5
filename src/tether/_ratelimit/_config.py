"""``RateLimit``: the frozen configuration of a client-side limiter."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

from tether._errors import ConfigurationError, ConfigurationTypeError
from tether._ratelimit._rate import Rate, RatesLike, parse_rates, parse_rates_argument
from tether._ratelimit._stores import Store

__all__ = ["RateLimit", "Route", "check_store"]

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


@dataclass(frozen=True, slots=True)
class Route:
    """A route pattern with its own quota: ``"GET /search/*"`` or ``"/uploads/*"``.

    The pattern is a shell-style glob on the URL path (``*`` matches across ``/``),
    optionally preceded by a method.
    """

    pattern: str
    rates: tuple[Rate, ...]
    method: str | None = None

    def __post_init__(self) -> None:
        pattern, rates, method = self.pattern, self.rates, self.method
        if not isinstance(pattern, str) or not (pattern.startswith("/") or pattern == "*"):
            error = ConfigurationError if isinstance(pattern, str) else ConfigurationTypeError
            raise error(
                f"Route(pattern={pattern!r}): expected a path glob such as '/search/*' (the "
                "method goes in method=); Route.parse('GET /search/*', '1/s') reads both "
                "from one string"
            )
        if method is not None and method not in _METHODS:
            raise ConfigurationError(
                f"Route(method={method!r}): expected None (every method) or one of "
                f"{', '.join(_METHODS)}, in capitals"
            )
        if (
            not isinstance(rates, tuple)
            or not rates
            or not all(isinstance(rate, Rate) for rate in rates)
        ):
            raise ConfigurationTypeError(
                f"Route(rates={rates!r}): expected a non-empty tuple of tether.Rate; "
                "Route.parse('/search/*', '1/s') reads rates written as text"
            )
        # The limiter paces by the first rate, so keep them in parse_rates' order.
        object.__setattr__(self, "rates", parse_rates(rates))

    @classmethod
    def parse(cls, pattern: str, rates: RatesLike) -> Route:
        """Build a route from ``"[METHOD ]/path-glob"`` and its rates.

        Raises :class:`tether.ConfigurationError` when the pattern or the rates are not
        valid.
        """
        method, path = _split_pattern(pattern, f"Route.parse(pattern={pattern!r})")
        return cls(path, parse_rates_argument("rates", rates, owner="Route.parse"), method)

    def matches(self, method: str, path: str) -> bool:
        """True when a request with this method and path falls under the route."""
        if self.method is not None and method.upper() != self.method:
            return False
        return fnmatchcase(path, self.pattern)

    def __str__(self) -> str:
        return f"{self.method} {self.pattern}" if self.method else self.pattern


@dataclass(frozen=True, init=False)
class RateLimit:
    """How a client paces its requests.

    Example::

        tether.RateLimit("5/s")                        # one request every 200 ms
        tether.RateLimit(["10/s", "500/h"], burst=5)   # up to 5 at once, 500 an hour
        tether.RateLimit("20/s", routes={"GET /search*": "1/s"}, store=SQLiteStore(path))
        tether.RateLimit()                             # only what the server's headers say

    Args:
        rates: The ceiling: the client never sends faster than any of these, whatever the
            server says. ``None`` leaves only the server's feedback (when ``adaptive``).
        burst: How many requests may go back to back after an idle spell (GCRA only).
            Default 1: requests are spaced evenly at the rate with the shortest period.
            Rates with longer periods act as quotas (a bucket of their full count).
        algorithm: ``"gcra"`` (even pacing, one number of state per rate) or
            ``"sliding_window"`` (at most N in any window: exact for long windows, state
            grows with N; ``burst`` does not apply).
        scope: ``"host"`` gives every host its own quota; ``"global"`` shares one quota
            across all hosts the client calls.
        routes: Extra quotas per route pattern, ``{"GET /search*": "1/s"}``. A matching
            request passes both its route's quota and the host's (or global) one; the
            first matching pattern wins.
        store: Where state lives: a :class:`MemoryStore` of the limiter (default), a
            :class:`SQLiteStore` (processes on one machine) or a :class:`RedisStore`
            (machines). All users of the same store and rates share one quota.
        adaptive: Read rate-limit headers and 429s, slow down before the server refuses.
        margin: Share of a server's quota the adaptive pace leaves unused as a safety
            margin (and allows as a burst instead).
        slow_start: Until a host's answers show whether it announces limits, hold
            concurrent requests back: one goes first, and more follow as answers come
            back without limit pressure (see ``docs/rate-limits.md``). Needs ``adaptive``.

    Raises:
        tether.ConfigurationError: A setting is invalid; the message names it and says
            what to write instead.
    """

    rates: tuple[Rate, ...]
    burst: int | None
    algorithm: Literal["gcra", "sliding_window"]
    scope: Literal["host", "global"]
    routes: tuple[Route, ...]
    store: Store | None
    adaptive: bool
    margin: float
    slow_start: bool

    def __init__(
        self,
        rates: RatesLike | None = None,
        *,
        burst: int | None = None,
        algorithm: Literal["gcra", "sliding_window"] = "gcra",
        scope: Literal["host", "global"] = "host",
        routes: Mapping[str, RatesLike] | Iterable[Route] = (),
        store: Store | None = None,
        adaptive: bool = True,
        margin: float = 0.05,
        slow_start: bool = True,
    ) -> None:
        parsed = () if rates is None else parse_rates_argument("rates", rates, owner="RateLimit")
        if burst is not None and (
            isinstance(burst, bool) or not isinstance(burst, int) or burst < 1
        ):
            raise ConfigurationError(
                f"RateLimit(burst={burst!r}): burst must be a whole number >= 1 (or None "
                "for 1): it counts the requests that may go back to back"
            )
        if algorithm not in ("gcra", "sliding_window"):
            raise ConfigurationError(
                f"RateLimit(algorithm={algorithm!r}): algorithm must be 'gcra' (even pacing) "
                "or 'sliding_window' (at most N in any window)"
            )
        if algorithm == "sliding_window" and burst is not None:
            raise ConfigurationError(
                f"RateLimit(burst={burst!r}): burst applies to algorithm='gcra' only: a "
                "sliding window already admits its full count at once; leave burst out"
            )
        if scope not in ("host", "global"):
            raise ConfigurationError(
                f"RateLimit(scope={scope!r}): scope must be 'host' (a quota per host) or "
                "'global' (one quota for every host)"
            )
        if (
            isinstance(margin, bool)
            or not isinstance(margin, int | float)
            or not 0.0 <= margin < 1.0
        ):
            raise ConfigurationError(
                f"RateLimit(margin={margin!r}): margin must be a number in [0, 1) such as "
                "0.05 (a share of the server's quota)"
            )
        if not isinstance(adaptive, bool):
            raise ConfigurationTypeError(
                f"RateLimit(adaptive={adaptive!r}): adaptive must be True or False"
            )
        if not isinstance(slow_start, bool):
            raise ConfigurationTypeError(
                f"RateLimit(slow_start={slow_start!r}): slow_start must be True or False"
            )
        check_store(store, owner="RateLimit")
        route_list = _routes(routes)
        if not parsed and not route_list and not adaptive:
            raise ConfigurationError(
                "RateLimit(adaptive=False) with no rates or routes limits nothing: give "
                "rates, routes, or leave adaptive=True (or pass rate_limit=False to a "
                "client for no rate limiting)"
            )
        for name, value in (
            ("rates", parsed),
            ("burst", burst),
            ("algorithm", algorithm),
            ("scope", scope),
            ("routes", route_list),
            ("store", store),
            ("adaptive", adaptive),
            ("margin", margin),
            ("slow_start", slow_start),
        ):
            object.__setattr__(self, name, value)

    def replace(self, **changes: object) -> RateLimit:
        """A copy with some settings changed: ``limit.replace(burst=5)``."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def __str__(self) -> str:
        parts = [", ".join(str(rate) for rate in self.rates) or "adaptive only"]
        if self.burst is not None:
            parts.append(f"burst {self.burst}")
        parts.extend(f"{route}: {', '.join(map(str, route.rates))}" for route in self.routes)
        return "; ".join(parts)


def check_store(store: object, *, owner: str) -> None:
    """Refuse a ``store=`` that is not a store instance, saying what to pass instead."""
    if store is None or (isinstance(store, Store) and not isinstance(store, type)):
        return
    if isinstance(store, type):
        hint = f"pass an instance: store={store.__name__}(...)"
    elif isinstance(store, str | os.PathLike):
        hint = f"for a file shared by processes pass store=tether.SQLiteStore({store!r})"
    else:
        hint = "pass a tether.MemoryStore(), SQLiteStore(path) or RedisStore(url)"
    raise ConfigurationTypeError(f"{owner}(store={store!r}): not a limiter store; {hint}")


def _split_pattern(pattern: object, where: str) -> tuple[str | None, str]:
    """The method (``None``: any) and the path glob of ``"[METHOD ]/path-glob"``."""
    if not isinstance(pattern, str):
        raise ConfigurationTypeError(
            f"{where}: a route pattern is a string such as 'GET /search*', got "
            f"{type(pattern).__name__}"
        )
    text = pattern.strip()
    method: str | None = None
    parts = text.split(None, 1)
    if len(parts) == 2 and not parts[0].startswith(("/", "*")):
        head, text = parts[0], parts[1].strip()
        if head.upper() not in _METHODS:
            raise ConfigurationError(
                f"{where}: {head!r} is not an HTTP method; use one of "
                f"{', '.join(_METHODS)}, or leave the method out to match every method"
            )
        method = head.upper()
    elif text.upper() in _METHODS:
        raise ConfigurationError(
            f"{where}: the pattern has a method but no path; write '{text.upper()} /*' "
            f"for every {text.upper()} request"
        )
    if not text.startswith("/") and text != "*":
        raise ConfigurationError(
            f"{where}: a route pattern must be a path glob such as '/search/*', "
            "optionally after a method: 'GET /posts*'"
        )
    return method, text


def _routes(routes: Mapping[str, RatesLike] | Iterable[Route]) -> tuple[Route, ...]:
    if isinstance(routes, Mapping):
        parsed: list[Route] = []
        for pattern, rates in routes.items():
            method, path = _split_pattern(pattern, f"RateLimit(routes={{{pattern!r}: ...}})")
            try:
                route_rates = parse_rates(rates)
            except ConfigurationError as exc:
                raise type(exc)(f"RateLimit(routes={{{pattern!r}: {rates!r}}}): {exc}") from None
            parsed.append(Route(path, route_rates, method))
        return tuple(parsed)
    if isinstance(routes, str) or not isinstance(routes, Iterable):
        raise ConfigurationTypeError(
            f"RateLimit(routes={routes!r}): expected a mapping of route pattern to rates, "
            "such as {'GET /search*': '1/s'}"
        )
    route_list = tuple(routes)
    for route in route_list:
        if not isinstance(route, Route):
            raise ConfigurationTypeError(
                f"RateLimit(routes=...): {route!r} is not a tether.Route; give routes as a "
                "mapping of pattern to rates, such as {'GET /search*': '1/s'}"
            )
    return route_list
