"""The reqwest backend's own glue (``_transports/_reqwest.py``): the responses it builds
from pyreqwest's equal those httpx2 builds from the same status and headers, and a header
pyreqwest cannot read is a typed error."""

from __future__ import annotations

import http.server
from collections.abc import Iterator

import httpx2
import pytest
from tests._http import serve

import tether

pytest.importorskip("pyreqwest")

from pyreqwest.response import ResponseBuilder

from tether._response import Response
from tether._transports._reqwest import _response, _whole

SINGLE = [("content-type", "application/json"), ("etag", '"1"'), ("content-length", "2")]
MULTI = [("set-cookie", "a=1"), ("x-a", "1"), ("set-cookie", "b=2"), ("vary", "accept")]


def _public(response: httpx2.Response) -> tuple[object, ...]:
    return (
        type(response),
        response.status_code,
        response.headers.raw,
        response.headers.multi_items(),
        response.headers.encoding,
        response.http_version,
        response.extensions,
        response.encoding,
    )


@pytest.mark.parametrize("pairs", [SINGLE, MULTI, []], ids=["single", "multi", "none"])
def test_responses_equal_httpx2s_from_the_same_headers(pairs: list[tuple[str, str]]) -> None:
    rx_response = ResponseBuilder().status(201).headers(pairs).body_bytes(b"{}").build_sync()
    expected = Response(
        201,
        headers=list(rx_response.headers.items()),
        stream=httpx2.ByteStream(b"{}"),
        extensions={"http_version": b"HTTP/1.1"},
    )
    request = httpx2.Request("GET", "http://127.0.0.1/")
    built = _whole(rx_response, b"{}", request)
    assert _public(built) == _public(expected)
    assert built.content == b"{}"
    assert built.headers.get_list("set-cookie") == [v for k, v in pairs if k == "set-cookie"]
    streamed = _response(rx_response, httpx2.ByteStream(b"{}"), request)
    assert _public(streamed) == _public(expected)
    assert streamed.read() == b"{}"


class _NonAscii(http.server.BaseHTTPRequestHandler):
    """Answers with a header whose value is UTF-8 bytes, as some servers send."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        # send_header() would encode the value as Latin-1: queue the raw line instead.
        self._headers_buffer.append("X-Name: café\r\n".encode())  # type: ignore[attr-defined]
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


@pytest.fixture(scope="module")
def non_ascii() -> Iterator[str]:
    with serve(_NonAscii) as url:
        yield url


_UNREADABLE = r"backend='reqwest' cannot read the response header x-name: its value is not ASCII"


def _get(client: tether.Client, url: str, stream: bool) -> None:
    if stream:
        with client.stream("GET", url):
            pass
    else:
        client.get(url)


async def _aget(client: tether.AsyncClient, url: str, stream: bool) -> None:
    if stream:
        async with client.stream("GET", url):
            pass
    else:
        await client.get(url)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_a_header_reqwest_cannot_read_is_a_decoding_error(non_ascii: str, stream: bool) -> None:
    limits = httpx2.Limits(max_connections=1)
    with tether.Client(backend="reqwest", limits=limits, retry=False) as client:
        for _ in range(3):  # the one connection slot comes back each time
            with pytest.raises(httpx2.DecodingError, match=_UNREADABLE):
                _get(client, f"{non_ascii}/x", stream)
    with tether.Client() as client:
        assert client.get(f"{non_ascii}/x").headers["x-name"] == "café"


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
async def test_async_a_header_reqwest_cannot_read_is_a_decoding_error(
    non_ascii: str, stream: bool
) -> None:
    limits = httpx2.Limits(max_connections=1)
    async with tether.AsyncClient(backend="reqwest", limits=limits) as client:
        for _ in range(3):
            with pytest.raises(httpx2.DecodingError, match=_UNREADABLE):
                await _aget(client, f"{non_ascii}/x", stream)
