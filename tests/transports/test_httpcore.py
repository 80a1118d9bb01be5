"""The default backend's transports (``_httpcore.py``) over real servers on 127.0.0.1: where
they are used, how they share connections under load, time out, cancel and recover."""

from __future__ import annotations

import asyncio
import http.server
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import httpcore2
import httpx2
import pytest
from tests._http import serve

import tether
from tether._transports._backend import backend_transport
from tether._transports._httpcore import AsyncPooledTransport, PooledTransport, httpx2_error
from tether._transports._pool import ConnectionBook
from tether.sandbox import SandboxServer


class _Ports(http.server.BaseHTTPRequestHandler):
    """Answers with the client's port, so a test can count the connections it used."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = str(self.client_address[1]).encode()
        if self.path == "/slow":
            time.sleep(0.01)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        # Keep-alive by the headers, yet closed at once: as a server ending idle
        # connections does.
        self.close_connection = self.path == "/then-close"


@pytest.fixture(scope="module")
def ports() -> Iterator[str]:
    with serve(_Ports) as url:
        yield url


def _book(client: tether.Client | tether.AsyncClient) -> ConnectionBook[Any]:
    transport = client._base_transport
    assert isinstance(transport, PooledTransport | AsyncPooledTransport)
    return transport._book


def _chosen(asynchronous: bool, **kwargs: object) -> object:
    arguments: dict[str, object] = {
        "transport": None,
        "verify": True,
        "cert": None,
        "trust_env": False,
        "http1": True,
        "http2": False,
        "proxy": None,
        "limits": httpx2.Limits(),
        "timeout": httpx2.Timeout(5.0),
    }
    arguments.update(kwargs)
    return backend_transport("httpx2", asynchronous=asynchronous, **arguments)  # type: ignore[arg-type]


def test_the_default_backend_uses_tethers_pool() -> None:
    assert isinstance(_chosen(False), PooledTransport)
    assert isinstance(_chosen(True), AsyncPooledTransport)
    with tether.Client() as client:
        assert isinstance(client._base_transport, PooledTransport)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"http2": True},
        {"http1": False, "http2": True},
        {"proxy": "http://127.0.0.1:9"},
        {"transport": httpx2.MockTransport(print)},
    ],
    ids=["http2", "http2-only", "proxy", "transport"],
)
def test_http2_proxies_and_own_transports_keep_httpx2s(kwargs: dict[str, object]) -> None:
    assert _chosen(True, **kwargs) is None


class _Proxy(http.server.BaseHTTPRequestHandler):
    """A forward proxy that answers itself (nothing leaves the machine), and says whether
    a request reached it as a proxy or directly."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        proxied = self.path.startswith("http://")
        body = (f"proxied {self.path}" if proxied else "direct").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def env_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """HTTP_PROXY names a local proxy; NO_PROXY leaves 127.0.0.1 out. Yields its URL."""
    for name in ("HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    with serve(_Proxy) as url:
        for name in ("HTTP_PROXY", "http_proxy"):
            monkeypatch.setenv(name, url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.setenv(name, "127.0.0.1")
        yield url


_PROXIED = "http://tether-proxy-check.invalid/x"


def test_proxies_from_the_environment_are_mounted_beside_the_pool(env_proxy: str) -> None:
    with tether.Client(retry=False) as client:
        assert isinstance(client._base_transport, PooledTransport)
        assert client.get(_PROXIED).text == f"proxied {_PROXIED}"
        # NO_PROXY's host goes straight to the server, through the pool.
        assert client.get(f"{env_proxy}/x").text == "direct"
        assert _book(client).open == 1
        copy = client.with_options(retry=True)
        assert copy.get(_PROXIED).text == f"proxied {_PROXIED}"
        assert copy.get(f"{env_proxy}/x").text == "direct"


async def test_async_proxies_from_the_environment_are_mounted_beside_the_pool(
    env_proxy: str,
) -> None:
    async with tether.AsyncClient(retry=False) as client:
        assert isinstance(client._base_transport, AsyncPooledTransport)
        assert (await client.get(_PROXIED)).text == f"proxied {_PROXIED}"
        assert (await client.get(f"{env_proxy}/x")).text == "direct"
        assert _book(client).open == 1


def test_without_trust_env_no_proxy_is_mounted(env_proxy: str) -> None:
    with tether.Client(trust_env=False, retry=False) as client:
        assert isinstance(client._base_transport, PooledTransport)
        assert not client._mounts
        assert client.get(f"{env_proxy}/x").text == "direct"
    with tether.Client(proxy=env_proxy, retry=False) as client:
        # One proxy for every request: httpx2's own transport.
        assert not isinstance(client._base_transport, PooledTransport)
        assert client.get(f"{env_proxy}/x").text == "proxied " + f"{env_proxy}/x"


async def test_many_requests_over_few_connections(ports: str) -> None:
    limits = httpx2.Limits(max_connections=8)
    async with tether.AsyncClient(base_url=ports, limits=limits, retry=False) as client:
        answers = await _gather([client.get("/slow") for _ in range(200)])
        book = _book(client)
        assert book.open <= 8
        assert book.waiting == 0
    assert all(answer.status_code == 200 for answer in answers)
    assert len({answer.text for answer in answers}) <= 8


def test_sixteen_threads_share_one_sync_client(ports: str) -> None:
    limits = httpx2.Limits(max_connections=8)
    with tether.Client(base_url=ports, limits=limits, retry=False) as client:

        def twelve() -> list[str]:
            return [client.get("/slow").text for _ in range(12)]

        with ThreadPoolExecutor(16) as threads:
            seen = [port for batch in threads.map(lambda _: twelve(), range(16)) for port in batch]
        book = _book(client)
        assert (book.waiting, book.in_use) == (0, frozenset())
    assert len(seen) == 192
    assert len(set(seen)) <= 8


def test_sync_pool_timeout_then_the_pool_still_works(sandbox: SandboxServer) -> None:
    limits = httpx2.Limits(max_connections=1)
    timeout = httpx2.Timeout(5.0, pool=0.3)
    with tether.Client(base_url=sandbox.url, limits=limits, timeout=timeout, retry=False) as client:
        with (
            sandbox.faults(route="GET /posts/1", kind="drip", duration=1.0, chunks=4),
            client.stream("GET", "/posts/1"),
            pytest.raises(httpx2.PoolTimeout) as caught,
        ):
            client.get("/posts/2")
        assert caught.value.request.url.path == "/posts/2"
        assert client.get("/posts/2").status_code == 200
        assert _book(client).waiting == 0


async def test_a_cancelled_waiter_leaves_no_trace(sandbox: SandboxServer) -> None:
    limits = httpx2.Limits(max_connections=1)
    timeout = httpx2.Timeout(5.0, pool=2.0)
    async with tether.AsyncClient(
        base_url=sandbox.url, limits=limits, timeout=timeout, retry=False
    ) as client:
        with sandbox.faults(route="GET /posts/1", kind="drip", duration=0.6, chunks=3):
            async with client.stream("GET", "/posts/1"):
                with anyio.move_on_after(0.1) as scope:
                    await client.get("/posts/2")
                assert scope.cancelled_caught
                assert _book(client).waiting == 0
        # The one slot is free again: no wait for it.
        assert (await client.get("/posts/2")).status_code == 200
        assert _book(client).open == 1


async def test_a_request_cancelled_in_flight_frees_its_connection(sandbox: SandboxServer) -> None:
    limits = httpx2.Limits(max_connections=1)
    timeout = httpx2.Timeout(5.0, pool=1.0)
    async with tether.AsyncClient(
        base_url=sandbox.url, limits=limits, timeout=timeout, retry=False
    ) as client:
        with sandbox.faults(route="GET /posts/1", kind="latency", delay=1.0):
            with anyio.move_on_after(0.2) as scope:
                await client.get("/posts/1")
            assert scope.cancelled_caught
        book = _book(client)
        assert (book.open, book.in_use) == (0, frozenset())
        assert (await client.get("/posts/2")).status_code == 200


async def test_cancelled_tasks_free_their_slot_and_their_grant(sandbox: SandboxServer) -> None:
    limits = httpx2.Limits(max_connections=1)
    timeout = httpx2.Timeout(5.0, pool=1.0)
    async with tether.AsyncClient(
        base_url=sandbox.url, limits=limits, timeout=timeout, retry=False
    ) as client:
        with sandbox.faults(route="GET /posts/1", kind="latency", delay=1.0):
            sending = asyncio.ensure_future(client.get("/posts/1"))
            queued = asyncio.ensure_future(client.get("/posts/1"))
            await asyncio.sleep(0.2)
            # The first gives its slot to the second, which is cancelled before it runs.
            sending.cancel()
            queued.cancel()
            outcomes = await asyncio.gather(sending, queued, return_exceptions=True)
        assert all(isinstance(outcome, asyncio.CancelledError) for outcome in outcomes)
        book = _book(client)
        assert (book.open, book.waiting, book.in_use) == (0, 0, frozenset())
        assert (await client.get("/posts/2")).status_code == 200


async def test_a_connection_the_server_closed_is_replaced(ports: str) -> None:
    async with tether.AsyncClient(base_url=ports, retry=False) as client:
        seen = []
        for _ in range(3):
            seen.append((await client.get("/then-close")).text)
            await anyio.sleep(0.2)  # the server's close arrives meanwhile
        assert _book(client).open <= 1
    assert len(set(seen)) == 3


def test_a_connection_the_server_closed_is_replaced_sync(ports: str) -> None:
    with tether.Client(base_url=ports, retry=False) as client:
        seen = []
        for _ in range(3):
            seen.append(client.get("/then-close").text)
            time.sleep(0.2)
        assert _book(client).open <= 1
    assert len(set(seen)) == 3


async def test_an_expired_keepalive_connection_is_replaced(ports: str) -> None:
    limits = httpx2.Limits(keepalive_expiry=0.1)
    async with tether.AsyncClient(base_url=ports, limits=limits, retry=False) as client:
        first = (await client.get("/port")).text
        assert (await client.get("/port")).text == first
        await anyio.sleep(0.3)
        assert (await client.get("/port")).text != first
        assert _book(client).open == 1


def test_the_async_pool_runs_under_trio(sandbox: SandboxServer) -> None:
    import trio

    limits = httpx2.Limits(max_connections=2)
    timeout = httpx2.Timeout(5.0, pool=0.3)

    async def main() -> None:
        async with tether.AsyncClient(
            base_url=sandbox.url, limits=limits, timeout=timeout, retry=False
        ) as client:
            statuses: list[int] = []

            async def one(number: int) -> None:
                statuses.append((await client.get(f"/posts/{number}")).status_code)

            async with trio.open_nursery() as nursery:
                for number in range(1, 21):
                    nursery.start_soon(one, number)
            assert statuses == [200] * 20
            with sandbox.faults(route="GET /posts/1", kind="drip", duration=0.8, chunks=4):
                async with client.stream("GET", "/posts/1"), client.stream("GET", "/posts/1"):
                    with pytest.raises(httpx2.PoolTimeout):
                        await client.get("/posts/2")
                    with trio.move_on_after(0.1):
                        await client.get("/posts/2")
            assert (await client.get("/posts/2")).status_code == 200
            book = _book(client)
            # The unread streams closed their connections; one new one served the last call.
            assert (book.open, book.waiting, book.in_use) == (1, 0, frozenset())

    trio.run(main)


def test_an_unsupported_scheme_is_refused_by_name() -> None:
    transport = PooledTransport(limits=httpx2.Limits())
    request = httpx2.Request("GET", "ftp://127.0.0.1/file")
    with pytest.raises(
        httpx2.UnsupportedProtocol, match=r"unsupported protocol 'ftp://'"
    ) as caught:
        transport.handle_request(request)
    assert caught.value.request is request


@pytest.mark.parametrize(
    ("core", "expected"),
    [
        (httpcore2.ConnectTimeout, httpx2.ConnectTimeout),
        (httpcore2.ReadTimeout, httpx2.ReadTimeout),
        (httpcore2.WriteTimeout, httpx2.WriteTimeout),
        (httpcore2.PoolTimeout, httpx2.PoolTimeout),
        (httpcore2.TimeoutException, httpx2.TimeoutException),
        (httpcore2.ConnectError, httpx2.ConnectError),
        (httpcore2.ReadError, httpx2.ReadError),
        (httpcore2.WriteError, httpx2.WriteError),
        (httpcore2.NetworkError, httpx2.NetworkError),
        (httpcore2.RemoteProtocolError, httpx2.RemoteProtocolError),
        (httpcore2.LocalProtocolError, httpx2.LocalProtocolError),
        (httpcore2.ProtocolError, httpx2.ProtocolError),
        (httpcore2.ProxyError, httpx2.ProxyError),
        (httpcore2.UnsupportedProtocol, httpx2.UnsupportedProtocol),
    ],
)
def test_httpcore_errors_become_httpx2s_for_the_same_phase(
    core: type[Exception], expected: type[Exception]
) -> None:
    request = httpx2.Request("GET", "http://127.0.0.1/")
    mapped = httpx2_error(core("what happened"), request)
    assert type(mapped) is expected
    assert str(mapped) == "what happened"
    assert mapped.request is request


def test_other_errors_are_not_mapped() -> None:
    assert httpx2_error(ValueError("x"), httpx2.Request("GET", "http://127.0.0.1/")) is None


async def _gather(calls: list[object]) -> list[httpx2.Response]:
    answers: list[httpx2.Response] = []

    async def one(call: object) -> None:
        answers.append(await call)  # type: ignore[misc]

    async with anyio.create_task_group() as group:
        for call in calls:
            group.start_soon(one, call)
    return answers
