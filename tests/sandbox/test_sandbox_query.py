"""Filters, full-text search and sorting (pure: no server)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tether.sandbox._query import QueryError, apply_query, parse_query

FIELDS = frozenset({"userId", "id", "title", "done", "score", "address.city", "address.geo.lat"})
ITEMS: list[dict[str, Any]] = [
    {"userId": 1, "id": 1, "title": "Red apple", "done": True, "score": 10,
     "address": {"city": "Oslo", "geo": {"lat": "-3.5"}}},
    {"userId": 1, "id": 2, "title": "green pear", "done": False, "score": 2,
     "address": {"city": "Rome", "geo": {"lat": "40.1"}}},
    {"userId": 2, "id": 3, "title": "red cherry", "done": False, "score": 7,
     "address": {"city": "Oslo", "geo": {"lat": "12"}}},
    {"userId": 3, "id": 4, "title": "plum", "done": True, "score": 2,
     "address": {"city": "Lima", "geo": {"lat": "-20"}}},
]


def ids(*pairs: tuple[str, str]) -> list[int]:
    return [item["id"] for item in apply_query(ITEMS, parse_query(pairs, FIELDS))]


def test_equality_and_repeated_or() -> None:
    assert ids(("userId", "1")) == [1, 2]
    assert ids(("userId", "1"), ("userId", "3")) == [1, 2, 4]
    assert ids(("userId", "1"), ("done", "true")) == [1]


def test_booleans_match_in_any_case() -> None:
    # requests sends params={"done": True} as "True".
    assert ids(("done", "True")) == [1, 4]
    assert ids(("done", "FALSE")) == [2, 3]
    assert ids(("done_ne", "True")) == [2, 3]
    assert ids(("done:in", "False")) == [2, 3]
    assert ids(("title", "RED APPLE")) == []  # strings stay exact


def test_nested_fields() -> None:
    assert ids(("address.city", "Oslo")) == [1, 3]
    assert ids(("address.geo.lat_gte", "0")) == [2, 3]


def test_operators() -> None:
    assert ids(("score_gte", "7")) == [1, 3]
    assert ids(("score_lte", "2")) == [2, 4]
    assert ids(("score_gte", "2"), ("score_lte", "7")) == [2, 3, 4]
    assert ids(("id_ne", "2"), ("id_ne", "3")) == [1, 4]
    assert ids(("title_like", "^red")) == [1, 3]
    assert ids(("title_like", "pear"), ("title_like", "plum")) == [2, 4]


def test_colon_operators() -> None:
    assert ids(("score:gt", "2"), ("score:lt", "10")) == [3]
    assert ids(("id:in", "1,4")) == [1, 4]
    assert ids(("title:contains", "RED")) == [1, 3]
    assert ids(("title:startsWith", "g")) == [2]
    assert ids(("title:endsWith", "UM")) == [4]


def test_full_text_search_looks_into_nested_strings() -> None:
    assert ids(("q", "red")) == [1, 3]
    assert ids(("q", "lima")) == [4]
    assert ids(("q", "")) == [1, 2, 3, 4]


def test_sort_and_order() -> None:
    assert ids(("_sort", "score")) == [2, 4, 3, 1]
    assert ids(("_sort", "score"), ("_order", "desc")) == [1, 3, 2, 4]
    assert ids(("_sort", "score,id"), ("_order", "asc,desc")) == [4, 2, 3, 1]
    assert ids(("_sort", "-score,id")) == [1, 3, 2, 4]
    assert ids(("_sort", "title")) == [1, 2, 4, 3]  # case-sensitive, as stored
    assert ids(("_sort", "address.city")) == [4, 1, 3, 2]


def test_paging_params_are_left_alone() -> None:
    assert ids(("_page", "2"), ("per_page", "x")) == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("pairs", "param", "words"),
    [
        ([("colour", "red")], "colour", "not a field"),
        ([("title_gt", "a")], "title_gt", "not a field"),
        ([("id:near", "1")], "id:near", "unknown operator"),
        ([("title_like", "([")], "title_like", "regular expression"),
        ([("title_like", "a" * 300)], "title_like", "longer"),
        ([("_order", "asc")], "_order", "needs _sort"),
        ([("_sort", "id"), ("_order", "up")], "_order", "asc"),
        ([("_sort", "nope")], "_sort", "not a field"),
    ],
)
def test_errors_name_the_parameter(pairs: list[tuple[str, str]], param: str, words: str) -> None:
    with pytest.raises(QueryError, match=words) as caught:
        parse_query(pairs, FIELDS)
    assert caught.value.param == param


keys = st.sampled_from(["userId", "id", "title", "score", "q", "_sort", "_order", "title_like",
                        "score_gte", "id:in", "address.city", "x", "_page", "done_ne"])


@given(st.lists(st.tuples(keys, st.text(max_size=12)), max_size=6))
def test_any_query_either_works_or_is_a_query_error(pairs: list[tuple[str, str]]) -> None:
    try:
        query = parse_query(pairs, FIELDS)
    except QueryError as exc:
        refused: QueryError | None = exc
    else:
        refused = None
        assert all(item in ITEMS for item in apply_query(ITEMS, query))
    assert refused is None or refused.param in {key for key, _ in pairs}
