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
    spent = 0
    while spent < limit and budget.try_spend():
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
    budget.refund()
    assert budget.available == pytest.approx(1)
    assert budget.try_spend()
    assert not budget.try_spend()


def test_random_30_percent_failures_fit_the_default_budget() -> None:
    """Retries that succeed are refunded, so only retries that fail again are charged."""
    rand = random.Random(7)
    budget = RetryBudget(clock=FakeClock())
    exhausted = 0
    for _ in range(5000):
        budget.record_call()
        failed, attempts = rand.random() < 0.3, 1
        while failed and attempts < 5:
            if not budget.try_spend(first=attempts == 1):
                exhausted += 1
                break
            attempts += 1
            failed = rand.random() < 0.3
            if not failed:
                budget.refund()
    assert exhausted == 0


@pytest.mark.parametrize("calls", [20, 50, 100, 300])
def test_outage_burst_gets_the_ratio_and_not_the_floor(calls: int) -> None:
    """Every call fails every attempt: the floor shrinks with the window's health."""
    budget = RetryBudget(clock=FakeClock())
    retries = 0
    for _ in range(calls):
        budget.record_call()
        for number in range(1, 4):
            if not budget.try_spend(first=number == 1):
                break
            retries += 1
    assert retries <= 0.2 * calls + 1.5
    assert (calls + retries) / calls <= 1.25


def test_quiet_client_can_retry_its_first_failure_fully() -> None:
    budget = RetryBudget(clock=FakeClock())
    budget.record_call()
    assert budget.try_spend(first=True)
    assert budget.try_spend()
    assert budget.try_spend()


def test_a_recovered_call_no_longer_weighs_the_floor() -> None:
    budget = RetryBudget(0.0, min_per_second=1, window=10, clock=FakeClock())
    for _ in range(9):
        budget.record_call()
    budget.record_call()
    assert budget.try_spend(first=True)
    troubled = budget.available
    budget.refund()
    assert budget.available > troubled + 1  # the retry came back and health rose


def test_refund_never_drives_the_total_below_zero() -> None:
    budget = RetryBudget(0.0, min_per_second=1, window=10, clock=FakeClock())
    budget.refund()
    budget.refund()
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
