"""Every bad argument to the rate-limiting API is a tether.ConfigurationError (a ValueError)
whose message names the argument, says what was wrong and what to write instead."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest

import tether
from tether._ratelimit import Rate, RateLimiter, Route, parse_rate, parse_rates

METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE"


def refused(call: Callable[[], object], *fragments: str) -> str:
    """Run ``call``, expect a ConfigurationError, check the message holds every fragment."""
    with pytest.raises(tether.ConfigurationError) as info:
        call()
    message = str(info.value)
    # Code written before these errors existed catches ValueError; it still does.
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, tether.TetherError)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# -- the cases a new user met ------------------------------------------------------------


def test_fractional_burst() -> None:
    refused(
        lambda: tether.RateLimit("5/s", burst=2.5),
        "RateLimit(burst=2.5)",
        "must be a whole number >= 1",
    )


def test_unknown_unit_in_ratelimit_and_ratelimiter() -> None:
    for call, argument in (
        (lambda: tether.RateLimit("5/x"), "RateLimit(rates='5/x')"),
        (lambda: tether.RateLimiter("5/x"), "RateLimiter(config='5/x')"),
    ):
        refused(call, argument, "'x' is not a unit", "'5/s'", "units: ms, s, min, h, d;")


def test_bare_number_as_rate() -> None:
    refused(
        lambda: tether.RateLimit(5),  # type: ignore[arg-type]
        "RateLimit(rates=5)",
        "5 per what?",
        "'5/s'",
    )


def test_path_given_as_store() -> None:
    refused(
        lambda: tether.RateLimit("5/s", store="quota.sqlite"),  # type: ignore[arg-type]
        "RateLimit(store='quota.sqlite')",
        "not a limiter store",
        "store=tether.SQLiteStore('quota.sqlite')",
    )


def test_bad_rate_of_a_route() -> None:
    refused(
        lambda: tether.RateLimit("5/s", routes={"GET /s*": "1/x"}),
        "RateLimit(routes={'GET /s*': '1/x'})",
        "'x' is not a unit",
    )


def test_negative_max_wait() -> None:
    refused(
        lambda: tether.RateLimiter("5/s").acquire("k", max_wait=-1),
        "acquire(max_wait=-1)",
        "seconds >= 0, or None",
    )


def test_sqlite_store_path_of_the_wrong_type() -> None:
    message = refused(
        lambda: tether.SQLiteStore(5),  # type: ignore[arg-type]
        "SQLiteStore(path=5)",
        "expected a file path such as 'quota.sqlite'",
    )
    assert "expected str, bytes" not in message


def test_route_with_a_misspelt_method() -> None:
    refused(
        lambda: tether.RateLimit("5/s", routes={"GETT /search*": "1/s"}),
        "RateLimit(routes={'GETT /search*': ...})",
        f"'GETT' is not an HTTP method; use one of {METHODS}",
    )


# -- the rest of the surface ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        (lambda: Rate(0, 1.0), ("Rate(limit=0)", "whole number >= 1")),
        (lambda: Rate(2.5, 1.0), ("Rate(limit=2.5)", "Rate(5, 2.0)")),
        (lambda: Rate(True, 1.0), ("Rate(limit=True)",)),
        (lambda: Rate(5, 0), ("Rate(period=0)", "seconds > 0")),
        (lambda: Rate(5, "1"), ("Rate(period='1')", "a number of seconds")),
        (lambda: Rate(5, float("inf")), ("Rate(period=inf)", "finite")),
        (lambda: Rate(5, float("nan")), ("Rate(period=nan)",)),
        (lambda: Rate(10**400, 1.0), ("too many requests per period",)),
        (lambda: parse_rate(5), ("5 per what?",)),
        (lambda: parse_rate("5 a second"), ("cannot read rate '5 a second'", "'5/s'")),
        (lambda: parse_rate("0/s"), ("cannot read rate '0/s'", "at least 1")),
        (lambda: parse_rate("5/0s"), ("cannot read rate '5/0s'", "above zero")),
        (lambda: parse_rates([]), ("no rate given", "'5/s'")),
        (lambda: parse_rates(b"5/s"), ("not bytes: decode it first",)),
        (lambda: parse_rates({"5/s": 1}), ("a mapping is not a list of rates", "routes=")),
    ],
)
def test_rates(call: Callable[[], object], fragments: tuple[str, ...]) -> None:
    refused(call, *fragments)


@pytest.mark.parametrize(
    ("routes", "fragments"),
    [
        ({"GET": "1/s"}, ("RateLimit(routes={'GET': ...})", "'GET /*'")),
        ({"GET search": "1/s"}, ("RateLimit(routes={'GET search': ...})", "path glob")),
        ({"search*": "1/s"}, ("RateLimit(routes={'search*': ...})", "'/search/*'")),
        ({5: "1/s"}, ("RateLimit(routes={5: ...})", "a route pattern is a string")),
        ({"/s*": []}, ("RateLimit(routes={'/s*': []})", "no rate given")),
        ("GET /s*", ("RateLimit(routes='GET /s*')", "mapping of route pattern")),
        (["GET /s*"], ("RateLimit(routes=...)", "is not a tether.Route")),
    ],
)
def test_routes(routes: Any, fragments: tuple[str, ...]) -> None:
    refused(lambda: tether.RateLimit("5/s", routes=routes), *fragments)


def test_routes_accept_any_case_of_a_known_method_and_keep_their_rates_ordered() -> None:
    limit = tether.RateLimit("5/s", routes={"post /upload*": ["1/h", "1/s"]})
    assert limit.routes[0].method == "POST"
    assert limit.routes[0].rates == (Rate(1, 1.0), Rate(1, 3600.0))
    unordered = Route("/x", (Rate(1, 3600.0), Rate(1, 1.0)))
    assert unordered.rates == (Rate(1, 1.0), Rate(1, 3600.0))


@pytest.mark.parametrize(
    ("call", "fragments"),
    [
        (
            lambda: Route.parse("GETT /x", "1/s"),
            ("Route.parse(pattern='GETT /x')", "'GETT' is not an HTTP method"),
        ),
        (lambda: Route.parse("/x", "1/q"), ("Route.parse(rates='1/q')", "'q' is not a unit")),
        (lambda: Route("x", (Rate(1, 1.0),)), ("Route(pattern='x')", "Route.parse(")),
        (lambda: Route("/x", ("1/s",)), ("Route(rates=('1/s',))", "tuple of tether.Rate")),
        (lambda: Route("/x", ()), ("Route(rates=())", "non-empty")),
        (lambda: Route("/x", (Rate(1, 1.0),), "get"), ("Route(method='get')", "in capitals")),
    ],
)
def test_route_objects(call: Callable[[], object], fragments: tuple[str, ...]) -> None:
    refused(call, *fragments)


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"burst": 0}, ("RateLimit(burst=0)",)),
        ({"burst": True}, ("RateLimit(burst=True)",)),
        ({"algorithm": "leaky"}, ("RateLimit(algorithm='leaky')", "'sliding_window'")),
        ({"algorithm": "sliding_window", "burst": 2}, ("RateLimit(burst=2)", "leave burst out")),
        ({"scope": "planet"}, ("RateLimit(scope='planet')", "'host'", "'global'")),
        ({"margin": float("nan")}, ("RateLimit(margin=nan)", "[0, 1)")),
        ({"margin": -0.1}, ("RateLimit(margin=-0.1)",)),
        ({"adaptive": "yes"}, ("RateLimit(adaptive='yes')", "True or False")),
        ({"store": tether.MemoryStore}, ("RateLimit(store=<class", "store=MemoryStore(...)")),
        ({"store": 5}, ("RateLimit(store=5)", "tether.MemoryStore()")),
        ({"rates": None, "adaptive": False}, ("RateLimit(adaptive=False)", "limits nothing")),
        ({"rates": {"5/s": 1}}, ("RateLimit(rates={'5/s': 1})", "routes=")),
    ],
)
def test_ratelimit_settings(kwargs: dict[str, Any], fragments: tuple[str, ...]) -> None:
    kwargs.setdefault("rates", "5/s")
    refused(lambda: tether.RateLimit(**kwargs), *fragments)


def test_ratelimit_replace_checks_the_change() -> None:
    refused(lambda: tether.RateLimit("5/s").replace(burst=-1), "RateLimit(burst=-1)")


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"config": 5}, ("RateLimiter(config=5)", "5 per what?")),
        ({"config": True}, ("RateLimiter(config=True)", "'5/s'")),
        ({"config": "5/s", "store": "q.sqlite"}, ("RateLimiter(store='q.sqlite')",)),
        ({"config": "5/s", "clock": 1.0}, ("RateLimiter(clock=1.0)", "time.monotonic")),
        ({"config": "5/s", "wall_clock": None}, ("RateLimiter(wall_clock=None)", "time.time")),
        ({"config": "5/s", "sleep": 0}, ("RateLimiter(sleep=0)", "time.sleep")),
    ],
)
def test_ratelimiter_arguments(kwargs: dict[str, Any], fragments: tuple[str, ...]) -> None:
    refused(lambda: RateLimiter(**kwargs), *fragments)


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"key": 5}, ("(key=5)", "a string naming the quota")),
        ({"key": None}, ("(key=None)",)),
        ({"cost": 0}, ("(cost=0)", "whole number >= 1")),
        ({"cost": 1.5}, ("(cost=1.5)",)),
        ({"cost": True}, ("(cost=True)",)),
        ({"max_wait": -1}, ("(max_wait=-1)", ">= 0")),
        ({"max_wait": float("nan")}, ("(max_wait=nan)",)),
        ({"max_wait": "1"}, ("(max_wait='1')",)),
    ],
)
def test_acquire_arguments(kwargs: dict[str, Any], fragments: tuple[str, ...]) -> None:
    limiter = RateLimiter("5/s")
    args = {"key": "k", **kwargs}
    refused(lambda: limiter.acquire(**args), "acquire(", *fragments)
    refused(lambda: anyio.run(lambda: limiter.aacquire(**args)), "aacquire(", *fragments)
    if "max_wait" not in kwargs:
        refused(lambda: limiter.try_acquire(**args), "try_acquire(", *fragments)
    # The refused calls spent nothing.
    assert limiter.try_acquire("k")


@pytest.mark.parametrize("algorithm", ["gcra", "sliding_window"])
def test_a_cost_no_limit_can_ever_grant_names_the_cost(algorithm: Any) -> None:
    limiter = RateLimiter(tether.RateLimit("2/s", algorithm=algorithm))
    refused(lambda: limiter.acquire("k", cost=3), "cost=3", "lower the cost")
    assert limiter.try_acquire("k")


def test_store_constructors(tmp_path: Path) -> None:
    refused(
        lambda: tether.MemoryStore(clock="now"),  # type: ignore[arg-type]
        "MemoryStore(clock='now')",
    )
    refused(
        lambda: tether.SQLiteStore(b"q.sqlite"),  # type: ignore[arg-type]
        "SQLiteStore(path=b'q.sqlite')",
    )
    refused(lambda: tether.SQLiteStore(""), "SQLiteStore(path='')", "MemoryStore()")
    refused(lambda: tether.SQLiteStore(":memory:"), "SQLiteStore(path=':memory:')")
    target = tmp_path / "q.sqlite"
    refused(
        lambda: tether.SQLiteStore(target, timeout=-1),
        "SQLiteStore(timeout=-1)",
        "seconds >= 0",
    )
    refused(lambda: tether.SQLiteStore(target, clock=3), "SQLiteStore(clock=3)", "time.time")
    refused(lambda: tether.SQLiteStore(tmp_path), "SQLiteStore(path=", "cannot open")
    assert not target.exists()


def test_redis_store_constructor() -> None:
    pytest.importorskip("redis")
    refused(lambda: tether.RedisStore(42), "RedisStore(client=42)", "redis://")

    class FakeRedis:
        def register_script(self, script: str) -> object:
            return script

    refused(lambda: tether.RedisStore(FakeRedis(), prefix=1), "RedisStore(prefix=1)")
    refused(lambda: tether.RedisStore(FakeRedis(), clock="t"), "RedisStore(clock='t')")


@pytest.mark.parametrize("transport", [tether.RateLimitTransport, tether.AsyncRateLimitTransport])
def test_transport_constructors(transport: Any) -> None:
    refused(lambda: transport(rate_limit="5/x"), "rate_limit='5/x'", "'x' is not a unit")
    refused(lambda: transport(rate_limit=True), "rate_limit=True")
    refused(lambda: transport(rate_limit="5/s", hooks=print), "hooks=", "hooks=[print]")
    refused(lambda: transport(rate_limit="5/s", hooks=[1]), "hooks:", "not callable")
    other = httpx2.AsyncHTTPTransport if transport is tether.RateLimitTransport else None
    if other is not None:
        refused(lambda: transport(other()), "transport=", "not a sync transport")


@pytest.mark.parametrize("client", [tether.Client, tether.AsyncClient])
@pytest.mark.parametrize(
    ("rate_limit", "fragments"),
    [
        ("5/x", ("rate_limit='5/x'", "'x' is not a unit")),
        ([], ("rate_limit=[]", "no rate given")),
        (b"5/s", ("rate_limit=b'5/s'", "decode it first")),
        ("quota.sqlite", ("rate_limit='quota.sqlite'", "cannot read rate")),
    ],
)
def test_client_rate_limit(client: Any, rate_limit: object, fragments: tuple[str, ...]) -> None:
    message = refused(lambda: client(rate_limit=rate_limit), *fragments)
    assert message.endswith("or rate_limit=False to switch rate limiting off entirely")


def test_messages_quote_the_value_once() -> None:
    message = refused(lambda: tether.RateLimit("5/s", burst=2.5))
    assert len(re.findall(r"2\.5", message)) == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda: tether.RateLimit(5),
        lambda: tether.RateLimit({"5/s": 1}),
        lambda: tether.RateLimit("5/s", store="quota.sqlite"),
        lambda: tether.RateLimit("5/s", adaptive="no"),
        lambda: tether.RateLimit("5/s", routes="GET /x"),
        lambda: tether.RateLimit("5/s", routes={5: "1/s"}),
        lambda: tether.RateLimit("5/s", routes={"/x": 5}),
        lambda: tether.RateLimiter(5),
        lambda: tether.RateLimiter("5/s").acquire(5),
        lambda: tether.RateLimitTransport(rate_limit=True),
        lambda: tether.SQLiteStore(5),
        lambda: tether.MemoryStore(clock=5),
        lambda: parse_rate(5),
        lambda: Rate(5, "1"),
    ],
)
def test_arguments_of_the_wrong_type_are_still_type_errors(call: Callable[[], object]) -> None:
    # They raised TypeError before they raised ConfigurationError; except clauses written
    # for that keep working.
    with pytest.raises(TypeError) as info:
        call()
    assert isinstance(info.value, tether.ConfigurationError)


@pytest.mark.parametrize(
    "call",
    [
        lambda: tether.RateLimit("5/x"),
        lambda: tether.RateLimit("5/s", burst=0),
        lambda: tether.RateLimit("5/s", routes={"GETT /x": "1/s"}),
        lambda: tether.RateLimiter("5/s").acquire("k", max_wait=-1),
    ],
)
def test_wrong_values_are_value_errors_only(call: Callable[[], object]) -> None:
    with pytest.raises(tether.ConfigurationError) as info:
        call()
    assert not isinstance(info.value, TypeError)
