"""Retry budget arithmetic with a fake clock (no network)."""

from __future__ import annotations

import random
import threading

import pytest

from tether import ConfigurationError
from tether._retry_budget import RetryBudget


class FakeClock:
    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def spend_all(budget: RetryBudget, limit: int = 10_000) -> int:
    """Spend retries until refused, as one call already marked troubled would: they
    weigh on the count, not on the floor's health."""
    spent = 0
    while spent < limit and budget.try_spend(troubled=True):
        spent += 1
    return spent


def test_floor_alone_allows_min_per_second_times_window() -> None:
    budget = RetryBudget(0.2, min_per_second=1, window=10, clock=FakeClock())
    assert budget.available == 10
    assert spend_all(budget) == 10
    assert not budget.try_spend()


def test_calls_earn_a_fraction_of_a_retry_each() -> None:
    budget = RetryBudget(0.2, min_per_second=0, window=10, clock=FakeClock())
    for _ in range(100):
        budget.record_call()
    assert budget.available == pytest.approx(20)
    assert spend_all(budget) == 20


def test_fractional_earnings_accumulate() -> None:
    budget = RetryBudget(0.2, min_per_second=0, clock=FakeClock())
    for _ in range(4):
        budget.record_call()
    assert not budget.try_spend()  # 0.8 of a retry earned
    budget.record_call()
    assert budget.try_spend()
    assert not budget.try_spend()


def test_counts_age_out_of_the_window() -> None:
    clock = FakeClock()
    budget = RetryBudget(0.5, min_per_second=0, window=10, clock=clock)
    for _ in range(10):
        budget.record_call()
    assert spend_all(budget) == 5
    clock.now += 5
    assert not budget.try_spend()  # still inside the window
    clock.now += 6
    # Calls and retries both expired: nothing earned, nothing spent.
    assert budget.available == 0
    for _ in range(2):
        budget.record_call()
    assert spend_all(budget) == 1


def test_long_idle_gap_resets_everything() -> None:
    clock = FakeClock()
    budget = RetryBudget(0.2, min_per_second=1, window=10, clock=clock)
    spend_all(budget)
    clock.now += 10_000
    assert budget.available == 10


def test_partial_expiry_is_per_bucket() -> None:
    clock = FakeClock(0.0)
    budget = RetryBudget(1.0, min_per_second=0, window=10, clock=clock)
    budget.record_call()  # bucket 0
    clock.now = 5.0
    budget.record_call()  # bucket 5
    assert budget.available == 2
    clock.now = 10.5  # bucket 0 has left the window
    assert budget.available == 1
    clock.now = 15.5
    assert budget.available == 0


def test_outage_amplification_is_bounded() -> None:
    """Every call fails and asks for 4 retries: total attempts stay within the budget."""
    budget = RetryBudget(0.2, min_per_second=1, window=10, clock=FakeClock())
    calls = 500
    attempts = 0
    for _ in range(calls):
        budget.record_call()
        attempts += 1
        for _ in range(4):
            if not budget.try_spend():
                break
            attempts += 1
    assert attempts <= calls * 1.2 + 10


def test_successful_retries_are_refunded() -> None:
    budget = RetryBudget(0.2, min_per_second=0, window=10, clock=FakeClock())
    for _ in range(10):
        budget.record_call()
    assert spend_all(budget) == 2
    budget.waste(first=True)
    budget.refund()
    # One retry failed and one came back: the one in flight is gone, the failed one stays.
    assert budget.available == pytest.approx(1)
    assert budget.try_spend()
    assert not budget.try_spend()


def test_in_flight_retries_cost_the_share_of_settled_retries_that_failed() -> None:
    budget = RetryBudget(0.0, min_per_second=1, window=10, clock=FakeClock())
    # Nothing settled yet: a retry in flight costs a whole retry.
    assert budget.try_spend(troubled=True)
    assert budget.available == pytest.approx(9)
    for _ in range(3):
        budget.refund(troubled=True)
    # Three came back (one imaginary failure against them): in flight costs a quarter.
    for _ in range(4):
        assert budget.try_spend(troubled=True)
    assert budget.available == pytest.approx(10 - 4 * 0.25)


