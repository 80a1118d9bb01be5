"""Slow start and 429 pacing, exactly: the pure gate, the limiter's queue (fake clock),
and the retry layer's handling of a 429 that says when to come back (scripted answers)."""

from __future__ import annotations

import threading
import time

import anyio
import httpx2
import pytest

import tether
from tether._ratelimit._limiter import HeldBack
from tether._ratelimit._slowstart import INITIAL_WINDOW, OPEN_AT, Gate, Ticket

from .conftest import FakeClock

POLICY = {"RateLimit-Policy": '"q";q=10;w=1', "RateLimit": '"q";r=9;t=1'}


def test_only_the_head_of_the_queue_goes_and_the_window_opens_with_clean_answers() -> None:
    gate = Gate()
    first, second = Ticket(gate, "h"), Ticket(gate, "h")
    gate.queue.extend([first, second])
    assert not gate.turn(second, False, None).go  # not its turn yet
    assert gate.turn(first, False, None).go
    gate.queue.popleft()
    gate.in_flight += 1
    # One in flight fills the initial window: the next waits for an answer.
    assert INITIAL_WINDOW == 1
    assert not gate.turn(second, False, None).go
    gate.answered(clean=True, informed=False, refused=False)
    assert gate.window == 2
    assert gate.turn(second, False, None).go
    # Headers that give a pace or a remaining count admit without the window.
    gate.in_flight = 5
    assert gate.turn(second, True, None).go
    # A quota used up holds until its reset, whatever else.
    turn = gate.turn(second, True, 12.5)
    assert not turn.go
    assert turn.recheck_at == 12.5


def test_a_host_that_never_mentions_limits_ends_slow_start_and_a_refusal_restarts_it() -> None:
    gate = Gate()
    for _ in range(OPEN_AT):
        gate.in_flight += 1
        gate.answered(clean=True, informed=False, refused=False)
    assert gate.open
    gate.in_flight += 1
    gate.answered(clean=False, informed=False, refused=True)
    assert not gate.open
    assert gate.window == INITIAL_WINDOW


def test_headers_without_a_usable_figure_widen_the_window_but_never_end_slow_start() -> None:
    gate = Gate()
    for _ in range(OPEN_AT * 2):
        gate.in_flight += 1
        gate.answered(clean=False, informed=False, refused=False)
    assert gate.window > OPEN_AT
    assert not gate.open
    # An informative answer sets the window back: when its count runs out, one probes.
    gate.answered(clean=False, informed=True, refused=False)
    assert gate.window == INITIAL_WINDOW


def test_a_limiter_learns_from_the_first_answer_before_the_rest_go(clock: FakeClock) -> None:
    limiter = tether.RateLimiter(clock=clock, sleep=clock.sleep)
    plan = limiter.plan_request("GET", "api", None, "/x")
    first = limiter.take_turn(plan)
    assert first is not None
    limiter.reserved(first)
    # The second caller cannot go while the first is out and nothing is known.
    with pytest.raises(HeldBack) as held:
        limiter.take_turn(plan, max_wait=0.0)
    assert held.value.wait is None
    # The first answer announces a policy: from then on its pace admits.
    permit = limiter.unpaced(plan)
    limiter.observe(permit, 200, httpx2.Headers(POLICY))
    limiter.answered(first, b"api", clean=False, refused=False)
    second = limiter.take_turn(plan, max_wait=0.0)
    assert second is not None
    limiter.reserved(second)


