"""Header feedback: parsing every rate-limit header family, and the pacing rules (fake time)."""

from __future__ import annotations

import math

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether._headers import parse_quota_fields, parse_ratelimit_policy
from tether._ratelimit._adaptive import (
    AdaptiveState,
    Feedback,
    carries_feedback,
    learned_limit,
    read_feedback,
)

WALL = 1_700_000_000.0


def feedback(status: int = 200, **headers: str) -> Feedback | None:
    named = httpx2.Headers({name.replace("_", "-"): value for name, value in headers.items()})
    return read_feedback(status, named, wall_now=WALL)


# -- parsing -----------------------------------------------------------------------------


def test_no_rate_limit_headers_means_no_feedback() -> None:
    assert feedback(content_type="application/json", x_request_id="abc") is None


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (200, {"Content-Type": "application/json", "Content-Length": "2"}, False),
        (200, {"X-RateLimit-Remaining": "4"}, True),
        (200, {"ratelimit-policy": "10;w=1"}, True),
        (200, {"RateLimit": '"a";r=1;t=1'}, True),
        # Only the named headers count, not every name that mentions a rate limit.
        (200, {"X-RateLimit-Reset": "1700000000"}, False),
        (200, {"Retry-After": "1"}, False),
        (429, {}, True),
    ],
)
def test_which_responses_carry_feedback(
    status: int, headers: dict[str, str], expected: bool
) -> None:
    # httpx2.Headers takes the fast scan of its raw list; a plain mapping the general path.
    assert carries_feedback(status, httpx2.Headers(headers)) is expected
    assert carries_feedback(status, {k.lower(): v for k, v in headers.items()}) is expected


_NAMES = st.one_of(
    st.sampled_from(
        ["RateLimit", "ratelimit-policy", "X-RateLimit-Limit", "x-ratelimit-remaining", "Date"]
    ),
    st.text("abcdegilmnoprtxyRL-", min_size=1, max_size=24),
)


@given(st.dictionaries(_NAMES, st.just("1"), max_size=6))
@settings(deadline=None)
def test_fast_feedback_check_agrees_with_the_mapping_view_property(
    headers: dict[str, str],
) -> None:
    wrapped = httpx2.Headers(headers)
    assert carries_feedback(200, wrapped) is carries_feedback(200, dict(wrapped.items()))


def test_draft10_policy_and_state() -> None:
    got = feedback(
        RateLimit_Policy='"burst";q=100;w=60, "daily";q=1000;w=86400',
        RateLimit='"burst";r=40;t=30, "daily";r=900;t=3600',
    )
    assert got == Feedback(((100, 60.0), (1000, 86400.0)), 40, 30.0, False, None)


def test_older_draft_separate_fields() -> None:
    got = feedback(
        RateLimit_Limit="10, 10;w=1, 50;w=60", RateLimit_Remaining="3", RateLimit_Reset="2"
    )
    assert got == Feedback(((10, 1.0), (50, 60.0)), 3, 2.0, False, None)


def test_github_style_epoch_reset_becomes_a_delay() -> None:
    got = feedback(
        X_RateLimit_Limit="5000",
        X_RateLimit_Remaining="12",
        X_RateLimit_Reset=str(int(WALL) + 90),
    )
    assert got == Feedback((), 12, 90.0, False, None)


def test_429_with_retry_after_is_a_refusal() -> None:
    got = feedback(429, Retry_After="3")
    assert got == Feedback((), None, None, True, 3.0)
    dated = feedback(429, Retry_After="Tue, 14 Nov 2023 22:13:30 GMT")
    assert dated is not None
    assert dated.wait == pytest.approx(10.0)


def test_github_403_with_nothing_remaining_is_a_refusal() -> None:
    got = feedback(
        403, X_RateLimit_Remaining="0", X_RateLimit_Reset=str(int(WALL) + 5)
    )
    assert got is not None
    assert got.refused
    assert got.wait == pytest.approx(5.0)


def test_tightest_ratelimit_item_counts() -> None:
    got = feedback(RateLimit='"a";r=50;t=10, "b";r=2;t=100, "c";r=2;t=5')
    assert got is not None
    assert (got.remaining, got.reset) == (2, 100.0)


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_", min_size=1, max_size=10)
quotas = st.integers(min_value=1, max_value=10**7)
windows = st.integers(min_value=1, max_value=10**6)


