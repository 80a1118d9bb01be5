"""Where items and fields live in a body."""

from __future__ import annotations

import pytest

from tether._pagination import PaginationError, extract_items, get_path
from tether._pagination._items import MISSING, int_or_none


def test_get_path_walks_objects_and_lists() -> None:
    body = {"links": {"next": "/n"}, "results": [{"id": 7}], "@odata.nextLink": "/o"}
    assert get_path(body, "links.next") == "/n"
    assert get_path(body, "results.0.id") == 7
    assert get_path(body, "@odata.nextLink") == "/o"
    assert get_path(body, "links.prev") is MISSING
    assert get_path(body, "results.3") is MISSING
    assert get_path({"next": None}, "next") is None
    assert get_path([1], "x") is MISSING


def test_bare_list_and_envelopes() -> None:
    assert extract_items([1, 2]) == ([1, 2], None)
    assert extract_items({"data": [1], "items": 100}) == ([1], "data")
    assert extract_items({"items": [2], "total": 1}) == ([2], "items")
    assert extract_items({"results": [3], "next": None}) == ([3], "results")
    assert extract_items({"photos": [4], "page": 1}) == ([4], "photos")
    assert extract_items({"meta": {"rows": [5]}}, "meta.rows") == ([5], "meta.rows")


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ({"a": [1], "b": [2]}, None, "several list fields"),
        ({"total": 3}, None, "keys ['total']"),
        ("text", None, "JSON str"),
        ({"data": {"x": 1}}, "data", "found a dict (this body holds no list at all)"),
        ({"data": []}, "rows", "found nothing (lists in this body: 'data')"),
        (
            {"count": 3, "results": [1], "meta": {"rows": []}},
            "data.x",
            "found nothing (lists in this body: 'results', 'meta.rows')",
        ),
        ([1, 2], "data", "found nothing (the body is a JSON list)"),
    ],
)
def test_missing_items_explain_how_to_point_at_them(
    body: object, path: str | None, message: str
) -> None:
    with pytest.raises(PaginationError, match="items=") as caught:
        extract_items(body, path)
    assert message in str(caught.value)


def test_int_or_none() -> None:
    assert int_or_none(5) == 5
    assert int_or_none(" 42 ") == 42
    assert int_or_none(True) is None
    assert int_or_none(-1) is None
    assert int_or_none("4.5") is None
    assert int_or_none(None) is None