def test_a_used_up_quota_names_its_reset_to_a_caller_that_cannot_wait(clock: FakeClock) -> None:
    limiter = tether.RateLimiter(clock=clock, sleep=clock.sleep)
    plan = limiter.plan_request("GET", "api", None, "/x")
    ticket = limiter.take_turn(plan)
    permit = limiter.reserve(plan)
    limiter.reserved(ticket)
    assert permit is not None
    # A server speaking only X-RateLimit-*: nothing left until a reset 2 s away.
    headers = httpx2.Headers({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2"})
    limiter.observe(permit, 200, headers)
    limiter.answered(ticket, b"api", clean=False, refused=False)
    with pytest.raises(HeldBack) as held:
        limiter.take_turn(plan, max_wait=1.0)
    assert held.value.wait == pytest.approx(2.0)
    clock.advance(2.0)
    assert limiter.take_turn(plan, max_wait=0.0) is not None


def test_waiting_threads_go_in_arrival_order() -> None:
    limiter = tether.RateLimiter()
    plan = limiter.plan_request("GET", "api", None, "/x")
    first = limiter.take_turn(plan)
    limiter.reserved(first)
    order: list[int] = []

    def call(number: int) -> None:
        ticket = limiter.take_turn(plan, max_wait=5.0)
        order.append(number)
        limiter.reserved(ticket)
        limiter.answered(ticket, b"api", clean=True, refused=False)

    threads = []
    for number in range(5):
        thread = threading.Thread(target=call, args=(number,))
        thread.start()
        threads.append(thread)
        time.sleep(0.02)  # each joins the queue before the next
    limiter.answered(first, b"api", clean=True, refused=False)
    for thread in threads:
        thread.join(5)
    assert order == [0, 1, 2, 3, 4]


async def test_a_cancelled_waiter_leaves_the_queue_and_passes_the_turn_on() -> None:
    limiter = tether.RateLimiter()
    plan = limiter.plan_request("GET", "api", None, "/x")
    first = await limiter.atake_turn(plan)
    limiter.reserved(first)
    with anyio.move_on_after(0.05):
        await limiter.atake_turn(plan)
    limiter.answered(first, b"api", clean=True, refused=False)
    with anyio.fail_after(1):
        assert await limiter.atake_turn(plan) is not None


# -- the retry layer: a 429 that says when is pacing, not a failure -----------------------


def _refusing(times: int, headers: dict[str, str]) -> tuple[httpx2.MockTransport, list[int]]:
    sent: list[int] = []

    def server(request: httpx2.Request) -> httpx2.Response:
        sent.append(1)
        if len(sent) <= times:
            return httpx2.Response(429, headers=headers)
        return httpx2.Response(200, json={})

    return httpx2.MockTransport(server), sent


def test_a_429_with_a_wait_is_retried_even_with_an_empty_budget() -> None:
    budget = tether.RetryBudget(ratio=0.0, min_per_second=0.0)
    transport, sent = _refusing(2, {"Retry-After": "0"})
    with tether.Client(
        base_url="http://api", transport=transport, retry_budget=budget,
        retry=tether.Retry(attempts=4),
    ) as client:
        assert client.get("/x").status_code == 200
    assert len(sent) == 3


def test_a_429_without_a_wait_still_spends_from_the_budget() -> None:
    budget = tether.RetryBudget(ratio=0.0, min_per_second=0.0)
    transport, sent = _refusing(1, {})
    with (
        tether.Client(base_url="http://api", transport=transport, retry_budget=budget) as client,
        pytest.raises(tether.RetryBudgetExhausted),
    ):
        client.get("/x")
    assert len(sent) == 1


def test_a_call_queued_behind_a_pause_it_cannot_outwait_fails_at_once_naming_the_wait() -> None:
    transport, sent = _refusing(1, {"Retry-After": "5"})
    with tether.Client(base_url="http://api", transport=transport, retry=False,
                       raise_for_status=False) as client:
        assert client.get("/x").status_code == 429  # the host is now paused for 5 s
        start = time.monotonic()
        with pytest.raises(tether.RateLimited, match="deadline leaves") as refused:
            client.get("/x", deadline=1.0)
        assert time.monotonic() - start < 0.5
    assert refused.value.retry_after is not None
    assert 4.0 < refused.value.retry_after <= 5.0
    assert len(sent) == 1