@settings(deadline=None)
@given(st.lists(st.tuples(names, quotas, windows), min_size=1, max_size=5))
def test_policy_round_trip_property(policies: list[tuple[str, int, int]]) -> None:
    value = ", ".join(f'"{name}";q={q};w={w}' for name, q, w in policies)
    parsed = parse_ratelimit_policy(value)
    assert [(p.policy, p.quota, p.window) for p in parsed] == [
        (name, q, float(w)) for name, q, w in policies
    ]


@settings(deadline=None)
@given(st.lists(st.tuples(quotas, windows), min_size=1, max_size=5))
def test_old_policy_round_trip_property(policies: list[tuple[int, int]]) -> None:
    value = ", ".join(f"{q};w={w}" for q, w in policies)
    parsed = parse_ratelimit_policy(value)
    assert [(p.quota, p.window) for p in parsed] == [(q, float(w)) for q, w in policies]


@settings(deadline=None)
@given(
    limit=quotas,
    remaining=st.integers(min_value=0, max_value=10**7),
    delay=st.integers(min_value=0, max_value=10**6),
    epoch=st.booleans(),
)
def test_quota_fields_property(limit: int, remaining: int, delay: int, epoch: bool) -> None:
    reset = int(WALL) + delay if epoch else delay
    headers = {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-reset": str(reset),
    }
    fields = parse_quota_fields(headers, now=WALL)
    assert fields is not None
    assert (fields.limit, fields.remaining) == (limit, remaining)
    assert fields.reset == pytest.approx(float(delay))


header_values = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60
)


@settings(deadline=None)
@given(
    status=st.sampled_from([200, 403, 429, 503]),
    policy=header_values,
    state=header_values,
    remaining=header_values,
    reset=header_values,
    retry_after=header_values,
)
def test_garbage_headers_never_break_a_response_property(
    status: int, policy: str, state: str, remaining: str, reset: str, retry_after: str
) -> None:
    got = feedback(
        status,
        RateLimit_Policy=policy,
        RateLimit=state,
        X_RateLimit_Remaining=remaining,
        X_RateLimit_Reset=reset,
        Retry_After=retry_after,
    )
    assert got is not None
    assert all(q >= 1 and w > 0 for q, w in got.policies)
    assert got.remaining is None or got.remaining >= 0
    assert got.reset is None or got.reset >= 0
    assert got.wait is None or (got.wait >= 0 and math.isfinite(got.wait))


# -- pacing rules ------------------------------------------------------------------------


def test_learned_pace_fits_any_window_of_the_policy() -> None:
    limit = learned_limit(((20, 1.0),), 0.05)
    assert limit is not None
    assert 1.0 / limit.interval == pytest.approx(19.0)
    assert limit.burst == 1
    big = learned_limit(((5000, 3600.0),), 0.05)
    assert big is not None
    # burst + pace * window == quota: never more than the quota in any window.
    assert big.burst + 3600.0 / big.interval == pytest.approx(5000, abs=1)


def test_the_shortest_window_paces_and_longer_ones_are_quotas() -> None:
    # 1000/min is a quota spent at 100/s (rule 2 watches what remains of it), not a pace.
    limit = learned_limit(((1000, 60.0), (100, 1.0)), 0.0)
    assert limit is not None
    assert 1.0 / limit.interval == pytest.approx(100)
    # Among policies of the same window, the slowest.
    slowest = learned_limit(((100, 1.0), (50, 1.0)), 0.0)
    assert slowest is not None
    assert 1.0 / slowest.interval == pytest.approx(50)


def test_idle_until_the_server_speaks() -> None:
    state = AdaptiveState()
    assert state.idle
    assert state.not_before(5.0) == (5.0, "")


def test_policy_installs_a_pace_once() -> None:
    state = AdaptiveState()
    seq = state.sent(0.0)
    first = state.observe(Feedback(((20, 1.0),), 19, 1.0), 0.0, seq)
    assert first is not None
    assert first.rate == pytest.approx(19.0)
    assert "20 per 1s" in first.reason
    assert state.observe(Feedback(((20, 1.0),), 18, 1.0), 0.01, state.sent(0.0)) is None
    assert not state.idle


