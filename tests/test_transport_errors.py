"""Transport errors name the request and, for the common mistakes, say what to check."""

from __future__ import annotations

import socket

import httpx2
import pytest

import tether
from tether.sandbox import SandboxServer


def _closed_port() -> int:
    # An ephemeral port that was just free: nothing listens on it.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_connection_refused_names_the_request_and_what_to_check() -> None:
    port = _closed_port()
    with (
        tether.Client(base_url=f"http://127.0.0.1:{port}", retry=False) as client,
        pytest.raises(httpx2.ConnectError) as caught,
    ):
        client.get("/posts", params={"api_key": "s3cret"})
    message = str(caught.value)
    assert f"(GET http://127.0.0.1:{port}/posts?api_key=[REDACTED])" in message
    assert f"nothing is listening on 127.0.0.1:{port}" in message
    assert "check the host and port, and that the server is running" in message
    assert "s3cret" not in message


async def test_connection_refused_reads_the_same_from_the_async_client() -> None:
    port = _closed_port()
    async with tether.AsyncClient(retry=False) as client:
        with pytest.raises(httpx2.ConnectError, match=f"nothing is listening on 127.0.0.1:{port}"):
            await client.post(f"http://127.0.0.1:{port}/posts", json={})


def test_an_unresolvable_host_says_to_check_the_name() -> None:
    # A real lookup would leave the machine; the resolver's own error is raised here instead.
    def fail(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("[Errno -2] Name or service not known", request=request)

    with (
        tether.Client(transport=httpx2.MockTransport(fail), retry=False) as client,
        pytest.raises(httpx2.ConnectError) as caught,
    ):
        client.get("http://api.exmaple.test/users")
    assert str(caught.value) == (
        "[Errno -2] Name or service not known (GET http://api.exmaple.test/users); the host "
        "name 'api.exmaple.test' could not be resolved; check its spelling (and the base_url), "
        "your network and your DNS or proxy settings"
    )


def test_other_transport_errors_name_the_request_and_keep_their_class() -> None:
    def fail(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out", request=request)

    with (
        tether.Client(transport=httpx2.MockTransport(fail), retry=False) as client,
        pytest.raises(httpx2.ReadTimeout) as caught,
    ):
        client.delete("http://127.0.0.1:9/posts/1")
    assert str(caught.value) == "timed out (DELETE http://127.0.0.1:9/posts/1)"


@pytest.mark.parametrize("url", ["/posts/1", "posts/1", "http://"])
def test_a_path_without_base_url_says_to_set_base_url(url: str) -> None:
    with tether.Client() as client, pytest.raises(httpx2.UnsupportedProtocol) as caught:
        client.get(url)
    assert "set base_url on the client" in str(caught.value)
    assert "tether.Client(base_url='https://api.example.com')" in str(caught.value)


def test_a_path_with_base_url_still_works(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        assert client.get("/posts/1").json()["id"] == 1
