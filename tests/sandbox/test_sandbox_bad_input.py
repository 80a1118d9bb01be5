"""Bad input never yields a 500: every answer below is a 4xx with a JSON error body."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tether.sandbox import SandboxServer


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url) as c:
        yield c


def assert_json_4xx(response: httpx2.Response) -> dict[str, object]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    body = response.json()
    assert isinstance(body, dict)
    assert body["error"]
    assert body["message"]
    return body


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"{not json", "body"),
        (b"", "body"),
        (b"\xff\xfe", "body"),
        (b"[1, 2]", "body"),
        (b'"text"', "body"),
        (b"null", "body"),
        (b"[" * 100_000 + b"]" * 100_000, "body"),
        (b'{"userId": 1, "title": "t", "body": "b"', "body"),
        (b'{"userId": NaN, "title": "t", "body": "b"}', "userId"),
    ],
)
def test_malformed_bodies(client: httpx2.Client, content: bytes, field: str) -> None:
    response = client.post("/posts", content=content,
                           headers={"Content-Type": "application/json"})
    assert assert_json_4xx(response)["field"] == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"userId": "1", "title": "t", "body": "b"}, "userId"),
        ({"userId": 1.5, "title": "t", "body": "b"}, "userId"),
        ({"userId": True, "title": "t", "body": "b"}, "userId"),
        ({"userId": 1, "title": 5, "body": "b"}, "title"),
        ({"userId": 1, "title": None, "body": "b"}, "title"),
        ({"userId": 1, "title": "t"}, "body"),
        ({"userId": 1, "title": "t", "body": "b", "tags": []}, "tags"),
        ({"userId": 10**30, "title": "t", "body": "b"}, "userId"),
        ({"userId": -1, "title": "t", "body": "b"}, "userId"),
        ({"userId": 999, "title": "t", "body": "b"}, "userId"),
    ],
)
def test_invalid_posts_name_the_field(client: httpx2.Client, body: dict[str, object],
                                      field: str) -> None:
    response = client.post("/posts", json=body)
    assert response.status_code == 422
    assert assert_json_4xx(response)["field"] == field
    assert len(client.get("/posts").json()) == 100


def test_form_body_gets_a_hint(client: httpx2.Client) -> None:
    response = client.post("/posts", data={"userId": "1", "title": "t", "body": "b"})
    assert response.status_code == 400
    assert "send JSON" in assert_json_4xx(response)["message"]  # type: ignore[operator]


def test_invalid_nested_user_field(client: httpx2.Client) -> None:
    response = client.patch("/users/1", json={"address": {"geo": {"lat": 1.5}}})
    assert assert_json_4xx(response)["field"] == "address.geo.lat"
    response = client.patch("/users/1", json={"company": "flat"})
    assert assert_json_4xx(response)["field"] == "company"
    response = client.patch("/todos/1", json={"completed": "yes"})
    assert assert_json_4xx(response)["field"] == "completed"


@pytest.mark.parametrize(
    "item_id",
    ["0", "-1", "abc", "1.5", "99999999999999999999999999", "9223372036854775808",
     "9223372036854775807", "1e3", "%20", "0x10", "\u0661"],
)
def test_odd_ids_are_404(client: httpx2.Client, item_id: str) -> None:
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        kwargs = {} if method in ("GET", "DELETE") else {"json": {"title": "x"}}
        response = client.request(method, f"/posts/{item_id}", **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 404
        assert_json_4xx(response)
    assert_json_4xx(client.get(f"/users/{item_id}/posts"))


@pytest.mark.parametrize(
    "query",
    ["page=-1", "page=0&per_page=-5", "per_page=1e3", "_page=&_limit=", "offset=1e99",
     "limit=99999999999999999999", "cursor=%00%ff", "_sort=", "_sort=,,,", "_order=asc",
     "q=%FF%FE", "a[b]=1", "=&==&&&", "userId_like=*", "userId_gte=abc&userId_lte=",
     "%ZZ=1", "page=1&page=2", "_start=5&_end=1", "id:in=", "title:foo=1", "_per_page=0"],
)
def test_odd_query_strings(sandbox: SandboxServer, query: str) -> None:
    response = httpx2.get(f"{sandbox.url}/posts?{query}")
    if response.status_code == 200:
        assert isinstance(response.json(), list | dict)
    else:
        assert_json_4xx(response)


def test_oversized_body_is_413(client: httpx2.Client) -> None:
    response = client.post("/posts", content=b" " * 1_100_000,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "send less" in assert_json_4xx(response)["message"]


@pytest.mark.parametrize("path", ["/_sandbox/faults", "/_sandbox/limits"])
def test_admin_bodies_have_the_same_size_limit(client: httpx2.Client, path: str) -> None:
    response = client.put(path, content=b" " * 1_100_000)
    assert response.status_code == 413


def test_idempotency_key_too_long(client: httpx2.Client) -> None:
    response = client.post("/posts", json={"userId": 1, "title": "t", "body": "b"},
                           headers={"Idempotency-Key": "k" * 300})
    body = assert_json_4xx(response)
    assert body["field"] == "Idempotency-Key"
    assert "must be 1 to 255 characters, got 300" in body["message"]


def test_oauth_form_garbage(client: httpx2.Client) -> None:
    for content in (b"\xff\x00=&&", b"grant_type=client_credentials&client_id=%FF",
                    b"{bad json"):
        response = client.post("/oauth/token", content=content,
                               headers={"Content-Type": "application/json"})
        assert 400 <= response.status_code < 500


SURROGATE = b'{"userId": 1, "title": "\\ud800", "body": "b", "grant_type": "\\ud800"}'
DEEP = b'{"a":' * 5000


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/posts"), ("PUT", "/posts/1"), ("PATCH", "/posts/1"),
    ("POST", "/posts/1/comments"), ("PUT", "/_sandbox/faults"), ("PUT", "/_sandbox/limits"),
    ("POST", "/oauth/token"),
])
@pytest.mark.parametrize("content", [SURROGATE, DEEP], ids=["surrogate", "deep"])
def test_every_json_body_reader_refuses_what_it_cannot_store(
    client: httpx2.Client, method: str, path: str, content: bytes
) -> None:
    # An unpaired surrogate decodes but cannot be encoded again (was a 500 on PATCH), and
    # deep nesting overflowed the admin and token readers' stack (a 500 too).
    response = client.request(method, path, content=content,
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    body = response.json()
    message = body.get("message") or body.get("error_description")
    assert "surrogate" in message or "nested too deeply" in message or "malformed" in message


def test_raw_request_with_a_broken_body_length_does_not_crash_the_server(
        sandbox: SandboxServer) -> None:
    parts = urlsplit(sandbox.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(b"POST /posts HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"a\"")
        sock.shutdown(socket.SHUT_WR)
        sock.recv(1024)
    assert httpx2.get(f"{sandbox.url}/posts/1").status_code == 200
    assert "500" not in sandbox.stats()["by_status"]


_PARAM_NAMES = st.sampled_from([
    "page", "per_page", "_page", "_limit", "_per_page", "offset", "limit", "cursor", "_start",
    "_end", "_sort", "_order", "q", "userId", "id_gte", "title_like", "id:in", "_embed",
    "_expand", "body_ne", "x",
])
_VALUES = st.one_of(st.integers(-(10**20), 10**20).map(str), st.text(max_size=12))


# Every example meets the same running server, which is what these tests mean to do.
_SHARED_SERVER = [HealthCheck.function_scoped_fixture]


@settings(max_examples=40, deadline=None, suppress_health_check=_SHARED_SERVER)
@given(pairs=st.lists(st.tuples(_PARAM_NAMES, _VALUES), max_size=4),
       resource=st.sampled_from(["posts", "users", "todos", "users/1/todos"]))
def test_random_query_strings_never_500(sandbox_server: SandboxServer,
                                        pairs: list[tuple[str, str]], resource: str) -> None:
    response = httpx2.get(f"{sandbox_server.url}/{resource}", params=pairs)
    assert response.status_code in (200, 400), response.text
    assert isinstance(response.json(), list | dict)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=_SHARED_SERVER)
@given(body=st.one_of(_JSON, st.fixed_dictionaries(
    {"userId": _JSON, "title": _JSON, "completed": _JSON})))
def test_random_json_bodies_never_500(sandbox_server: SandboxServer, body: object) -> None:
    text = json.dumps(body)  # NaN and Infinity included: Python writes them, JSON has none
    for method, path in (("POST", "/todos"), ("PUT", "/todos/3"), ("PATCH", "/todos/4")):
        response = httpx2.request(method, f"{sandbox_server.url}{path}", content=text,
                                  headers={"Content-Type": "application/json"})
        assert response.status_code in (200, 201, 400, 422), response.text
    sandbox_server.reset()