def test_remaining_is_counted_down_locally_and_holds_until_reset() -> None:
    state = AdaptiveState()
    seq = state.sent(0.0)
    state.observe(Feedback((), 2, 10.0), 0.0, seq)
    assert state.not_before(0.0)[0] == 0.0
    state.sent(0.0)
    state.sent(0.0)
    at, reason = state.not_before(1.0)
    assert at == pytest.approx(10.0)
    assert "resets in 9.00s" in reason
    # After the reset the old count no longer applies.
    assert state.not_before(10.5)[0] == 10.5


def test_requests_in_flight_count_against_remaining() -> None:
    state = AdaptiveState()
    first = state.sent(0.0)
    state.sent(0.0)  # sent before the first response came back
    state.observe(Feedback((), 1, 10.0), 0.0, first)
    assert state.not_before(0.0)[0] == pytest.approx(10.0)


def test_requests_booked_after_the_reset_do_not_spend_this_window() -> None:
    state = AdaptiveState()
    state.observe(Feedback((), 2, 1.0), 0.0, state.sent(0.0))
    state.sent(0.5)
    state.sent(1.2)  # booked for after the reset at 1.0
    state.sent(1.3)
    assert state.not_before(0.6)[0] == 0.6
    state.sent(0.7)  # the second request inside the window: now it is spent
    assert state.not_before(0.8)[0] == pytest.approx(1.0)


def test_answers_drop_the_requests_they_counted() -> None:
    state = AdaptiveState()
    first = state.sent(0.0)
    second = state.sent(0.1)
    state.observe(Feedback((), 1, 1.0), 0.0, first)
    assert state.not_before(0.2)[0] == pytest.approx(1.0)  # `second` spent the last one
    state.observe(Feedback((), 1, 0.9), 0.1, second)
    assert state.not_before(0.2)[0] == 0.2


def test_the_most_precise_reset_of_the_same_quota_wins() -> None:
    got = feedback(
        RateLimit='"1/s";r=3;t=1',
        X_RateLimit_Remaining="3",
        X_RateLimit_Reset=str(int(WALL) + 1),
    )
    assert got is not None
    assert (got.remaining, got.reset) == (3, 1.0)
    # WALL is a whole second, so the epoch reset says 1.0 too; shift it to see precision.
    precise = read_feedback(
        200,
        httpx2.Headers(
            {"RateLimit": '"1/s";r=3;t=1', "X-RateLimit-Remaining": "3",
             "X-RateLimit-Reset": str(int(WALL) + 1)}
        ),
        wall_now=WALL + 0.75,
    )  # fmt: skip
    assert precise is not None
    assert (precise.remaining, precise.reset) == (3, pytest.approx(0.25))
    lower = feedback(RateLimit='"a";r=5;t=9', X_RateLimit_Remaining="2")
    assert lower is not None
    assert (lower.remaining, lower.reset) == (2, None)


def test_an_older_response_does_not_overwrite_a_newer_one() -> None:
    state = AdaptiveState()
    older, newer = state.sent(0.0), state.sent(0.0)
    state.observe(Feedback((), 0, 5.0), 0.0, newer)
    state.observe(Feedback((), 50, 5.0), 0.0, older)
    assert state.not_before(0.0)[0] == pytest.approx(5.0)


def test_refusal_pauses_for_retry_after_else_reset_else_not_at_all() -> None:
    state = AdaptiveState()
    adjustment = state.observe(Feedback(refused=True, wait=3.0), 0.0, state.sent(0.0))
    assert adjustment is not None
    assert adjustment.rate == 0.0
    assert state.not_before(1.0) == (3.0, "server refused; pausing as asked")
    state = AdaptiveState()
    state.observe(Feedback(reset=7.0, refused=True), 0.0, state.sent(0.0))
    assert state.not_before(0.0)[0] == pytest.approx(7.0)
    state = AdaptiveState()
    assert state.observe(Feedback(refused=True), 0.0, state.sent(0.0)) is None
    assert state.not_before(0.0)[0] == 0.0
