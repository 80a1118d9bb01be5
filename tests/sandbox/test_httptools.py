"""The sandbox's HTTP protocols on real sockets: the httptools one it runs by default and
the h11 fallback behave alike, faults, accounting and HTTP framing included."""

from __future__ import annotations

import importlib.util
import json
import socket
import time
from collections.abc import Iterator

import httpx2
import pytest

from tether.sandbox import SandboxServer, serve_in_thread
from tether.sandbox._connections import AbortableH11Protocol
from tether.sandbox._httptools import AbortableHttpToolsProtocol
from tether.sandbox._server import event_loop, http_protocol
from tether.sandbox._stats import CLIENT_CLOSED, NO_RESPONSE

PARSERS = ["httptools", "h11"]


@pytest.fixture(scope="module", params=PARSERS)
def served(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    with serve_in_thread(http=request.param) as server:
        yield server


@pytest.fixture
def server(served: SandboxServer) -> Iterator[SandboxServer]:
    served.reset()
    yield served
    served.reset()


def _connect(server: SandboxServer) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _get(path: str, *extra: str) -> bytes:
    return "\r\n".join([f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *extra, "", ""]).encode()


def _read_responses(sock: socket.socket, count: int) -> list[tuple[int, bytes]]:
    """``count`` responses as (status, body), read off ``sock`` by their Content-Length."""
    buffer = b""
    answers: list[tuple[int, bytes]] = []
    deadline = time.monotonic() + 10
    while len(answers) < count and time.monotonic() < deadline:
        head, sep, rest = buffer.partition(b"\r\n\r\n")
        if sep:
            lines = head.split(b"\r\n")
            length = next(int(line.split(b":", 1)[1]) for line in lines
                          if line.lower().startswith(b"content-length:"))
            if len(rest) >= length:
                answers.append((int(lines[0].split()[1]), rest[:length]))
                buffer = rest[length:]
                continue
        chunk = sock.recv(65536)
        if not chunk:
            break
        buffer += chunk
    return answers


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (or resets) the connection."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def test_auto_picks_httptools_when_installed() -> None:
    assert http_protocol() is AbortableHttpToolsProtocol
    assert http_protocol("h11") is AbortableH11Protocol


def test_without_httptools_and_uvloop_h11_and_asyncio_serve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.util.find_spec
    missing = ("httptools", "uvloop")
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in missing else real(name, *a))
    assert http_protocol() is AbortableH11Protocol
    assert event_loop() == "asyncio"


def test_an_unknown_parser_is_refused_by_name() -> None:
    expected = r"serve_in_thread\(http=\.\.\.\) must be one of auto, httptools, h11, got 'uv'"
    with pytest.raises(ValueError, match=expected):
        http_protocol("uv")


def test_kept_alive_connection_serves_request_after_request(server: SandboxServer) -> None:
    with _connect(server) as sock:
        for item in (1, 2, 3):
            sock.sendall(_get(f"/posts/{item}"))
            [(status, body)] = _read_responses(sock, 1)
            assert (status, json.loads(body)["id"]) == (200, item)


def test_pipelined_requests_are_answered_in_order(server: SandboxServer) -> None:
    with _connect(server) as sock:
        sock.sendall(b"".join(_get(f"/posts/{item}") for item in range(1, 6)))
        answers = _read_responses(sock, 5)
    assert [(status, json.loads(body)["id"]) for status, body in answers] == [
        (200, item) for item in range(1, 6)
    ]


def test_reset_of_a_pipelined_request_sends_nothing_at_all(server: SandboxServer) -> None:
    # httptools parses the second request while the first still runs; the reset of the
    # first must drop the connection without a 500 on behalf of either.
    with server.faults(route="GET /posts/1", kind="reset"), _connect(server) as sock:
        sock.sendall(_get("/posts/1") + _get("/posts/2"))
        assert _read_all(sock) == b""
    time.sleep(0.1)
    assert server.stats()["routes"] == {"GET /posts/{id}": {str(NO_RESPONSE): 1}}


def test_reset_fault_resets_the_connection(server: SandboxServer) -> None:
    with server.faults(route="GET /todos*", kind="reset"), pytest.raises(
        (httpx2.ReadError, httpx2.RemoteProtocolError)
    ):
        httpx2.get(f"{server.url}/todos/1")
    assert server.stats()["routes"] == {"GET /todos/{id}": {str(NO_RESPONSE): 1}}
    assert httpx2.get(f"{server.url}/todos/1").status_code == 200


def test_truncate_fault_cuts_the_body_short(server: SandboxServer) -> None:
    with server.faults(route="GET /posts", kind="truncate", fraction=0.5), _connect(
        server
    ) as sock:
        sock.sendall(_get("/posts"))
        received = _read_all(sock)
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    assert head.startswith(b"HTTP/1.1 200")
    assert 0 < len(body) < length


def test_a_client_that_gives_up_is_counted_as_499(server: SandboxServer) -> None:
    with server.faults(route="GET /users/*", kind="latency", delay=2), pytest.raises(
        httpx2.ReadTimeout
    ):
        httpx2.get(f"{server.url}/users/1", timeout=0.3)
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline and not server.stats()["routes"]:
        time.sleep(0.02)
    assert server.stats()["routes"] == {"GET /users/{id}": {str(CLIENT_CLOSED): 1}}


def test_a_large_response_arrives_whole(server: SandboxServer) -> None:
    answer = httpx2.get(f"{server.url}/photos")
    assert answer.status_code == 200
    assert len(answer.content) == int(answer.headers["content-length"]) > 500_000
    assert len(answer.json()) == 5000


def test_a_large_request_body_is_read_whole_or_refused(server: SandboxServer) -> None:
    post = {"userId": 1, "title": "t", "body": "x" * 900_000}
    created = httpx2.post(f"{server.url}/posts", json=post, timeout=10)
    assert created.status_code == 201
    assert len(created.json()["body"]) == 900_000
    too_large = httpx2.post(f"{server.url}/posts", json={**post, "body": "x" * 1_200_000},
                            timeout=10)
    assert too_large.status_code == 413


@pytest.mark.parametrize(
    "request_bytes",
    [b"NOT A REQUEST\r\n\r\n", b"GET /posts/1 HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
     b"GET /posts/1 HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n"],
    ids=["request-line", "header-line", "content-length"],
)
def test_a_malformed_request_gets_400(server: SandboxServer, request_bytes: bytes) -> None:
    with _connect(server) as sock:
        sock.sendall(request_bytes)
        received = _read_all(sock)
    assert received.startswith(b"HTTP/1.1 400")
