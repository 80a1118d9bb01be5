"""The pure limiter algorithms (GCRA, sliding window, multi-limit reservation): fake time only."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether._ratelimit._core import Limit, Slot, reserve
from tether._ratelimit._gcra import GcraLimit
from tether._ratelimit._window import WindowLimit

EPS = 1e-9


def run(
    limits: Sequence[Limit], arrivals: Sequence[float], cost: int = 1
) -> list[float]:
    """Reserve once per arrival time (each caller asks at its arrival); the send times."""
    slots = [Slot(f"s{i}", limit) for i, limit in enumerate(limits)]
    states: list[tuple[float, ...]] = [() for _ in slots]
    sends = []
    for now in arrivals:
        granted = reserve(slots, states, now=now, not_before=now, cost=cost, max_wait=None)
        assert granted is not None
        assert granted.at >= now
        states = list(granted.states)
        sends.append(granted.at)
    return sends


def greedy(limits: Sequence[Limit], duration: float, start: float = 0.0) -> list[float]:
    """One caller sending back to back as fast as allowed, for ``duration`` seconds."""
    slots = [Slot(f"s{i}", limit) for i, limit in enumerate(limits)]
    states: list[tuple[float, ...]] = [() for _ in slots]
    now, sends = start, []
    while True:
        granted = reserve(slots, states, now=now, not_before=now, cost=1, max_wait=None)
        assert granted is not None
        if granted.at > start + duration:
            return sends
        states = list(granted.states)
        sends.append(granted.at)
        now = granted.at  # the caller sleeps exactly until its slot


def test_50_per_second_for_10_seconds_is_exact() -> None:
    sends = greedy([GcraLimit(1 / 50)], 10.0)
    achieved = (len(sends) - 1) / (sends[-1] - sends[0])
    assert abs(achieved - 50) / 50 < 0.02
    assert len(sends) == 501
    gaps = [b - a for a, b in itertools.pairwise(sends)]
    assert min(gaps) == pytest.approx(0.02)


def test_burst_goes_at_once_after_idle_then_paces() -> None:
    sends = run([GcraLimit(0.1, burst=3)], [0.0] * 6)
    assert sends == pytest.approx([0.0, 0.0, 0.0, 0.1, 0.2, 0.3])
    # After an idle spell of at least burst*interval the full burst is back.
    later = run([GcraLimit(0.1, burst=3)], [0.0, 0.0, 0.0, 5.0, 5.0, 5.0, 5.0])
    assert later[3:] == pytest.approx([5.0, 5.0, 5.0, 5.1])


def test_default_burst_of_one_spaces_every_request() -> None:
    sends = run([GcraLimit(0.25)], [0.0, 0.0, 0.0, 0.1])
    assert sends == pytest.approx([0.0, 0.25, 0.5, 0.75])


def test_cost_spends_several_units() -> None:
    sends = run([GcraLimit(0.1, burst=4)], [0.0, 0.0, 0.0], cost=2)
    assert sends == pytest.approx([0.0, 0.0, 0.2])


def test_cost_beyond_burst_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="can never pass"):
        run([GcraLimit(0.1, burst=2)], [0.0], cost=3)
    with pytest.raises(ValueError, match="can never fit"):
        run([WindowLimit(2, 1.0)], [0.0], cost=3)


def test_sliding_window_admits_n_then_waits_for_the_oldest_to_leave() -> None:
    sends = run([WindowLimit(3, 1.0)], [0.0, 0.1, 0.2, 0.3, 0.3, 0.3, 0.3])
    assert sends == pytest.approx([0.0, 0.1, 0.2, 1.0, 1.1, 1.2, 2.0])


def test_multi_rate_paces_by_the_fast_rate_until_the_slow_quota_is_spent() -> None:
    # 10/s (burst 1) and 20/min (a bucket of 20): 20 requests 0.1 s apart, then one per 3 s.
    sends = greedy([GcraLimit(0.1), GcraLimit(3.0, burst=20)], 10.0)
    assert sends[:20] == pytest.approx([i * 0.1 for i in range(20)])
    assert sends[20:] == pytest.approx([3.0, 6.0, 9.0])


def test_multi_rate_sliding_windows_hold_every_window() -> None:
    sends = greedy([WindowLimit(2, 1.0), WindowLimit(5, 10.0)], 25.0)
    assert sends == pytest.approx([0.0, 0.0, 1.0, 1.0, 2.0, 10.0, 10.0, 11.0, 11.0, 12.0, 20.0,
                                   20.0, 21.0, 21.0, 22.0])  # fmt: skip


def test_max_wait_refuses_without_spending() -> None:
    slots = [Slot("a", GcraLimit(1.0))]
    first = reserve(slots, [()], now=0.0, not_before=0.0, cost=1, max_wait=0.0)
    assert first is not None
    state = list(first.states)
    assert reserve(slots, state, now=0.5, not_before=0.5, cost=1, max_wait=0.0) is None
    assert reserve(slots, state, now=0.5, not_before=0.5, cost=1, max_wait=0.4) is None
    granted = reserve(slots, state, now=0.5, not_before=0.5, cost=1, max_wait=0.5)
    assert granted is not None
    assert granted.at == pytest.approx(1.0)


def test_not_before_delays_and_every_limit_records_the_real_send_time() -> None:
    slots = [Slot("a", GcraLimit(0.1)), Slot("b", WindowLimit(5, 1.0))]
    granted = reserve(slots, [(), ()], now=0.0, not_before=2.0, cost=1, max_wait=None)
    assert granted is not None
    assert granted.at == 2.0
    assert granted.cause == -1
    assert granted.states == ((2.1,), (2.0,))


def test_cause_names_the_limit_that_held_the_request() -> None:
    slots = [Slot("fast", GcraLimit(0.1)), Slot("slow", GcraLimit(1.0))]
    states: list[tuple[float, ...]] = [(0.1,), (1.0,)]
    granted = reserve(slots, states, now=0.0, not_before=0.0, cost=1, max_wait=None)
    assert granted is not None
    assert (granted.at, granted.cause) == (1.0, 1)


arrivals = st.lists(
    st.floats(min_value=0.0, max_value=2.0, allow_nan=False), min_size=1, max_size=60
).map(lambda gaps: [sum(gaps[: i + 1]) for i in range(len(gaps))])


@settings(max_examples=150, deadline=None)
@given(
    arrivals=arrivals,
    interval=st.floats(min_value=0.01, max_value=1.0),
    burst=st.integers(min_value=1, max_value=8),
)
def test_gcra_never_exceeds_its_burst_property(
    arrivals: list[float], interval: float, burst: int
) -> None:
    sends = run([GcraLimit(interval, burst)], arrivals)
    assert sends == sorted(sends)  # first come, first served
    for i in range(len(sends)):
        for j in range(i + 1, len(sends)):
            # j-i+1 requests in [t_i, t_j]: at most `burst` of them may share a moment.
            assert sends[j] - sends[i] >= (j - i - (burst - 1)) * interval - EPS


@settings(max_examples=150, deadline=None)
@given(
    arrivals=arrivals,
    limit=st.integers(min_value=1, max_value=6),
    period=st.floats(min_value=0.05, max_value=3.0),
)
def test_sliding_window_never_exceeds_n_in_any_window_property(
    arrivals: list[float], limit: int, period: float
) -> None:
    sends = run([WindowLimit(limit, period)], arrivals)
    assert sends == sorted(sends)
    for i in range(len(sends) - limit):
        # The (i+limit)-th send must be outside the window ending at send i's start.
        assert sends[i + limit] - sends[i] >= period - EPS


@settings(max_examples=100, deadline=None)
@given(arrivals=arrivals)
def test_greedy_callers_lose_no_capacity_property(arrivals: list[float]) -> None:
    # Work-conserving: a request never waits when the limit would have let it go.
    interval = 0.1
    sends = run([GcraLimit(interval)], arrivals)
    for i, (arrived, sent) in enumerate(zip(arrivals, sends, strict=True)):
        if sent > arrived + EPS:
            assert i > 0
            assert sent == pytest.approx(sends[i - 1] + interval)
