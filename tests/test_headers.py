"""Parsers for Retry-After, retry-after-ms and the rate-limit reset fields (no network)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import httpx2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tether._headers import (
    RateLimitItem,
    parse_ratelimit,
    parse_retry_after,
    parse_retry_after_ms,
    ratelimit_wait,
    server_wait,
)

NOW = 1_800_000_000.0  # a fixed Unix time: 2027-01-15


def at(seconds_from_now: float) -> datetime:
    return datetime.fromtimestamp(NOW + seconds_from_now, tz=UTC)


# -- Retry-After ------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("0", 0.0), ("1", 1.0), (" 120 ", 120.0)])
def test_retry_after_delay_seconds(value: str, expected: float) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_retry_after_imf_fixdate() -> None:
    value = format_datetime(at(90), usegmt=True)  # "Fri, 15 Jan 2027 08:01:30 GMT"
    assert value.endswith("GMT")
    assert parse_retry_after(value, now=NOW) == pytest.approx(90.0)


def test_retry_after_obsolete_rfc850_and_asctime_dates() -> None:
    moment = at(30)
    rfc850 = moment.strftime("%A, %d-%b-%y %H:%M:%S GMT")
    asctime = moment.strftime("%a %b %d %H:%M:%S %Y").replace(" 0", "  ", 1)
    assert parse_retry_after(rfc850, now=NOW) == pytest.approx(30.0)
    assert parse_retry_after(asctime, now=NOW) == pytest.approx(30.0)


def test_retry_after_date_in_the_past_means_now() -> None:
    assert parse_retry_after(format_datetime(at(-3600), usegmt=True), now=NOW) == 0.0


@pytest.mark.parametrize(
    "value", ["", "soon", "-5", "1e3", "inf", "nan", "12s", "Mon, 99 Foo 2027 99:99:99 GMT"]
)
def test_retry_after_garbage_is_none(value: str) -> None:
    assert parse_retry_after(value, now=NOW) is None


def test_retry_after_ms() -> None:
    assert parse_retry_after_ms("1500") == 1.5
    assert parse_retry_after_ms("250.5") == pytest.approx(0.2505)
    assert parse_retry_after_ms("-1") is None
    assert parse_retry_after_ms("x") is None


@given(st.integers(min_value=0, max_value=10**9))
def test_property_delay_seconds_round_trip(seconds: int) -> None:
    assert parse_retry_after(str(seconds), now=NOW) == float(seconds)


@given(st.integers(min_value=-10**7, max_value=10**8))
def test_property_http_date_round_trip(offset: int) -> None:
    value = format_datetime(at(offset), usegmt=True)
    assert parse_retry_after(value, now=NOW) == pytest.approx(max(0, offset), abs=1.0)


@given(st.text(max_size=60))
def test_property_retry_after_never_raises_and_never_negative(value: str) -> None:
    result = parse_retry_after(value, now=NOW)
    assert result is None or result >= 0.0


# -- RateLimit (draft-10 and older dictionary form) ---------------------------------------


def test_ratelimit_draft10_list() -> None:
    items = parse_ratelimit('"burst";r=0;t=30, "daily";r=950;t=3600')
    assert items == [RateLimitItem("burst", 0, 30.0), RateLimitItem("daily", 950, 3600.0)]


def test_ratelimit_quoted_name_with_comma_and_escape() -> None:
    items = parse_ratelimit(r'"a,\"b";r=1;t=2')
    assert items == [RateLimitItem('a,"b', 1, 2.0)]


def test_ratelimit_older_dictionary_form() -> None:
    assert parse_ratelimit("limit=100, remaining=0, reset=12") == [RateLimitItem("", 0, 12.0)]


def test_ratelimit_missing_and_bad_params() -> None:
    assert parse_ratelimit('"p";r=abc;t=5') == [RateLimitItem("p", None, 5.0)]
    assert parse_ratelimit("") == []


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_", min_size=1, max_size=12)
items = st.tuples(names, st.integers(0, 10**6), st.integers(0, 10**6))


@given(st.lists(items, min_size=1, max_size=5))
def test_property_ratelimit_round_trip(members: list[tuple[str, int, int]]) -> None:
    value = ", ".join(f'"{name}";r={r};t={t}' for name, r, t in members)
    parsed = parse_ratelimit(value)
    assert parsed == [RateLimitItem(name, r, float(t)) for name, r, t in members]


@given(st.text(max_size=80))
def test_property_ratelimit_never_raises(value: str) -> None:
    for item in parse_ratelimit(value):
        assert item.reset is None or item.reset >= 0


@given(st.lists(items, min_size=1, max_size=5))
def test_property_ratelimit_wait_is_longest_exhausted_reset(
    members: list[tuple[str, int, int]],
) -> None:
    value = ", ".join(f'"{name}";r={r};t={t}' for name, r, t in members)
    exhausted = [float(t) for _, r, t in members if r == 0]
    expected = max(exhausted) if exhausted else None
    assert ratelimit_wait(httpx2.Headers({"RateLimit": value}), now=NOW) == expected


# -- Combined: which header wins --------------------------------------------------------


def wait_for(headers: dict[str, str]) -> float | None:
    return server_wait(httpx2.Headers(headers), now=NOW)


def test_retry_after_ms_beats_retry_after() -> None:
    assert wait_for({"retry-after-ms": "250", "Retry-After": "3"}) == 0.25


def test_retry_after_beats_ratelimit_reset() -> None:
    assert wait_for({"Retry-After": "3", "RateLimit": '"p";r=0;t=30'}) == 3.0


def test_unreadable_retry_after_falls_through_to_ratelimit() -> None:
    assert wait_for({"Retry-After": "later", "RateLimit": '"p";r=0;t=30'}) == 30.0


def test_ratelimit_with_quota_left_asks_no_wait() -> None:
    assert wait_for({"RateLimit": '"p";r=3;t=30'}) is None


def test_old_draft_reset_is_a_delay() -> None:
    assert wait_for({"RateLimit-Remaining": "0", "RateLimit-Reset": "7"}) == 7.0
    assert wait_for({"RateLimit-Remaining": "2", "RateLimit-Reset": "7"}) is None


def test_x_ratelimit_reset_is_an_epoch_when_remaining_is_zero() -> None:
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 42)}
    assert wait_for(headers) == 42.0
    assert wait_for({**headers, "X-RateLimit-Remaining": "5"}) is None


def test_x_ratelimit_reset_small_value_is_a_delay() -> None:
    assert wait_for({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "15"}) == 15.0


def test_x_ratelimit_reset_in_the_past_means_now() -> None:
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) - 5)}
    assert wait_for(headers) == 0.0


def test_no_headers_no_wait() -> None:
    assert wait_for({"Content-Type": "application/json"}) is None


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "retry-after",
                "retry-after-ms",
                "ratelimit",
                "ratelimit-remaining",
                "ratelimit-reset",
                "x-ratelimit-remaining",
                "x-ratelimit-reset",
            ]
        ),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    )
)
def test_property_server_wait_never_raises(headers: dict[str, str]) -> None:
    wait = wait_for(headers)
    assert wait is None or wait >= 0.0


