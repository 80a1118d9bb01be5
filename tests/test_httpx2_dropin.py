"""tether's clients as drop-in replacements of httpx2's, where httpx2's own tests found gaps.

A user transport's context-manager methods reach it through every tether layer, a wrong
``auth`` type is a ``TypeError``, an https upgrade between spellings of one IPv6 host
keeps ``Authorization``, and httpx2's WebSocket transport works under tether's client.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

import httpx2
import pytest
from httpx2.websockets import ASGIWebSocketTransport
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

import tether
from tether._transports._observe import AsyncObservingTransport, ObservingTransport


def _ok(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, json={"ok": True})


class Recording(httpx2.MockTransport):
    """A transport that notes which of its context-manager methods were called."""

    def __init__(self) -> None:
        super().__init__(_ok)
        self.calls: list[str] = []

    def __enter__(self) -> Recording:
        self.calls.append("enter")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        self.calls.append("exit")

    async def __aenter__(self) -> Recording:
        self.calls.append("aenter")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        self.calls.append("aexit")


SYNC_LAYERS: dict[str, Callable[[Any], httpx2.BaseTransport]] = {
    "observing": lambda inner: ObservingTransport(inner),
    "retry": lambda inner: tether.RetryTransport(inner),
    "rate limit": lambda inner: tether.RateLimitTransport(inner),
}
ASYNC_LAYERS: dict[str, Callable[[Any], httpx2.AsyncBaseTransport]] = {
    "observing": lambda inner: AsyncObservingTransport(inner),
    "retry": lambda inner: tether.AsyncRetryTransport(inner),
    "rate limit": lambda inner: tether.AsyncRateLimitTransport(inner),
}


@pytest.mark.parametrize("layer", SYNC_LAYERS)
def test_each_sync_layer_forwards_enter_and_exit(layer: str) -> None:
    inner = Recording()
    with SYNC_LAYERS[layer](inner) as transport:
        assert inner.calls == ["enter"]
        transport.handle_request(httpx2.Request("GET", "http://127.0.0.1/"))
    assert inner.calls == ["enter", "exit"]


@pytest.mark.parametrize("layer", ASYNC_LAYERS)
async def test_each_async_layer_forwards_aenter_and_aexit(layer: str) -> None:
    inner = Recording()
    async with ASYNC_LAYERS[layer](inner) as transport:
        assert inner.calls == ["aenter"]
        await transport.handle_async_request(httpx2.Request("GET", "http://127.0.0.1/"))
    assert inner.calls == ["aenter", "aexit"]


@pytest.mark.parametrize("rate_limit", [None, False, "100/s"])
def test_client_enters_and_exits_its_transport_and_mounts(rate_limit: Any) -> None:
    transport, mounted = Recording(), Recording()
    with tether.Client(
        transport=transport, mounts={"http://other": mounted}, rate_limit=rate_limit
    ) as client:
        assert client.get("http://127.0.0.1/").json() == {"ok": True}
        assert client.get("http://other/").json() == {"ok": True}
    assert transport.calls == ["enter", "exit"]
    assert mounted.calls == ["enter", "exit"]


async def test_async_client_enters_and_exits_its_transport_and_mounts() -> None:
    transport, mounted = Recording(), Recording()
    async with tether.AsyncClient(
        transport=transport, mounts={"http://other": mounted}, rate_limit="100/s"
    ) as client:
        assert (await client.get("http://127.0.0.1/")).json() == {"ok": True}
    assert transport.calls == ["aenter", "aexit"]
    assert mounted.calls == ["aenter", "aexit"]


@pytest.mark.parametrize("auth", [123, "secret-token", ("user",), ("user", 1)])
def test_a_wrong_auth_type_is_a_type_error(auth: Any) -> None:
    with pytest.raises(TypeError) as caught:
        tether.Client(auth=auth)
    assert isinstance(caught.value, tether.ConfigurationError)
    assert "secret-token" not in str(caught.value)
    with tether.Client(transport=httpx2.MockTransport(_ok)) as client:
        with pytest.raises(TypeError):
            client.get("http://127.0.0.1/", auth=auth)
        with pytest.raises(TypeError):
            client.auth = auth


def test_https_upgrade_between_spellings_of_an_ipv6_host_keeps_authorization() -> None:
    seen: list[httpx2.Headers] = []

    def server(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.headers)
        if request.url.scheme == "http":
            return httpx2.Response(301, headers={"Location": "https://[0:0:0:0:0:0:0:1]/"})
        return httpx2.Response(200)

    with tether.Client(transport=httpx2.MockTransport(server), follow_redirects=True) as c:
        response = c.get("http://[::1]/", headers={"Authorization": "Bearer abc"})
    assert response.url == "https://[0:0:0:0:0:0:0:1]/"
    assert [headers.get("Authorization") for headers in seen] == ["Bearer abc", "Bearer abc"]


def test_a_redirect_to_another_ipv6_host_drops_authorization() -> None:
    seen: list[httpx2.Headers] = []

    def server(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.headers)
        if request.url.scheme == "http":
            return httpx2.Response(301, headers={"Location": "https://[::2]/"})
        return httpx2.Response(200)

    with tether.Client(transport=httpx2.MockTransport(server), follow_redirects=True) as c:
        c.get("http://[::1]/", headers={"Authorization": "Bearer abc", "X-API-Key": "k"})
    assert seen[1].get("Authorization") is None
    assert seen[1].get("X-API-Key") is None


async def _echo(websocket: WebSocket) -> None:
    await websocket.accept()
    text = await websocket.receive_text()
    await websocket.send_text(f"echo: {text}")
    await websocket.close()


async def test_httpx2_websocket_transport_works_under_the_async_client() -> None:
    app = Starlette(routes=[WebSocketRoute("/ws", _echo)])
    async with (
        tether.AsyncClient(base_url="http://testserver", transport=ASGIWebSocketTransport(app))
        as client,
        client.websocket("http://testserver/ws") as session,
    ):
        await session.send_text("hello")
        assert await session.receive_text() == "echo: hello"
