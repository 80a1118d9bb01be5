"""Parsing rates users type: "5/s", "100/min", "500/h", lists."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether._ratelimit._rate import Rate, parse_rate, parse_rates


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
