"""Server-side rate limits, pure: rate strings, fixed windows under a fake clock, headers."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tether._errors import ConfigurationError
from tether._ratelimit._rate import Rate as ClientRate
from tether._ratelimit._rate import parse_rate
from tether._ratelimit._rate import parse_rates as client_parse_rates
from tether.sandbox._limits import (
    LimitDecision,
    Rate,
    RateLimitConfigError,
    RateLimiter,
    client_key,
    parse_rates,
    rate_limit_headers,
)


@pytest.mark.parametrize(
    ("text", "limit", "period", "name"),
    [
        ("100/s", 100, 1, "100/s"),
        ("100/sec", 100, 1, "100/s"),
        ("600/min", 600, 60, "600/min"),
        ("600/m", 600, 60, "600/min"),
        ("5000/h", 5000, 3600, "5000/h"),
        ("5000/hour", 5000, 3600, "5000/h"),
        ("10000/d", 10000, 86400, "10000/d"),
        ("10/5s", 10, 5, "10/5s"),
        ("3/90s", 3, 90, "3/90s"),
        ("1/2h", 1, 7200, "1/2h"),
        ("100 per minute", 100, 60, "100/min"),
        (" 7 / S ", 7, 1, "7/s"),
    ],
)
def test_rate_parse(text: str, limit: int, period: int, name: str) -> None:
    rate = Rate.parse(text)
    assert (rate.limit, rate.period, rate.name) == (limit, period, name)
    assert Rate.parse(rate.name) == rate


@pytest.mark.parametrize(
    "text", ["", "100", "fast", "0/s", "10/0s", "-1/s", "5/fortnight", "1.5/s"]
)
def test_rate_parse_errors_show_the_accepted_forms(text: str) -> None:
    with pytest.raises(RateLimitConfigError, match=r"<count>/<unit>|at least 1|above zero"):
        Rate.parse(text)


@pytest.mark.parametrize(
    "text", ["5/s", "100/min", "5000/h", "1000/day", "10/2s", "3 per day", "5/1000ms", "6/2.0s"]
)
def test_rate_parse_accepts_what_the_client_accepts(text: str) -> None:
    # One spelling configures both ends: tether.Client(rate_limit=...) and tether serve.
    client = parse_rate(text)
    rate = Rate.parse(text)
    assert (rate.limit, float(rate.period)) == (client.limit, client.period)


def test_rate_parse_takes_client_rates_and_explains_a_bare_number() -> None:
    assert Rate.parse(ClientRate(5, 2.0)) == Rate(5, 2)  # type: ignore[arg-type]
    with pytest.raises(RateLimitConfigError, match="5 per what"):
        Rate.parse(5)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["5/500ms", "10/2.5s", "1/1500ms"])
def test_rate_parse_refuses_periods_of_part_seconds(text: str) -> None:
    parse_rate(text)  # a valid client rate ...
    with pytest.raises(RateLimitConfigError, match="whole number of seconds"):
        Rate.parse(text)  # ... but the sandbox's windows are whole seconds


@given(
    limit=st.integers(1, 10**6),
    multiple=st.integers(1, 100),
    unit=st.sampled_from(["s", "min", "h", "d"]),
)
def test_rate_names_round_trip(limit: int, multiple: int, unit: str) -> None:
    rate = Rate.parse(f"{limit}/{multiple}{unit}")
    assert Rate.parse(rate.name) == rate
    assert rate.period == multiple * {"s": 1, "min": 60, "h": 3600, "d": 86400}[unit]


@given(st.text(max_size=15))
def test_rate_parser_only_raises_config_errors(text: str) -> None:
    try:
        rate = Rate.parse(text)
    except RateLimitConfigError:
        return
    assert rate.limit >= 1
    assert rate.period >= 1


@pytest.mark.parametrize("text", ["50/s, 1000/h", "50/s;1000/h", " 50/s ,1000/h "])
def test_parse_rates_splits_a_list_in_one_string_as_the_client_does(text: str) -> None:
    assert [rate.name for rate in parse_rates([text])] == ["50/s", "1000/h"]
    assert {(r.limit, r.period) for r in client_parse_rates(text)} == {(50, 1.0), (1000, 3600.0)}


@pytest.mark.parametrize("text", ["5/s,", "5/s,,1/h", ";5/s"])
def test_an_empty_rate_in_a_list_is_refused_with_the_same_words_on_both_sides(text: str) -> None:
    with pytest.raises(RateLimitConfigError) as server_side:
        parse_rates([text])
    with pytest.raises(ConfigurationError) as client_side:
        client_parse_rates(text)
    assert str(server_side.value) == str(client_side.value)
    assert "empty rate" in str(server_side.value)
    assert "'10/s, 500/h'" in str(server_side.value)


@pytest.mark.parametrize("text", ["5/fortnight", "five/s", "5/s/s"])
def test_an_unreadable_rate_reads_the_same_on_both_sides(text: str) -> None:
    with pytest.raises(RateLimitConfigError) as server_side:
        Rate.parse(text)
    with pytest.raises(ConfigurationError) as client_side:
        client_parse_rates(text)
    assert str(server_side.value) == str(client_side.value)
    assert "units: ms, s, min, h, d; also sec, m, minute, hr, hour, day" in str(client_side.value)


def test_parse_rates_keeps_order_and_drops_duplicates() -> None:
    assert [r.name for r in parse_rates(["50/s", "1000/h", "50/sec"])] == ["50/s", "1000/h"]
    assert parse_rates("5/s") == (Rate(5, 1),)


def test_exactly_limit_requests_per_aligned_window() -> None:
    limiter = RateLimiter(parse_rates(["50/s"]))
    # 200 requests spread over the window [1000, 1001): exactly 50 get through.
    decisions = [limiter.hit("k", 1000.0 + i / 200) for i in range(200)]
    assert sum(d.allowed for d in decisions) == 50
    assert all(d.allowed for d in decisions[:50])
    assert limiter.refused() == 150
    # The next window starts full again, at the epoch second the headers announced.
    assert decisions[0].quotas[0].reset_at == 1001
    assert limiter.hit("k", 1001.0).allowed


def test_retry_after_is_seconds_to_the_window_end_rounded_up() -> None:
    limiter = RateLimiter(parse_rates(["1/min"]))
    assert limiter.hit("k", 600.0).allowed
    refused = limiter.hit("k", 612.3)
    assert not refused.allowed
    assert refused.retry_after == 48
    assert not limiter.hit("k", 659.9).allowed
    assert limiter.hit("k", 612.3 + 48).allowed
    # Never 0, even at the very end of a window.
    assert limiter.hit("k", 719.999).retry_after == 1


def test_keys_are_counted_apart() -> None:
    limiter = RateLimiter(parse_rates(["2/s"]))
    outcomes = [limiter.hit(key, 5.5).allowed for key in ["a", "b", "a", "b", "a", "b"]]
    assert outcomes == [True, True, True, True, False, False]


def test_several_rates_all_must_admit_and_refusals_spend_nothing() -> None:
    limiter = RateLimiter(parse_rates(["2/s", "3/min"]))
    assert [limiter.hit("k", 60.1).allowed for _ in range(3)] == [True, True, False]
    refused = limiter.hit("k", 60.2)
    assert refused.binding is not None
    assert refused.binding.rate.name == "2/s"
    assert limiter.hit("k", 61.0).allowed  # third of the minute
    refused = limiter.hit("k", 61.5)
    assert refused.binding is not None
    assert refused.binding.rate.name == "3/min"
    assert refused.retry_after == 59
    # Refused requests did not use the 2/s quota of the next second either.
    assert not limiter.hit("k", 62.0).allowed
    assert limiter.hit("k", 120.0).allowed


def test_replace_and_restore_clear_counts() -> None:
    limiter = RateLimiter(parse_rates(["1/h"]))
    assert limiter.hit("k", 0.0).allowed
    assert not limiter.hit("k", 1.0).allowed
    limiter.replace(parse_rates(["5/h"]))
    assert [limiter.hit("k", 2.0).allowed for _ in range(6)] == [True] * 5 + [False]
    limiter.replace(())
    assert limiter.hit("k", 3.0) == LimitDecision(allowed=True, quotas=())
    limiter.restore()
    assert limiter.rates == parse_rates(["1/h"])
    assert limiter.refused() == 0
    assert limiter.hit("k", 4.0).allowed


def test_counting_is_exact_across_threads() -> None:
    limiter = RateLimiter(parse_rates(["500/h"]))
    admitted: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        mine = [limiter.hit("k", 10.0).allowed for _ in range(100)]
        with lock:
            admitted.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(admitted) == 500
    assert limiter.refused() == 300


def test_stale_keys_are_forgotten() -> None:
    limiter = RateLimiter(parse_rates(["1/s"]))
    for i in range(10_050):
        limiter.hit(f"addr:{i}", 1.0)
    limiter.hit("late", 5.0)
    assert limiter.hit("addr:1", 5.0).allowed


def test_headers_in_both_formats() -> None:
    limiter = RateLimiter(parse_rates(["50/s", "1000/h"]))
    decision = limiter.hit("k", 3600.25)
    headers = dict(rate_limit_headers(decision))
    assert headers == {
        "X-RateLimit-Limit": "50",
        "X-RateLimit-Remaining": "49",
        "X-RateLimit-Used": "1",
        "X-RateLimit-Reset": "3601",
        "X-RateLimit-Resource": "50/s",
        "RateLimit-Policy": '"50/s";q=50;w=1, "1000/h";q=1000;w=3600',
        "RateLimit": '"50/s";r=49;t=1, "1000/h";r=999;t=3600',
    }


def test_refusal_headers_add_retry_after_and_agree_with_it() -> None:
    limiter = RateLimiter(parse_rates(["1/10s"]))
    limiter.hit("k", 100.0)
    headers = dict(rate_limit_headers(limiter.hit("k", 103.5)))
    assert headers["X-RateLimit-Remaining"] == "0"
    assert headers["X-RateLimit-Reset"] == "110"
    assert headers["RateLimit"] == '"1/10s";r=0;t=7'
    assert headers["Retry-After"] == "7"


def test_no_rates_no_headers() -> None:
    assert rate_limit_headers(RateLimiter().hit("k", 1.0)) == []


@pytest.mark.parametrize(
    ("headers", "host", "key"),
    [
        ({"x-api-key": "abc"}, "127.0.0.1", "key:abc"),
        ({"x-api-key": "abc", "authorization": "Bearer t"}, "127.0.0.1", "key:abc"),
        ({"authorization": "Bearer t0k"}, "127.0.0.1", "bearer:t0k"),
        ({"authorization": "bearer  t0k "}, "127.0.0.1", "bearer:t0k"),
        ({"authorization": "Basic dTpw"}, "10.0.0.2", "addr:10.0.0.2"),
        ({}, None, "addr:unknown"),
    ],
)
def test_client_key(headers: dict[str, str], host: str | None, key: str) -> None:
    assert client_key(headers, host) == key


def test_a_key_in_the_query_is_a_client_key_unless_a_header_names_one() -> None:
    assert client_key({}, "127.0.0.1", "q1") == "key:q1"
    assert client_key({"x-api-key": "h1"}, "127.0.0.1", "q1") == "key:h1"
    assert client_key({"authorization": "Bearer t"}, "127.0.0.1", "q1") == "key:q1"
