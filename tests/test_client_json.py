"""Safe JSON: a body that is not JSON raises tether.JSONDecodeError saying what came back."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx2
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tether
from tether._json import decode, is_json_content_type
from tether.sandbox import SandboxServer

Get = Callable[..., Awaitable[tether.Response]]


@pytest.fixture(params=["sync", "async"])
def get(request: pytest.FixtureRequest, sandbox: SandboxServer) -> Get:
    async def send(path: str, **kwargs: Any) -> Any:
        if request.param == "sync":
            with tether.Client(base_url=sandbox.url, retry=False) as client:
                return client.get(path, **kwargs)
        async with tether.AsyncClient(base_url=sandbox.url, retry=False) as client:
            return await client.get(path, **kwargs)

    return send


async def test_malformed_body_from_the_sandbox(get: Get, sandbox: SandboxServer) -> None:
    with sandbox.faults(kind="malformed", route="GET /posts/1"):
        response = await get("/posts/1")
    assert response.status_code == 200
    with pytest.raises(tether.JSONDecodeError) as info:
        response.json()
    error = info.value
    assert error.content_type == "application/json"
    assert error.excerpt.startswith('{"error": "upstream sent half')
    assert error.status_code == 200
    text = str(error)
    assert text.startswith("the body is not valid JSON (Unterminated string")
    assert f"from GET {sandbox.url}/posts/1" in text
    assert "content type application/json" in text
    assert isinstance(error, ValueError)
    assert isinstance(error, json.JSONDecodeError)
    assert isinstance(error, tether.TetherError)


async def test_empty_body(get: Get) -> None:
    response = await get("/status/204")
    with pytest.raises(tether.JSONDecodeError, match="expected a JSON body, got none") as info:
        response.json()
    assert str(info.value).endswith(", the body is empty")
    assert "content type (none)" in str(info.value)


async def test_good_json_parses(get: Get) -> None:
    assert (await get("/users/1")).json()["username"]


async def test_json_kwargs_reach_json_loads(get: Get) -> None:
    assert (await get("/posts/1")).json(parse_int=str)["id"] == "1"


def test_wrong_content_type_can_be_refused() -> None:
    response = httpx2.Response(
        200,
        content=b'"ok"',
        headers={"content-type": "text/html; charset=utf-8"},
        request=httpx2.Request("GET", "http://api.test/page"),
    )
    assert tether.parse_json(response) == "ok"
    with pytest.raises(tether.JSONDecodeError, match="expected a JSON content type") as info:
        tether.parse_json(response, require_json_content_type=True)
    assert info.value.content_type == "text/html; charset=utf-8"


def test_invalid_utf8_body() -> None:
    response = httpx2.Response(200, content=b"\xff\xfe{")
    with pytest.raises(tether.JSONDecodeError, match="not valid UTF-8 JSON"):
        tether.parse_json(response)


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("application/problem+json", True),
        ("Application/Vnd.Api+JSON", True),
        ("text/json", False),
        ("text/html", False),
        ("", False),
        (None, False),
    ],
)
def test_json_content_types(content_type: str | None, expected: bool) -> None:
    assert is_json_content_type(content_type) is expected


@given(st.binary(max_size=300))
def test_any_body_either_parses_or_raises_the_tether_error(body: bytes) -> None:
    response = httpx2.Response(200, content=body, request=httpx2.Request("GET", "http://a.test"))
    try:
        expected = json.loads(body)
    except ValueError:
        with pytest.raises(tether.JSONDecodeError):
            tether.parse_json(response)
    else:
        assert tether.parse_json(response) == expected


def test_parse_json_refuses_what_is_not_a_response() -> None:
    with pytest.raises(tether.ConfigurationError, match=r"parse_json\(\) takes an httpx2.Response"):
        tether.parse_json(b'{"a": 1}')  # type: ignore[arg-type]


def test_a_truncated_string_is_described_once() -> None:
    response = httpx2.Response(
        200, headers={"content-type": "application/json"}, content=b'{"title": "unfinished'
    )
    with pytest.raises(tether.JSONDecodeError) as info:
        tether.parse_json(response)
    assert "Unterminated string starting at char 10" in str(info.value)


# --- decode(): json.loads' results and errors, faster --------------------------------------

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too: those must stay exact integers
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=20,
)


@given(_json_values, st.booleans())
def test_decode_gives_what_json_loads_gives(value: Any, ascii_only: bool) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    decoded = decode(body)
    assert decoded == json.loads(body)
    assert repr(decoded) == repr(json.loads(body))  # 1 vs 1.0, -0.0 vs 0.0


@pytest.mark.parametrize(
    "body",
    [
        b"123456789012345678901234567890",  # orjson would make this a float
        b"[-18446744073709551617, 18446744073709551616]",
        b"NaN",
        b"[Infinity, -Infinity]",
        b"[1e400]",
        "\ufeff{\"a\": 1}".encode("utf-8"),  # a byte-order mark
        "{\"a\": \"\u00e9\"}".encode("utf-16"),
        b'"\\ud800"',  # a lone surrogate, which json.loads accepts
        b'{"a": 1, "a": 2}',
    ],
)
def test_decode_agrees_with_json_loads_where_orjson_differs(body: bytes) -> None:
    assert repr(decode(body)) == repr(json.loads(body))


@pytest.mark.parametrize("body", [b'"\xff"', b"{", b"", b"[1,]", b"01"])
def test_decode_raises_what_json_loads_raises(body: bytes) -> None:
    with pytest.raises((json.JSONDecodeError, UnicodeDecodeError)) as expected:
        json.loads(body)
    with pytest.raises(type(expected.value)):
        decode(body)


def test_decode_passes_loads_arguments_on() -> None:
    assert decode(b'{"a": 1.5}', parse_float=str) == {"a": "1.5"}


def test_response_json_keeps_a_big_integer_exact() -> None:
    huge = 2**70 + 1
    response = tether.Response(200, content=json.dumps({"id": huge, "n": 1.5}).encode())
    assert response.json() == {"id": huge, "n": 1.5}
    assert response.json(parse_int=str) == {"id": str(huge), "n": 1.5}
