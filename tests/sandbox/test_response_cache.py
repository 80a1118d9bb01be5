"""Repeated reads come from the cache, byte for byte, while limits, faults and accounting
still see every request, and any change of the data is seen at once."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from starlette.types import Message, Receive, Scope, Send

from tether.sandbox import SandboxServer, serve_in_thread
from tether.sandbox import _response_cache as response_cache
from tether.sandbox._response_cache import ResponseCache, ResponseCacheMiddleware
from tether.sandbox._store import Store


@pytest.fixture(scope="module")
def served() -> Iterator[SandboxServer]:
    with serve_in_thread() as server:
        yield server


@pytest.fixture
def server(served: SandboxServer) -> Iterator[SandboxServer]:
    served.reset()
    yield served
    served.reset()


def _cache(server: SandboxServer) -> ResponseCache:
    return server.state.responses


def _same(a: httpx2.Response, b: httpx2.Response) -> None:
    assert a.status_code == b.status_code
    assert a.content == b.content
    names = ("content-type", "content-length", "link", "x-total-count", "vary",
             "access-control-allow-origin", "access-control-expose-headers")
    assert [a.headers.get_list(n) for n in names] == [b.headers.get_list(n) for n in names]


@pytest.mark.parametrize("path", ["/posts/1", "/posts?_page=2&_limit=10", "/comments?postId=7",
                                  "/posts/3/comments", "/users/1?_embed=todos"])
@pytest.mark.parametrize("origin", [None, "http://localhost:5173"])
def test_a_repeated_read_is_served_from_the_cache_unchanged(
    server: SandboxServer, path: str, origin: str | None
) -> None:
    headers = {"Origin": origin} if origin else {}
    cache = _cache(server)
    with httpx2.Client(base_url=server.url, headers=headers) as client:
        first = client.get(path)
        hits = cache.hits
        again = client.get(path)
    assert first.status_code == 200
    assert cache.hits == hits + 1
    _same(first, again)
    assert again.headers.get_list("vary") == ["Origin"]


def test_links_follow_the_host_the_client_asked_for(server: SandboxServer) -> None:
    path = "/posts?_page=2&_limit=5"
    with httpx2.Client(base_url=server.url) as client:
        ours = client.get(path).headers["link"]
        other = client.get(path, headers={"Host": "api.example.test"}).headers["link"]
    assert f"<{server.url}/posts?_page=1&_limit=5>" in ours
    assert "<http://api.example.test/posts?_page=1&_limit=5>" in other


def test_every_write_is_seen_by_the_next_read(server: SandboxServer) -> None:
    with httpx2.Client(base_url=server.url) as client:
        before = client.get("/comments?postId=7").json()
        client.get("/comments?postId=7")
        created = client.post("/posts/7/comments", json={
            "name": "n", "email": "a@b.c", "body": "b"}).json()
        after = client.get("/comments?postId=7").json()
        assert after == [*before, created]
        client.patch(f"/comments/{created['id']}", json={"body": "changed"})
        assert client.get("/comments?postId=7").json()[-1]["body"] == "changed"
        client.get("/posts/7")
        client.delete("/posts/7")  # its comments go with it
        assert client.get("/posts/7").status_code == 404
        assert client.get("/comments?postId=7").json() == []


def test_a_reset_to_other_data_is_seen_by_the_next_read(server: SandboxServer) -> None:
    first = httpx2.get(f"{server.url}/posts/1").json()
    server.reset(seed=first["id"] + 41)
    assert httpx2.get(f"{server.url}/posts/1").json() != first


def test_faults_limits_and_accounting_still_meet_cached_reads(server: SandboxServer) -> None:
    with httpx2.Client(base_url=server.url) as client:
        assert client.get("/todos/1").status_code == 200
        with server.faults(route="GET /todos/*", kind="status", status=503):
            assert client.get("/todos/1").status_code == 503
        with server.limits("2/m"):
            answers = [client.get("/todos/1") for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[1].headers["x-ratelimit-remaining"] == "0"
    assert server.stats()["routes"] == {"GET /todos/{id}": {"200": 3, "429": 1, "503": 1}}


def test_errors_and_other_routes_are_not_cached(server: SandboxServer) -> None:
    cache = _cache(server)
    with httpx2.Client(base_url=server.url) as client:
        hits = cache.hits
        for _ in range(2):
            assert client.get("/posts/9999").status_code == 404
            assert client.get("/posts?nope=1").status_code == 400
            assert client.get("/openapi.json").status_code == 200
    assert cache.hits == hits


async def _numbered(scope: Scope, receive: Receive, send: Send) -> None:
    body = scope["path"].encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _get(app: ResponseCacheMiddleware, path: str) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "GET", "path": path, "headers": [(b"host", b"h")],
             "query_string": b""}
    await app(scope, receive, send)
    return sent


async def test_the_cache_is_bounded_oldest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(response_cache, "MAX_ENTRIES", 3)
    store = Store(None, 1)
    try:
        cache = ResponseCache()
        app = ResponseCacheMiddleware(_numbered, cache, store, ["posts"])
        for item in range(1, 6):
            await _get(app, f"/posts/{item}")
        assert len(cache) == 3
        for item in (3, 4, 5):
            assert (await _get(app, f"/posts/{item}"))[1]["body"] == f"/posts/{item}".encode()
        assert cache.hits == 3
        await _get(app, "/posts/1")  # forgotten, so computed again
        assert cache.hits == 3
    finally:
        store.close()
