"""The five pagination styles and slicing (pure: no server)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tether.sandbox._paging import decode_cursor, encode_cursor, paginate
from tether.sandbox._query import QueryError

ITEMS = [{"id": i} for i in range(1, 24)]  # 23 items


def page(items: list[dict[str, Any]] = ITEMS, **params: str) -> Any:
    grouped = {k: [v] for k, v in params.items()}

    def url_with(updates: Mapping[str, str | None]) -> str:
        merged = {**params, **updates}
        return "http://h/r?" + urlencode({k: v for k, v in merged.items() if v is not None})

    return paginate(items, grouped, url_with)


def ids(result: Any) -> list[int]:
    body = result.body if isinstance(result.body, list) else result.body["data"]
    return [item["id"] for item in body]


def test_no_paging_returns_everything() -> None:
    result = page()
    assert ids(result) == list(range(1, 24))
    assert result.headers == {}


def test_github_style() -> None:
    result = page(page="2", per_page="10")
    assert ids(result) == list(range(11, 21))
    assert result.headers["X-Total-Count"] == "23"
    assert result.headers["Link"] == (
        '<http://h/r?page=1&per_page=10>; rel="first", '
        '<http://h/r?page=1&per_page=10>; rel="prev", '
        '<http://h/r?page=3&per_page=10>; rel="next", '
        '<http://h/r?page=3&per_page=10>; rel="last"'
    )


def test_github_style_boundaries() -> None:
    assert ids(page(page="3", per_page="10")) == [21, 22, 23]  # last, partial
    assert 'rel="next"' not in page(page="3", per_page="10").headers["Link"]
    assert 'rel="prev"' not in page(page="1", per_page="10").headers["Link"]
    past = page(page="9", per_page="10")
    assert ids(past) == []
    assert '<http://h/r?page=3&per_page=10>; rel="prev"' in past.headers["Link"]
    assert len(ids(page(page="1"))) == 23  # default per_page 30
    empty = page([], page="1", per_page="5")
    assert ids(empty) == []
    assert empty.headers["X-Total-Count"] == "0"
    assert 'page=1&per_page=5>; rel="last"' in empty.headers["Link"]


def test_json_server_style() -> None:
    result = page(_page="3", _limit="5")
    assert ids(result) == list(range(11, 16))
    assert '<http://h/r?_page=5&_limit=5>; rel="last"' in result.headers["Link"]
    assert ids(page(_page="1")) == list(range(1, 11))  # default _limit 10


def test_offset_style() -> None:
    result = page(offset="20", limit="10")
    assert ids(result) == [21, 22, 23]
    assert result.headers == {"X-Total-Count": "23"}
    assert ids(page(limit="2")) == [1, 2]
    assert ids(page(offset="30")) == []


def test_cursor_style_walks_to_the_end() -> None:
    seen: list[int] = []
    cursor = ""
    for _ in range(10):
        result = page(cursor=cursor, limit="10")
        seen += ids(result)
        cursor = result.body["next_cursor"]
        if cursor is None:
            assert result.body["next"] is None
            break
        assert result.body["next"] == f"http://h/r?cursor={cursor}&limit=10"
    assert seen == list(range(1, 24))
    assert page([], cursor="").body == {"data": [], "next_cursor": None, "next": None}


def test_json_server_1_envelope() -> None:
    body = page(_page="2", _per_page="10").body
    assert {k: v for k, v in body.items() if k != "data"} == {
        "first": 1, "prev": 1, "next": 3, "last": 3, "pages": 3, "items": 23}
    assert ids(page(_page="3", _per_page="10")) == [21, 22, 23]
    assert page(_page="3", _per_page="10").body["next"] is None
    assert page([], _per_page="10").body == {
        "first": 1, "prev": None, "next": None, "last": 1, "pages": 0, "items": 0, "data": []}


def test_slices() -> None:
    assert ids(page(_start="2", _end="5")) == [3, 4, 5]
    assert ids(page(_start="20", _limit="10")) == [21, 22, 23]
    assert ids(page(_limit="3")) == [1, 2, 3]
    assert page(_start="1").headers == {"X-Total-Count": "23"}


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "two"}, "page"),
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "1001"}, "per_page"),
        ({"_page": "1", "_limit": "x"}, "_limit"),
        ({"offset": "-5"}, "offset"),
        ({"limit": "0"}, "limit"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"cursor": encode_cursor(3)[:-1] + "@"}, "cursor"),
        ({"_per_page": "1.5"}, "_per_page"),
        ({"_start": "-1"}, "_start"),
        ({"page": "99999999999999999999"}, "page"),
        ({"page": "1", "_page": "2"}, "_page"),
        ({"cursor": "", "offset": "3"}, "offset"),
        ({"_start": "1", "_page": "1"}, "_start"),
    ],
)
def test_invalid_values_are_query_errors(params: dict[str, str], param: str) -> None:
    with pytest.raises(QueryError) as caught:
        page(**params)
    assert caught.value.param == param
    assert param.lstrip("_") in str(caught.value) or "cursor" in str(caught.value)


def test_repeated_page_parameter_is_refused() -> None:
    with pytest.raises(QueryError, match="once"):
        paginate(ITEMS, {"page": ["1", "2"]}, lambda updates: "")


@given(st.integers(0, 10**11))
def test_cursor_round_trips(offset: int) -> None:
    assert decode_cursor(encode_cursor(offset)) == offset


@given(st.text(max_size=30))
def test_any_cursor_decodes_or_is_refused(token: str) -> None:
    try:
        position = decode_cursor(token)
    except QueryError as exc:
        refused: QueryError | None = exc
    else:
        refused = None
        assert position >= 0
    assert refused is None or refused.param == "cursor"


@given(total=st.integers(0, 60), size=st.integers(1, 15))
def test_page_loop_visits_every_item_once(total: int, size: int) -> None:
    items = [{"id": i} for i in range(total)]
    seen: list[int] = []
    number = 1
    while True:
        batch = ids(page(items, page=str(number), per_page=str(size)))
        if not batch:
            break
        seen += batch
        number += 1
    assert seen == list(range(total))