def test_failed_retries_bring_in_flight_ones_back_to_full_price() -> None:
    budget = RetryBudget(0.0, min_per_second=1, window=10, clock=FakeClock())
    for _ in range(3):
        assert budget.try_spend(troubled=True)
        budget.refund(troubled=True)
    for _ in range(2):
        assert budget.try_spend(troubled=True)
    cheap = budget.available
    for _ in range(6):
        assert budget.try_spend(troubled=True)
        budget.waste()
    assert budget.available < cheap - 6


def test_first_retries_in_flight_weigh_the_floor_as_likely_as_retries_fail() -> None:
    budget = RetryBudget(0.0, min_per_second=1, window=10, clock=FakeClock())
    for _ in range(9):
        budget.record_call()
    assert budget.try_spend()  # a call's first retry, nothing settled: expect the worst
    assert budget.available == pytest.approx(10 * (9 - 1 + 1) / 10 - 1)
    budget.refund()
    # It came back: the one in flight next is judged by a 50% failure share.
    assert budget.try_spend()
    assert budget.available == pytest.approx(10 * (9 - 0.5 + 1) / 10 - 0.5)


def run_calls(
    budget: RetryBudget,
    clock: FakeClock,
    rand: random.Random,
    *,
    calls: int,
    failure_rate: float,
    concurrency: int,
    attempts: int = 5,
) -> tuple[int, int]:
    """Calls ``concurrency`` at a time, each attempt failing at random, reporting to the
    budget as the retry layer does. Returns (calls refused a retry, attempts made)."""
    started = refused = sent = 0
    # Per call in flight: [attempt number, troubled]
    running: list[list[int]] = []

    def start() -> list[int]:
        nonlocal started, sent
        started += 1
        sent += 1
        budget.record_call()
        return [1, 0]

    while started < concurrency and started < calls:
        running.append(start())
    while running:
        index = rand.randrange(len(running))
        call = running[index]
        number, troubled = call
        clock.now += 0.002
        done = True
        if rand.random() >= failure_rate:
            if number > 1:
                budget.refund(troubled=bool(troubled))
        else:
            if number > 1:
                budget.waste(first=not troubled)
                call[1] = 1
            if number < attempts:
                if budget.try_spend(troubled=bool(call[1])):
                    call[0] += 1
                    sent += 1
                    done = False
                else:
                    refused += 1
        if done:
            if started < calls:
                running[index] = start()
            else:
                running.pop(index)
    return refused, sent


@pytest.mark.parametrize("concurrency", [1, 8, 64])
def test_random_30_percent_failures_fit_the_default_budget(concurrency: int) -> None:
    """Retries that succeed are refunded and in-flight ones are discounted, so scattered
    errors never exhaust the default budget, one call at a time or many."""
    for seed in range(40):
        clock = FakeClock()
        budget = RetryBudget(clock=clock)
        refused, _ = run_calls(
            budget,
            clock,
            random.Random(seed),
            calls=1000,
            failure_rate=0.3,
            concurrency=concurrency,
        )
        assert refused == 0, f"seed {seed}"


@pytest.mark.parametrize("concurrency", [1, 8, 64, 1000])
@pytest.mark.parametrize("calls", [100, 300, 1000])
def test_full_outage_stays_within_the_budget(concurrency: int, calls: int) -> None:
    """Every attempt fails: retries stay within 20% of calls plus the floor, and the floor
    vanishes as calls fail, so at modest concurrency the extra load stays near 20%."""
    clock = FakeClock()
    budget = RetryBudget(clock=clock)
    refused, sent = run_calls(
        budget,
        clock,
        random.Random(1),
        calls=calls,
        failure_rate=1.0,
        concurrency=concurrency,
    )
    assert refused > 0
    assert sent - calls <= 0.2 * calls + 20
    if concurrency <= 8:
        assert sent / calls <= 1.22


