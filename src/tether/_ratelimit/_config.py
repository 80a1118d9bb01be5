"""``RateLimit``: the frozen configuration of a client-side limiter."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

from tether._ratelimit._rate import Rate, RatesLike, parse_rates_argument
from tether._ratelimit._stores import Store

__all__ = ["RateLimit", "Route", "check_store"]

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


@dataclass(frozen=True, slots=True)
class Route:
    """A route pattern with its own quota: ``"GET /search/*"`` or ``"/uploads/*"``.

    The pattern is a shell-style glob on the URL path (``*`` matches across ``/``),
    optionally preceded by a method.
    """

    pattern: str
    rates: tuple[Rate, ...]
    method: str | None = None

    @classmethod
    def parse(cls, pattern: str, rates: RatesLike) -> Route:
        """Build a route from ``"[METHOD ]/path-glob"`` and its rates."""
        if not isinstance(pattern, str):
            raise TypeError(f"route pattern {pattern!r} must be a string such as 'GET /search*'")
        text = pattern.strip()
        method: str | None = None
        head, _, rest = text.partition(" ")
        if rest and head.upper() in _METHODS:
            method, text = head.upper(), rest.strip()
        if not text.startswith("/") and text != "*":
            raise ValueError(
                f"route pattern {pattern!r} must be a path glob such as '/search/*', "
                "optionally after a method: 'GET /posts*'"
            )
        return cls(text, parse_rates_argument(f"routes[{pattern!r}]", rates), method)

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
    """

    rates: tuple[Rate, ...]
    burst: int | None
    algorithm: Literal["gcra", "sliding_window"]
    scope: Literal["host", "global"]
    routes: tuple[Route, ...]
    store: Store | None
    adaptive: bool
    margin: float

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
    ) -> None:
        parsed = () if rates is None else parse_rates_argument("rates", rates, owner="RateLimit")
        if burst is not None and (
            isinstance(burst, bool) or not isinstance(burst, int) or burst < 1
        ):
            raise ValueError(
                f"burst must be a whole number >= 1 (or None for 1), got {burst!r}: it counts "
                "the requests that may go back to back"
            )
        if algorithm not in ("gcra", "sliding_window"):
            raise ValueError(f"algorithm must be 'gcra' or 'sliding_window', got {algorithm!r}")
        if algorithm == "sliding_window" and burst is not None:
            raise ValueError(
                "burst applies to algorithm='gcra' only: a sliding window already admits "
                "its full count at once"
            )
        if scope not in ("host", "global"):
            raise ValueError(f"scope must be 'host' or 'global', got {scope!r}")
        if (
            isinstance(margin, bool)
            or not isinstance(margin, int | float)
            or not 0.0 <= margin < 1.0
        ):
            raise ValueError(
                f"margin must be a number in [0, 1) such as 0.05 (a share of the server's "
                f"quota), got {margin!r}"
            )
        if not isinstance(adaptive, bool):
            raise TypeError(f"adaptive must be True or False, got {adaptive!r}")
        check_store(store)
        route_list = _routes(routes)
        if not parsed and not route_list and not adaptive:
            raise ValueError(
                "this RateLimit limits nothing: give rates, routes, or leave adaptive=True"
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


def check_store(store: object) -> None:
    """Refuse a ``store=`` that is not a store instance, saying what to pass instead."""
    if store is None or (isinstance(store, Store) and not isinstance(store, type)):
        return
    if isinstance(store, type):
        hint = f"pass an instance: store={store.__name__}(...)"
    elif isinstance(store, str | os.PathLike):
        hint = f"for a file shared by processes pass store=tether.SQLiteStore({store!r})"
    else:
        hint = "pass a tether.MemoryStore(), SQLiteStore(path) or RedisStore(url)"
    raise TypeError(f"store={store!r} is not a limiter store; {hint}")


def _routes(routes: Mapping[str, RatesLike] | Iterable[Route]) -> tuple[Route, ...]:
    if isinstance(routes, Mapping):
        return tuple(Route.parse(pattern, rates) for pattern, rates in routes.items())
    if isinstance(routes, str) or not isinstance(routes, Iterable):
        raise TypeError(
            f"routes={routes!r}: expected a mapping of route pattern to rates, such as "
            "{'GET /search*': '1/s'}"
        )
    route_list = tuple(routes)
    for route in route_list:
        if not isinstance(route, Route):
            raise TypeError(
                f"routes: {route!r} is not a tether.Route; give routes as a mapping of "
                "pattern to rates, such as {'GET /search*': '1/s'}"
            )
    return route_list
