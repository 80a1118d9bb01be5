"""RateLimiter and RateLimit: configuration, blocking and non-blocking acquisition, scoping."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import anyio
import httpx2
import pytest

import tether
from tether._ratelimit import MemoryStore, Rate, RateLimit, RateLimiter, Route

from .conftest import FakeClock


def limiter_for(clock: FakeClock, config: RateLimit | str | list[str]) -> RateLimiter:
    return RateLimiter(config, clock=clock, wall_clock=lambda: 1_700_000_000.0, sleep=clock.sleep)


# -- configuration -----------------------------------------------------------------------


def test_ratelimit_accepts_what_users_type() -> None:
    config = RateLimit(["500/h", "10/s"], burst=3)
    assert config.rates == (Rate(10, 1.0), Rate(500, 3600.0))
    assert config.burst == 3
    assert str(config) == "10/s, 500/h; burst 3"
    assert config.replace(burst=5).burst == 5
    assert RateLimit().rates == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rates": "5 a second"}, "RateLimit(rates='5 a second'): cannot read rate '5 a second'"),
        ({"rates": 5}, "RateLimit(rates=5): a number alone is not a rate: 5 per what?"),
        ({"rates": {"5/s": 1}}, "a mapping is not a list of rates; per-route quotas go in"),
        ({"rates": "5/s", "burst": 0}, "RateLimit(burst=0): burst must be a whole number"),
        (
            {"rates": "5/s", "burst": 2.5},
            "RateLimit(burst=2.5): burst must be a whole number >= 1 (or None for 1)",
        ),
        (
            {"rates": "5/s", "burst": "3"},
            "RateLimit(burst='3'): burst must be a whole number >= 1 (or None for 1)",
        ),
        (
            {"rates": "5/s", "margin": "0.1"},
            "RateLimit(margin='0.1'): margin must be a number in [0, 1)",
        ),
        ({"rates": "5/s", "adaptive": "no"}, "RateLimit(adaptive='no'): adaptive must be True"),
        ({"rates": "5/s", "store": "/tmp/q.sqlite"}, "pass store=tether.SQLiteStore"),
        ({"rates": "5/s", "store": MemoryStore}, "pass an instance: store=MemoryStore"),
        (
            {"routes": {"GET /x": 5}},
            "RateLimit(routes={'GET /x': 5}): a number alone is not a rate",
        ),
        (
            {"routes": "GET /x"},
            "RateLimit(routes='GET /x'): expected a mapping of route pattern",
        ),
        ({"routes": ["GET /x"]}, "RateLimit(routes=...): 'GET /x' is not a tether.Route"),
        ({"rates": "5/s", "algorithm": "leaky"}, "RateLimit(algorithm='leaky'): algorithm"),
        ({"rates": "5/s", "algorithm": "sliding_window", "burst": 2}, "'gcra' only"),
        ({"rates": "5/s", "scope": "planet"}, "RateLimit(scope='planet'): scope must be"),
        ({"rates": "5/s", "margin": 1.0}, "RateLimit(margin=1.0): margin must be"),
        ({"adaptive": False}, "RateLimit(adaptive=False) with no rates or routes limits"),
        (
            {"routes": {"search/*": "1/s"}},
            "RateLimit(routes={'search/*': ...}): a route pattern must be a path glob",
        ),
    ],
)
def test_bad_configuration_fails_early_and_says_what_to_do(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(tether.ConfigurationError, match=re.escape(message)):
        RateLimit(**kwargs)  # type: ignore[arg-type]


def test_a_limiter_refuses_a_store_that_is_not_one() -> None:
    with pytest.raises(
        tether.ConfigurationError,
        match=r"RateLimiter\(store='q.sqlite'\): .* store=tether.SQLiteStore\('q.sqlite'\)",
    ):
        RateLimiter("5/s", store="q.sqlite")  # type: ignore[arg-type]


def test_a_bare_number_asks_for_a_unit_wherever_rates_are_given() -> None:
    with pytest.raises(
        tether.ConfigurationError, match=r"RateLimiter\(config=5\): .* such as '5/s'"
    ):
        RateLimiter(5)  # type: ignore[arg-type]
    with pytest.raises(
        tether.ConfigurationError, match=r"rate_limit=2.5: .* '5/2s' \(2.5 per second\)"
    ):
        tether.RateLimitTransport(rate_limit=2.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cost": 0}, r"\(cost=0\): cost must be a whole number >= 1"),
        ({"cost": -1}, r"\(cost=-1\): cost must be a whole number >= 1"),
        ({"max_wait": -1}, r"acquire\(max_wait=-1\): max_wait must be a number of seconds"),
    ],
)
def test_acquire_refuses_arguments_that_would_corrupt_the_state(
    kwargs: dict[str, Any], message: str
) -> None:
    limiter = RateLimiter("5/s")
    with pytest.raises(tether.ConfigurationError, match=message):
        limiter.acquire("k", **kwargs)
    if "cost" in kwargs:
        with pytest.raises(tether.ConfigurationError, match=message):
            limiter.try_acquire("k", cost=kwargs["cost"])
    # Nothing was spent by the refused calls.
    assert limiter.try_acquire("k")


def test_route_patterns() -> None:
    route = Route.parse("GET /search/*", "1/s")
    assert route.matches("get", "/search/users")
    assert not route.matches("POST", "/search/users")
    assert not route.matches("GET", "/posts")
    assert Route.parse("/uploads/*", ["1/s"]).matches("PUT", "/uploads/a/b")
    assert str(route) == "GET /search/*"


def test_config_is_frozen() -> None:
    config = RateLimit("5/s")
    with pytest.raises(AttributeError):
        config.burst = 3  # type: ignore[misc]


# -- acquisition -------------------------------------------------------------------------


def test_acquire_sleeps_exactly_to_the_pace(clock: FakeClock) -> None:
    limiter = limiter_for(clock, "50/s")
    start = clock.now
    for _ in range(501):
        limiter.acquire("api")
    achieved = 500 / (clock.now - start)
    assert abs(achieved - 50) / 50 < 0.02
    assert max(clock.slept) == pytest.approx(0.02)


def test_try_acquire_never_waits(clock: FakeClock) -> None:
    limiter = limiter_for(clock, RateLimit("2/s", burst=2))
    assert limiter.try_acquire()
    assert limiter.try_acquire()
    assert not limiter.try_acquire()
    assert clock.slept == []
    clock.advance(0.5)
    assert limiter.try_acquire()
    assert not limiter.try_acquire()


def test_max_wait_raises_at_once_instead_of_waiting_in_vain(clock: FakeClock) -> None:
    limiter = limiter_for(clock, "1/s")
    limiter.acquire()
    with pytest.raises(TimeoutError, match=r"wait over 0\.5s"):
        limiter.acquire(max_wait=0.5)
    assert clock.slept == []
    assert limiter.acquire(max_wait=1.0) == pytest.approx(1.0)


def test_keys_have_separate_quotas(clock: FakeClock) -> None:
    limiter = limiter_for(clock, "1/s")
    assert limiter.try_acquire("a")
    assert limiter.try_acquire("b")
    assert not limiter.try_acquire("a")


def test_interrupted_wait_gives_the_slot_back(clock: FakeClock) -> None:
    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    limiter = RateLimiter("1/s", clock=clock, sleep=interrupted)
    limiter.acquire()
    with pytest.raises(KeyboardInterrupt):
        limiter.acquire()
    # The cancelled request's slot (at +1 s) is free again for the next caller.
    waits = []
    limiter = RateLimiter(limiter.config, store=limiter.store, clock=clock, sleep=waits.append)
    limiter.acquire()
    assert waits == [pytest.approx(1.0)]


def test_slot_is_kept_when_someone_reserved_after_it(clock: FakeClock) -> None:
    limiter = limiter_for(clock, "1/s")
    plan = limiter.plan_request("GET", "h", None, "/")
    limiter.reserve(plan)
    second = limiter.reserve(plan)
    third = limiter.reserve(plan)
    assert second is not None
    assert third is not None
    limiter.refund(second)  # someone (third) reserved after it: refunding would double-book
    fourth = limiter.reserve(plan)
    assert fourth is not None
    assert fourth.wait == pytest.approx(3.0)


def test_reasons_name_the_limit(clock: FakeClock) -> None:
    limiter = limiter_for(clock, RateLimit(["1/s", "2/min"]))
    plan = limiter.plan_request("GET", "api.example.com", 443, "/x")
    reasons = [permit.reason for permit in (limiter.reserve(plan) for _ in range(3)) if permit]
    assert reasons == ["", "1/s", "2/min"]
    assert plan.key == "api.example.com:443"


def test_routes_add_their_quota_to_the_hosts(clock: FakeClock) -> None:
    config = RateLimit("10/s", routes={"GET /search*": "1/s"})
    limiter = limiter_for(clock, config)
    search = limiter.plan_request("GET", "h", None, "/search/users")
    posts = limiter.plan_request("GET", "h", None, "/posts")
    waits = [limiter.reserve(search), limiter.reserve(search), limiter.reserve(posts)]
    assert [p.wait if p else None for p in waits] == pytest.approx([0.0, 1.0, 1.1])
    assert waits[1] is not None
    assert waits[1].reason == "GET /search*: 1/s"


def test_global_scope_shares_one_quota_across_hosts(clock: FakeClock) -> None:
    limiter = limiter_for(clock, RateLimit("1/s", scope="global"))
    a = limiter.reserve(limiter.plan_request("GET", "a.example", None, "/"))
    b = limiter.reserve(limiter.plan_request("GET", "b.example", None, "/"))
    assert (a and a.wait, b and b.wait) == (0.0, pytest.approx(1.0))


def test_limiters_sharing_a_store_share_the_quota(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    one = RateLimiter("1/s", store=store, clock=clock, sleep=clock.sleep)
    two = RateLimiter("1/s", store=store, clock=clock, sleep=clock.sleep)
    assert one.try_acquire("k")
    assert not two.try_acquire("k")


def test_adaptive_only_limiter_costs_nothing_until_the_server_speaks(clock: FakeClock) -> None:
    limiter = limiter_for(clock, RateLimit())
    plan = limiter.plan_request("GET", "h", None, "/")
    permit = limiter.reserve(plan)
    assert permit is not None
    assert permit.slots == ()
    assert limiter.observe(permit, 200, httpx2.Headers({"content-type": "text/plain"})) is None
    adjustment = limiter.observe(
        permit, 200, httpx2.Headers({"RateLimit-Policy": "10;w=1", "RateLimit": "r=9;t=1"})
    )
    assert adjustment is not None
    assert adjustment.rate == pytest.approx(9.5)
    permits = [limiter.reserve(plan) for _ in range(3)]
    assert [p.wait if p else None for p in permits] == pytest.approx([0.0, 1 / 9.5, 2 / 9.5])
    assert permits[1] is not None
    assert permits[1].reason == "server pace 9.5/s"


def test_never_faster_than_the_configured_ceiling(clock: FakeClock) -> None:
    limiter = limiter_for(clock, "2/s")
    plan = limiter.plan_request("GET", "h", None, "/")
    permit = limiter.reserve(plan)
    assert permit is not None
    limiter.observe(permit, 200, httpx2.Headers({"RateLimit-Policy": '"x";q=1000;w=1'}))
    waits = [p.wait if p else None for p in (limiter.reserve(plan) for _ in range(3))]
    assert waits == pytest.approx([0.5, 1.0, 1.5])


def test_a_429_pauses_every_request_of_the_key(clock: FakeClock) -> None:
    limiter = limiter_for(clock, RateLimit())
    plan = limiter.plan_request("GET", "h", None, "/")
    permit = limiter.reserve(plan)
    assert permit is not None
    limiter.observe(permit, 429, httpx2.Headers({"Retry-After": "2"}))
    nxt = limiter.reserve(plan)
    assert nxt is not None
    assert nxt.wait == pytest.approx(2.0)
    assert nxt.reason == "server refused; pausing as asked"
    other = limiter.reserve(limiter.plan_request("GET", "elsewhere", None, "/"))
    assert other is not None
    assert other.wait == 0.0


def test_non_adaptive_limiter_ignores_headers(clock: FakeClock) -> None:
    limiter = limiter_for(clock, RateLimit("100/s", adaptive=False))
    plan = limiter.plan_request("GET", "h", None, "/")
    permit = limiter.reserve(plan)
    assert permit is not None
    assert limiter.observe(permit, 429, httpx2.Headers({"Retry-After": "5"})) is None


# -- real waiting: fairness and cancellation (short, real clock) --------------------------


def test_threads_are_served_in_the_order_they_asked() -> None:
    store = MemoryStore()
    asked: list[str] = []
    served: list[str] = []
    lock = threading.Lock()
    reserve = store.reserve

    def recording_reserve(*args: Any, **kwargs: Any) -> Any:
        with lock:  # the store's own lock orders reservations; record that order
            asked.append(threading.current_thread().name)
            return reserve(*args, **kwargs)

    store.reserve = recording_reserve  # type: ignore[method-assign]
    limiter = RateLimiter("20/s", store=store)

    def worker() -> None:
        limiter.acquire("fifo")
        with lock:
            served.append(threading.current_thread().name)

    threads = [threading.Thread(target=worker, name=f"t{i}") for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert len(served) == 6
    assert served == asked


async def test_cancelled_async_wait_frees_its_slot() -> None:
    limiter = RateLimiter("5/s")
    await limiter.aacquire("c")  # takes the free slot; the next is 200 ms away

    async def waiter() -> None:
        await limiter.aacquire("c")

    with anyio.move_on_after(0.05):
        await waiter()
    started = time.monotonic()
    waited = await limiter.aacquire("c")
    # The cancelled waiter's slot went back: this one waits ~0.15 s, not ~0.35 s.
    assert waited < 0.3
    assert time.monotonic() - started < 0.3


async def test_async_acquire_awaits_the_pace() -> None:
    limiter = RateLimiter("20/s")
    started = time.monotonic()
    for _ in range(5):
        await limiter.aacquire("a")
    assert time.monotonic() - started >= 0.2 - 0.01


def test_limiters_sharing_a_store_pace_together_once_both_learned(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    one = RateLimiter(RateLimit(), store=store, clock=clock, sleep=clock.sleep)
    two = RateLimiter(RateLimit(), store=store, clock=clock, sleep=clock.sleep)
    headers = httpx2.Headers({"RateLimit-Policy": '"p";q=10;w=1'})
    for limiter in (one, two):
        plan = limiter.plan_request("GET", "h", None, "/")
        permit = limiter.reserve(plan)
        assert permit is not None
        limiter.observe(permit, 200, headers)
    plans = [
        (one, one.plan_request("GET", "h", None, "/")),
        (two, two.plan_request("GET", "h", None, "/")),
    ]
    waits = []
    for limiter, plan in plans * 2:
        permit = limiter.reserve(plan)
        assert permit is not None
        waits.append(permit.wait)
    # One learned pace of 9.5/s between them, not 9.5/s each.
    assert waits == pytest.approx([0.0, 1 / 9.5, 2 / 9.5, 3 / 9.5])