@pytest.mark.parametrize("calls", [20, 50, 100, 300])
def test_sequential_outage_burst_spends_the_floor_only_once(calls: int) -> None:
    """Every call fails every attempt: after the first few calls only the ratio is left."""
    budget = RetryBudget(clock=FakeClock())
    retries = 0
    for _ in range(calls):
        budget.record_call()
        troubled = False
        for _ in range(4):
            if not budget.try_spend(troubled=troubled):
                break
            retries += 1
            budget.waste(first=not troubled)
            troubled = True
    assert retries <= 0.2 * calls + 8


def test_quiet_client_can_retry_its_first_failure_fully() -> None:
    budget = RetryBudget(clock=FakeClock())
    budget.record_call()
    assert budget.try_spend()
    budget.waste(first=True)
    assert budget.try_spend(troubled=True)
    budget.waste()
    assert budget.try_spend(troubled=True)
    budget.waste()
    assert budget.try_spend(troubled=True)


def test_a_recovered_call_no_longer_weighs_the_floor() -> None:
    budget = RetryBudget(0.0, min_per_second=1, window=10, clock=FakeClock())
    for _ in range(10):
        budget.record_call()
    assert budget.try_spend()
    assert budget.try_spend()
    budget.waste(first=True)
    troubled = budget.available
    budget.refund(troubled=True)
    assert budget.available > troubled + 1  # the retry came back and health rose


def test_a_refused_call_weighs_the_floor() -> None:
    budget = RetryBudget(0.0, min_per_second=0.5, window=10, clock=FakeClock())
    for _ in range(3):
        budget.record_call()
    assert budget.try_spend()
    assert budget.try_spend()
    assert budget.available > 0  # but less than a whole retry
    assert not budget.try_spend()
    # The refused call failed for good: health fell, and with it the floor.
    assert budget.available == 0


def test_refund_never_drives_the_total_below_zero() -> None:
    budget = RetryBudget(0.0, min_per_second=1, window=10, clock=FakeClock())
    budget.refund()
    budget.refund(troubled=True)
    assert budget.available == 10


def test_thread_safety_never_overspends() -> None:
    budget = RetryBudget(0.1, min_per_second=0, clock=FakeClock())
    for _ in range(1000):
        budget.record_call()
    spent: list[int] = []

    def worker() -> None:
        spent.append(spend_all(budget, limit=1000))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(spent) == 100


def test_calls_counted_from_many_threads_across_bucket_edges_are_all_filed() -> None:
    clock = FakeClock()
    budget = RetryBudget(1.0, min_per_second=0, window=10, clock=clock)
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        for _ in range(2000):
            budget.record_call()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    # Move through a few buckets while the calls come in: each lands in one of them.
    for _ in range(3):
        clock.now += 1.0
    for thread in threads:
        thread.join()
    assert budget.available == 8000
    # Every one of those buckets ages out of the window: nothing is left behind.
    clock.now += 10.0
    assert budget.available == 0


def test_calls_not_yet_filed_age_out_with_their_bucket() -> None:
    clock = FakeClock()
    budget = RetryBudget(1.0, min_per_second=0, window=10, clock=clock)
    for _ in range(5):
        budget.record_call()
    clock.now += 5.0
    for _ in range(3):
        budget.record_call()
    clock.now += 6.0  # the first five are 11 s old, the last three 6 s
    assert budget.available == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ratio": -0.1}, "ratio"),
        ({"ratio": float("nan")}, "ratio"),
        ({"min_per_second": -1}, "min_per_second"),
        ({"window": 0}, "window"),
        ({"window": float("inf")}, "window"),
    ],
)
def test_bad_configuration_is_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        RetryBudget(**kwargs)  # type: ignore[arg-type]
