"""HTTPie's request-item syntax and URL shorthands, parsed without a server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tether.cli._items import ItemError, normalize_url, parse_items


def test_every_separator() -> None:
    parsed = parse_items([
        "Accept:text/plain", "X-Empty;", "User-Agent:", "q==a b", "q==c", "title=x:y==z",
        "n:=1", "flag:=true", "tags:=[\"a\"]", "nested:={\"k\": null}",
    ])
    assert parsed.headers == [("Accept", "text/plain"), ("X-Empty", "")]
    assert parsed.dropped_headers == ["User-Agent"]
    assert parsed.params == [("q", "a b"), ("q", "c")]
    assert parsed.data == {"title": "x:y==z", "n": 1, "flag": True, "tags": ["a"],
                           "nested": {"k": None}}
    assert parsed.raw_json_fields == ["n", "flag", "tags", "nested"]


def test_files(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("text\n", encoding="utf-8")
    (tmp_path / "j.json").write_text('{"a": [1]}', encoding="utf-8")
    parsed = parse_items([
        f"body=@{tmp_path / 't.txt'}", f"obj:=@{tmp_path / 'j.json'}",
        f"upload@{tmp_path / 't.txt'}",
    ])
    assert parsed.data == {"body": "text\n", "obj": {"a": [1]}}
    assert parsed.files == [("upload", tmp_path / "t.txt")]


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("a\\:b=c", {"a:b": "c"}),
        ("a\\=b=c", {"a=b": "c"}),
        ("a\\@b=c", {"a@b": "c"}),
        ("a\\\\=c", {"a\\": "c"}),
        ("path=C:\\dir", {"path": "C:\\dir"}),  # backslashes in values stay
    ],
)
def test_escapes(item: str, expected: dict[str, str]) -> None:
    assert parse_items([item]).data == expected


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("justaword", "is not a request item"),
        ("=value", "has nothing before '='"),
        ("n:=not json", "must be JSON"),
        ("Bad Header:x", "is not a valid header name"),
        ("f=@/nonexistent/file", "cannot read '/nonexistent/file'"),
        ("f@/nonexistent/file", "is not a file that can be uploaded"),
    ],
)
def test_bad_items_are_named(item: str, message: str) -> None:
    with pytest.raises(ItemError, match="^" + repr(item).replace("\\", "\\\\")) as caught:
        parse_items([item])
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (":8000/todos/1", "http://localhost:8000/todos/1"),
        (":8000", "http://localhost:8000"),
        (":/posts", "http://localhost/posts"),
        (":", "http://localhost"),
        ("example.org/x", "http://example.org/x"),
        ("localhost:8000/x", "http://localhost:8000/x"),
        ("https://api.example.org", "https://api.example.org"),
    ],
)
def test_url_shorthands(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_a_colon_not_followed_by_a_port_is_refused() -> None:
    with pytest.raises(ItemError, match="port number"):
        normalize_url(":abc/x")


def test_nested_fields_as_in_httpie() -> None:
    parsed = parse_items([
        "user[name]=Ada", "user[age]:=36", "tags[]=a", "tags[]=b", "rows[1][id]:=2",
        "rows[0][id]:=1", "a\\[b\\]=literal", "deep[x][y][]:=true",
    ])
    assert parsed.data == {
        "user": {"name": "Ada", "age": 36},
        "tags": ["a", "b"],
        "rows": [{"id": 1}, {"id": 2}],
        "a[b]": "literal",
        "deep": {"x": {"y": [True]}},
    }
    # A form carries the names as written.
    assert parsed.fields[0] == ("user[name]", "Ada")
    assert parsed.fields[6] == ("a[b]", "literal")


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["[]=x"], "starts with its name"),
        (["a[b=x"], "is not closed"),
        (["a[b]c=x"], "after ] comes ["),
        (["a=1", "a[b]=2"], "already holds a value"),
        (["a[]=1", "a[b]=2"], "is a list already"),
        (["a[b]=1", "a[0]=2"], "is an object already"),
        (["a[999999]=1"], "far past the list's end"),
    ],
)
def test_nested_field_mistakes_are_named(items: list[str], message: str) -> None:
    with pytest.raises(ItemError, match=re.escape(repr(items[-1]))) as caught:
        parse_items(items)
    assert message in str(caught.value)
