"""``RateLimit``: the frozen configuration of a client-side limiter."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

from tether._ratelimit._rate import Rate, RatesLike, parse_rates
from tether._ratelimit._stores import Store

__all__ = ["RateLimit", "Route"]

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
        return cls(text, parse_rates(rates), method)

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
        parsed = () if rates is None else _parse("rates", rates)
        if burst is not None and (isinstance(burst, bool) or burst < 1):
            raise ValueError(f"burst must be a whole number >= 1 (or None), got {burst!r}")
        if algorithm not in ("gcra", "sliding_window"):
            raise ValueError(f"algorithm must be 'gcra' or 'sliding_window', got {algorithm!r}")
        if algorithm == "sliding_window" and burst is not None:
            raise ValueError(
                "burst applies to algorithm='gcra' only: a sliding window already admits "
                "its full count at once"
            )
        if scope not in ("host", "global"):
            raise ValueError(f"scope must be 'host' or 'global', got {scope!r}")
        if not 0.0 <= margin < 1.0:
            raise ValueError(f"margin must be in [0, 1), got {margin!r}")
        if store is not None and not isinstance(store, Store):
            raise TypeError(
                f"store must be a MemoryStore, SQLiteStore or RedisStore, got {store!r}"
            )
        if isinstance(routes, Mapping):
            route_list = tuple(Route.parse(p, r) for p, r in routes.items())
        else:
            route_list = tuple(routes)
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


def _parse(argument: str, rates: RatesLike) -> tuple[Rate, ...]:
    try:
        return parse_rates(rates)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"RateLimit {argument}: {exc}") from None
