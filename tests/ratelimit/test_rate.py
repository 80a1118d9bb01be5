"""Parsing rates users type: "5/s", "100/min", "500/h", lists."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tether
from tether._errors import ConfigurationError
from tether._ratelimit._rate import Rate, parse_rate, parse_rates
from tether.sandbox import SandboxServer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5/s", Rate(5, 1.0)),
        ("100/min", Rate(100, 60.0)),
        ("500/h", Rate(500, 3600.0)),
        ("1000/day", Rate(1000, 86400.0)),
        ("10/2s", Rate(10, 2.0)),
        ("3 per minute", Rate(3, 60.0)),
        (" 7 / SEC ", Rate(7, 1.0)),
        ("1/250ms", Rate(1, 0.25)),
    ],
)
def test_parse_rate(text: str, expected: Rate) -> None:
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["", "5", "5/", "/s", "0/s", "5/fortnight", "-1/s", "5/0s"])
def test_bad_rate_names_the_text_and_the_forms(text: str) -> None:
    with pytest.raises(ValueError, match="rate") as info:
        parse_rate(text)
    message = str(info.value)
    assert repr(text) in message


def test_parse_rates_accepts_lists_and_comma_strings_sorted_shortest_first() -> None:
    expected = (Rate(10, 1.0), Rate(500, 3600.0))
    assert parse_rates(["500/h", "10/s"]) == expected
    assert parse_rates("10/s, 500/h") == expected
    assert parse_rates(Rate(10, 1.0)) == (Rate(10, 1.0),)
    assert parse_rates(["10/s", "10/s"]) == (Rate(10, 1.0),)


def test_parse_rates_refuses_nothing() -> None:
    with pytest.raises(ValueError, match="no rate"):
        parse_rates([])


def test_rate_properties_and_str() -> None:
    rate = parse_rate("50/s")
    assert rate.per_second == 50
    assert rate.interval == pytest.approx(0.02)
    assert str(rate) == "50/s"
    assert str(parse_rate("10/2s")) == "10/2s"
    assert str(parse_rate("3/min")) == "3/min"


@settings(deadline=None)
@given(
    count=st.integers(min_value=1, max_value=10**6),
    unit=st.sampled_from(["s", "min", "h", "day"]),
)
def test_str_round_trips(count: int, unit: str) -> None:
    rate = parse_rate(f"{count}/{unit}")
    assert parse_rate(str(rate)) == rate


@settings(deadline=None)
@given(st.text(max_size=30))
def test_arbitrary_text_parses_or_raises_value_error(text: str) -> None:
    try:
        rate = parse_rate(text)
    except ValueError:
        return
    assert rate.limit >= 1
    assert rate.period > 0


@settings(deadline=None)
@given(st.text(max_size=40), st.sampled_from([",", ";", ", ", ""]))
def test_arbitrary_rate_lists_parse_or_raise_configuration_errors(text: str, sep: str) -> None:
    try:
        rates = parse_rates(text + sep + text)
    except ConfigurationError as exc:
        message = str(exc)
    else:
        message = "parsed"
    assert message  # a message, never an empty error
    if message != "parsed":
        return
    assert all(rate.limit >= 1 and rate.period > 0 for rate in rates)


@pytest.mark.parametrize("digits", [31, 5000])
def test_a_very_long_number_is_refused_by_message(digits: int) -> None:
    with pytest.raises(ConfigurationError, match="the numbers are too long"):
        parse_rate("9" * digits + "/s")


def test_rate_accepts_the_text_form() -> None:
    assert tether.Rate("5/s") == tether.Rate(5, 1.0) == tether.parse_rate("5/s")
    assert tether.Rate("100 per minute") == tether.Rate(100, 60.0)
    with pytest.raises(tether.ConfigurationError) as caught:
        tether.Rate("5/fortnight")
    assert str(caught.value) == (
        "cannot read rate '5/fortnight': 'fortnight' is not a unit; write '<count>/<unit>' "
        "such as '5/s', '100/min', '500/h', '1000/day' or '10/2s' (units: ms, s, min, h, d; "
        "also sec, m, minute, hr, hour, day and plurals)"
    )


def test_rate_with_a_count_alone_says_both_forms() -> None:
    with pytest.raises(TypeError) as caught:
        tether.Rate(5)  # type: ignore[call-overload]
    assert str(caught.value) == (
        "Rate(5): give a rate as text, such as Rate('5/s'), or a count and a period in "
        "seconds, such as Rate(5, 1.0)"
    )


@pytest.mark.parametrize("text", ["5/s,", "5/s,,1/h", ",5/s", "5/s;"])
def test_an_empty_rate_in_a_list_is_refused(text: str) -> None:
    with pytest.raises(tether.ConfigurationError, match="there is an empty rate"):
        tether.Client(rate_limit=text)


def test_a_rate_string_is_accepted_wherever_a_rate_is() -> None:
    rate = tether.Rate("5/s")
    assert tether.RateLimit("5/s").rates == tether.RateLimit(rate).rates == (rate,)
    assert tether.RateLimit(["5/s", tether.Rate("100/min")]).rates == (
        rate,
        tether.Rate(100, 60.0),
    )
    with tether.Client(rate_limit="5/s") as client, tether.Client(rate_limit=rate) as other:
        assert client.rate_limiter is not None
        assert other.rate_limiter is not None


def test_the_sandbox_takes_the_same_rates(sandbox: SandboxServer) -> None:
    with sandbox.limits("5/sec, 100/minute"), tether.Client(base_url=sandbox.url) as client:
        policy = client.get("/posts/1").headers.get("ratelimit-policy", "")
    assert "5;w=1" in policy
    assert "100;w=60" in policy
