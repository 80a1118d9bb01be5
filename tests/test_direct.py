"""The direct send path (``tether._direct``): the same responses as httpx2's path, for the
calls that need none of its machinery, and httpx2's path for every call that does.

Each check runs against a real server on 127.0.0.1 and compares with what a plain httpx2
client gets, sync and async, over every backend.
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import http.server
import logging
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from tests._http import serve

import tether
from tether._direct import direct_transport

BODY = b'{"id": 1, "title": "direct"}'
ASYNC_BACKENDS = ["httpx2", "aiohttp", "reqwest"]
SYNC_BACKENDS = ["httpx2", "reqwest"]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/json":
            self._answer(200, BODY, {"Content-Type": "application/json"})
        elif path == "/gzip":
            coded = gzip.compress(BODY)
            self._answer(200, coded, {"Content-Type": "application/json",
                                      "Content-Encoding": "gzip"})
        elif path == "/latin":
            self._answer(200, "café".encode("latin-1"), {"Content-Type": "text/plain"})
        elif path == "/set-cookie":
            self._answer(200, b"set", {"Set-Cookie": "flavour=oat; Path=/"})
        elif path == "/echo":
            echoed = {"auth": self.headers.get("Authorization", ""),
                      "cookie": self.headers.get("Cookie", "")}
            self._answer(200, repr(echoed).encode())
        elif path == "/redirect":
            self._answer(302, b"", {"Location": "/json"})
        else:
            self._answer(404, b"missing")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve(_Handler) as url:
        yield url


def _facts(response: httpx2.Response) -> dict[str, Any]:
    """What a caller can see of a read response, beyond timing."""
    return {
        "status": response.status_code,
        "headers": [(k, v) for k, v in response.headers.multi_items() if k != "date"],
        "content": response.content,
        "text": response.text,
        "encoding": response.encoding,
        "http_version": response.http_version,
        "reason": response.reason_phrase,
        "closed": response.is_closed,
        "consumed": response.is_stream_consumed,
        "downloaded": response.num_bytes_downloaded,
        "url": str(response.url),
        "chunks": list(response.iter_bytes(chunk_size=10)),
    }


def _warm(client: tether.Client, server: str) -> None:
    # The first call of a client takes httpx2's path, which also opens the client.
    client.get(f"{server}/json")


async def _awarm(client: tether.AsyncClient, server: str) -> None:
    await client.get(f"{server}/json")


@pytest.mark.parametrize("path", ["/json", "/gzip", "/latin"])
@pytest.mark.parametrize("backend", SYNC_BACKENDS)
def test_sync_direct_response_matches_httpx2(server: str, backend: str, path: str) -> None:
    with httpx2.Client(default_encoding="latin-1") as plain:
        expected = _facts(plain.get(f"{server}{path}"))
    with tether.Client(backend=backend, default_encoding="latin-1") as client:  # type: ignore[arg-type]
        _warm(client, server)
        assert direct_transport(client, client.build_request("GET", server), stream=False,
                                auth=httpx2.USE_CLIENT_DEFAULT,
                                follow_redirects=httpx2.USE_CLIENT_DEFAULT) is not None
        response = client.get(f"{server}{path}")
        assert _facts(response) == expected
        assert isinstance(response.elapsed, datetime.timedelta)
        assert response.elapsed.total_seconds() > 0
        assert response.request.url == f"{server}{path}"
        assert isinstance(response, tether.Response)


@pytest.mark.parametrize("path", ["/json", "/gzip", "/latin"])
@pytest.mark.parametrize("backend", ASYNC_BACKENDS)
async def test_async_direct_response_matches_httpx2(server: str, backend: str, path: str) -> None:
    async with httpx2.AsyncClient(default_encoding="latin-1") as plain:
        expected = _facts(await plain.get(f"{server}{path}"))
    async with tether.AsyncClient(backend=backend, default_encoding="latin-1") as client:  # type: ignore[arg-type]
        await _awarm(client, server)
        response = await client.get(f"{server}{path}")
        assert _facts(response) == expected
        assert response.elapsed.total_seconds() > 0
        assert response.request.url == f"{server}{path}"


@pytest.mark.parametrize("backend", ASYNC_BACKENDS)
async def test_cookies_set_on_the_direct_path_are_sent_back(server: str, backend: str) -> None:
    async with tether.AsyncClient(backend=backend) as client:  # type: ignore[arg-type]
        await _awarm(client, server)
        await client.get(f"{server}/set-cookie")
        assert client.cookies["flavour"] == "oat"
        echoed = (await client.get(f"{server}/echo")).text
    assert "flavour=oat" in echoed


def test_calls_needing_httpx2_machinery_take_its_path(server: str) -> None:
    seen: list[str] = []
    with tether.Client(event_hooks={"response": [lambda r: seen.append(r.url.path)]}) as hooked:
        hooked.get(f"{server}/json")
        hooked.get(f"{server}/json")
    assert seen == ["/json", "/json"]

    with tether.Client(auth=("ann", "secret")) as client:
        _warm(client, server)
        assert "Basic" in client.get(f"{server}/echo").text
        assert "Bearer" not in client.get(f"{server}/echo").text
    with tether.Client() as client:
        _warm(client, server)
        url = server.replace("http://", "http://bob:pw@")
        assert "Basic" in client.get(f"{url}/echo").text
        assert client.get(f"{server}/echo").text.startswith("{'auth': ''")
        followed = client.get(f"{server}/redirect", follow_redirects=True)
        assert followed.json() == {"id": 1, "title": "direct"}
        assert [r.status_code for r in followed.history] == [302]
        with client.stream("GET", f"{server}/json") as streamed:
            assert not streamed.is_stream_consumed
            assert streamed.read() == BODY


def test_direct_transport_declines_each_case() -> None:
    client = tether.Client(transport=httpx2.MockTransport(lambda r: httpx2.Response(200)))
    request = client.build_request("GET", "http://127.0.0.1/x")
    default = httpx2.USE_CLIENT_DEFAULT

    def direct(**changes: Any) -> bool:
        arguments: dict[str, Any] = {"stream": False, "auth": default, "follow_redirects": default}
        arguments.update(changes)
        return direct_transport(client, changes.pop("request", request), **{
            k: v for k, v in arguments.items() if k != "request"
        }) is not None

    assert not direct()  # not opened yet: the first call opens the client
    client.get("http://127.0.0.1/x")
    assert direct()
    assert not direct(stream=True)
    assert not direct(auth=("a", "b"))
    assert direct(auth=None)
    assert not direct(follow_redirects=True)
    assert not direct(request=client.build_request("GET", "http://u:p@127.0.0.1/x"))
    client.follow_redirects = True
    assert not direct()
    client.follow_redirects = False
    client.event_hooks = {"request": [print]}
    assert not direct()
    client.event_hooks = {}
    client.auth = ("a", "b")
    assert not direct()
    client.auth = None
    assert direct()

    async def chunks() -> Any:
        yield b"x"

    mismatched = client.build_request("POST", "http://127.0.0.1/x", content=chunks())
    assert not direct(request=mismatched)
    with pytest.raises(RuntimeError, match="async request with a sync Client"):
        client.send(mismatched)
    client.close()
    assert not direct()
    with pytest.raises(RuntimeError, match="client has been closed"):
        client.get("http://127.0.0.1/x")


def test_httpx2_log_line_is_written_and_redacted(
    server: str, caplog: pytest.LogCaptureFixture
) -> None:
    with tether.Client() as client, caplog.at_level(logging.INFO, logger="httpx2"):
        _warm(client, server)
        caplog.clear()
        client.get(f"{server}/json", params={"api_key": "s3cr3t-value"})
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx2"]
    assert len(lines) == 1
    assert lines[0].startswith("HTTP Request: GET ")
    assert lines[0].endswith('"HTTP/1.1 200 OK"')
    assert "s3cr3t-value" not in lines[0]


def test_a_client_opened_by_its_first_call_cannot_be_entered(server: str) -> None:
    client = tether.Client()
    client.get(f"{server}/json")
    client.get(f"{server}/json")
    with pytest.raises(RuntimeError), contextlib.ExitStack() as stack:
        stack.enter_context(client)
    client.close()


# --- bare_request(): the same request as httpx2's build_request ------------------------

def _request_facts(request: httpx2.Request) -> dict[str, Any]:
    return {
        "method": request.method,
        "url": str(request.url),
        "raw_path": (request.url.raw_scheme, request.url.raw_host, request.url.port,
                     request.url.raw_path),
        "headers": request.headers.raw,
        "encoding": request.headers.encoding,
        "extensions": request.extensions,
        "content": request.content,
        "stream": type(request.stream),
    }


_CLIENTS: dict[str, dict[str, Any]] = {
    "plain": {},
    "base url": {"base_url": "http://127.0.0.1:8000/api/v1"},
    "base url with slash": {"base_url": "http://127.0.0.1:8000/api/"},
    "headers": {"headers": {"Authorization": "Bearer x", "X-Trace": "t-1"}},
    "params": {"params": {"page": 2}},
    "cookies": {"cookies": {"session": "s1"}},
    "host header": {"headers": {"Host": "example.test"}},
    "timeout": {"timeout": 3.5},
}
_CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "http://127.0.0.1:8000/posts/1", {}),
    ("get", "http://127.0.0.1:8000/posts?userId=1&x=a%20b", {}),
    ("GET", "/posts/1", {}),
    ("GET", "posts/1", {}),
    ("GET", "", {}),
    ("DELETE", "http://localhost:8000/posts/1", {}),
    ("HEAD", "http://127.0.0.1/", {}),
    ("POST", "http://127.0.0.1:8000/posts", {}),
    ("PUT", "http://127.0.0.1:8000/posts/1", {}),
    ("PATCH", "http://127.0.0.1:8000/posts/1", {}),
    ("QUERY", "http://127.0.0.1:8000/posts", {}),
    ("GET", "https://127.0.0.1:443/secure", {}),
    ("GET", "http://[::1]:8000/v6", {}),
    ("GET", "http://[fe80::1%25eth0]:8000/zone", {}),
    ("GET", "http://user:pw@127.0.0.1:8000/userinfo", {}),
    ("GET", "http://bücher.example/ü?q=ä", {}),
    ("GET", "http://127.0.0.1:8000/posts/1", {"timeout": 1.0}),
    ("GET", "http://127.0.0.1:8000/posts/1", {"timeout": httpx2.Timeout(2.0, read=9.0)}),
    ("GET", "http://127.0.0.1:8000/posts/1", {"extensions": {"trace": None}}),
    ("GET", "http://127.0.0.1:8000/posts/1", {"extensions": {"timeout": {"read": 1.0}}}),
    ("GET", "http://127.0.0.1:8000/posts/1", {"headers": {"X-Call": "1"}}),
    ("GET", "http://127.0.0.1:8000/posts/1", {"params": {"a": "1"}}),
    ("POST", "http://127.0.0.1:8000/posts", {"json": {"title": "t"}}),
]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("setup", list(_CLIENTS))
def test_build_request_builds_what_httpx2_builds(kind: str, setup: str) -> None:
    factory = tether.Client if kind == "sync" else tether.AsyncClient
    client = factory(**_CLIENTS[setup])
    httpx2_build = (
        httpx2.Client.build_request if kind == "sync" else httpx2.AsyncClient.build_request
    )
    for method, url, kwargs in _CALLS:
        try:
            theirs = httpx2_build(client, method, url, **kwargs)  # type: ignore[arg-type]
        except Exception as error:
            # A URL httpx2 cannot build a request for fails the same way here.
            with pytest.raises(type(error)):
                client.build_request(method, url, **kwargs)
            continue
        ours = client.build_request(method, url, **kwargs)
        assert _request_facts(ours) == _request_facts(theirs), (setup, method, url, kwargs)


def test_bare_request_declines_what_needs_httpx2() -> None:
    from tether._direct import bare_request

    default = httpx2.USE_CLIENT_DEFAULT
    plain = tether.Client()
    assert bare_request(plain, "GET", "http://127.0.0.1/", default, None) is not None
    assert bare_request(plain, "GET", "/relative", default, None) is None
    assert bare_request(plain, "GET", "http://[fe80::1%25eth0]/", default, None) is None
    for own in ({"params": {"a": 1}}, {"cookies": {"a": "1"}}):
        assert bare_request(tether.Client(**own), "GET", "http://h/", default, None) is None
    hosted = tether.Client(headers={"Host": "other"})
    assert bare_request(hosted, "GET", "http://h/", default, None) is None


def test_bare_requests_reach_the_server_as_httpx2s_do(server: str) -> None:
    with tether.Client(base_url=server, headers={"Authorization": "Bearer t"}) as client:
        echoed = client.get("/echo").text
    assert "Bearer t" in echoed
