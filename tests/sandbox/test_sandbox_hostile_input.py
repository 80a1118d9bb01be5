"""Hostile and borderline input: every limit answers with a clear 4xx, injection strings
never reach SQL, and what JSON Schema calls valid (``1.0`` for an integer, empty ``_sort``
and ``_order``) is accepted."""

from __future__ import annotations

import socket

import httpx2
import pytest

from tether.sandbox._asgi import MAX_HEADER_BYTES, MAX_QUERY_BYTES
from tether.sandbox._http import MAX_BODY
from tether.sandbox._paging import MAX_PAGE_SIZE
from tether.sandbox._resources import RESOURCES, field_paths


def _raw(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_long_query_string_is_414(sandbox) -> None:
    query = b"q=" + b"x" * MAX_QUERY_BYTES
    answer = _raw(sandbox.url, b"GET /posts?" + query + b" HTTP/1.1\r\nHost: t\r\n"
                  b"Connection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 414 ")
    assert b"query string" in answer
    assert b"8,192" in answer


def test_large_headers_are_431(sandbox) -> None:
    answer = _raw(sandbox.url, b"GET /posts/1 HTTP/1.1\r\nHost: t\r\nX-Big: "
                  + b"x" * MAX_HEADER_BYTES + b"\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b"headers" in answer


def test_requests_just_within_the_limits_pass(sandbox) -> None:
    response = httpx2.get(f"{sandbox.url}/posts", params={"q": "x" * (MAX_QUERY_BYTES - 10)},
                          headers={"X-Big": "x" * (MAX_HEADER_BYTES // 2)})
    assert response.status_code == 200


def test_size_refusals_are_counted(sandbox) -> None:
    _raw(sandbox.url, b"GET /posts?q=" + b"x" * MAX_QUERY_BYTES
         + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    assert sandbox.stats()["routes"] == {"GET /posts": {"414": 1}}


def test_a_large_body_is_413(sandbox) -> None:
    response = httpx2.post(f"{sandbox.url}/posts", content=b"x" * (MAX_BODY + 1),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413


@pytest.mark.parametrize(("params", "field"), [
    ({"_limit": MAX_PAGE_SIZE + 1, "_page": 1}, "_limit"),
    ({"per_page": MAX_PAGE_SIZE + 1}, "per_page"),
    ({"limit": MAX_PAGE_SIZE + 1}, "limit"),
    ({"_per_page": MAX_PAGE_SIZE + 1}, "_per_page"),
])
def test_page_sizes_are_capped(sandbox, params: dict[str, int], field: str) -> None:
    response = httpx2.get(f"{sandbox.url}/comments", params=params)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_delay_is_capped(sandbox) -> None:
    response = httpx2.get(f"{sandbox.url}/delay/{sandbox.config.max_delay + 1}")
    assert response.status_code == 400
    assert response.json()["field"] == "seconds"


@pytest.mark.parametrize("raw_id", ["0", "-1", "9223372036854775808", "1e3", "0x10"])
def test_ids_outside_the_range_are_404(sandbox, raw_id: str) -> None:
    assert httpx2.get(f"{sandbox.url}/posts/{raw_id}").status_code == 404


INJECTIONS = [
    "1' OR '1'='1", "1; DROP TABLE posts;--", "' UNION SELECT key, body FROM idempotency--",
    "title) --", "\x00", "%", "_", "\\", '"', "*", "1/0", "json_extract(data, '$.id')",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_strings_in_filters_and_sorts_are_4xx_or_empty(sandbox, value: str) -> None:
    resource = RESOURCES["users"]
    params = [f"{name}{suffix}" for name in sorted(field_paths(resource))
              for suffix in ("", "_ne", "_like", "_gte", ":contains", ":in")]
    params += ["q", "_sort", "_order", "_embed", "_expand", value]
    client = httpx2.Client(base_url=sandbox.url)
    for param in params:
        response = client.get("/users", params={param: value})
        assert response.status_code in (200, 400), (param, value, response.text)
        text = response.text.lower()
        assert "sqlite" not in text
        assert "syntax" not in text or response.status_code == 400
        if response.status_code == 200 and ((":" not in param and "_" not in param[1:])
                                            or param.endswith(":contains")):
            # Equality and containment compare literally: no user has such a value.
            assert response.json() == [], (param, value)
    # Nothing was dropped or changed.
    assert len(client.get("/users").json()) == 10
    assert client.get("/posts/1").status_code == 200
    client.close()


def test_whole_floats_are_integers(sandbox) -> None:
    response = httpx2.post(f"{sandbox.url}/todos",
                           json={"userId": 1.0, "title": "t", "completed": False})
    assert response.status_code == 201
    assert response.json()["userId"] == 1
    assert isinstance(response.json()["userId"], int)
    refused = httpx2.post(f"{sandbox.url}/todos",
                          json={"userId": 1.5, "title": "t", "completed": False})
    assert refused.status_code == 422
    assert refused.json()["field"] == "userId"


def test_empty_sort_and_order_ask_for_nothing(sandbox) -> None:
    response = httpx2.get(f"{sandbox.url}/posts", params={"_sort": "", "_order": "",
                                                          "userId": 1})
    assert response.status_code == 200
    assert [post["id"] for post in response.json()][:3] == [1, 2, 3]
    alone = httpx2.get(f"{sandbox.url}/posts", params={"_order": "desc"})
    assert alone.status_code == 400
    assert alone.json()["field"] == "_order"


@pytest.mark.parametrize("path", ["/_sandbox/faults", "/_sandbox/limits"])
def test_admin_routes_list_every_method_in_allow(sandbox, path: str) -> None:
    response = httpx2.delete(f"{sandbox.url}{path}")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "PUT"}


def test_reset_with_a_bad_seed_is_a_documented_400(sandbox) -> None:
    response = httpx2.post(f"{sandbox.url}/_sandbox/reset", params={"seed": "null"})
    assert response.status_code == 400
    document = httpx2.get(f"{sandbox.url}/openapi.json").json()
    assert "400" in document["paths"]["/_sandbox/reset"]["post"]["responses"]


def test_whole_floats_are_integers_in_urls_too(sandbox) -> None:
    client = httpx2.Client(base_url=sandbox.url)
    assert client.get("/posts/3.0").json()["id"] == 3
    page = client.get("/comments", params={"_page": "2.0", "_limit": "5.00"})
    assert [c["id"] for c in page.json()] == [6, 7, 8, 9, 10]
    assert client.get("/status/404.0").status_code == 404
    assert client.get("/status/503", params={"retry_after": "2.0"}).headers["retry-after"] == "2"
    assert client.post("/_sandbox/reset", params={"seed": "3.0"}).json()["seed"] == 3
    assert client.get("/posts/3.5").status_code == 404
    assert client.get("/comments", params={"_limit": "2.5", "_page": 1}).status_code == 400
    client.close()
