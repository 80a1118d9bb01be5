"""The reqwest backend's own glue (``_transports/_reqwest.py``): the responses it builds
from pyreqwest's equal those httpx2 builds from the same status and headers."""

from __future__ import annotations

import httpx2
import pytest

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
    built = _whole(rx_response, b"{}")
    assert _public(built) == _public(expected)
    assert built.content == b"{}"
    assert built.headers.get_list("set-cookie") == [v for k, v in pairs if k == "set-cookie"]
    streamed = _response(rx_response, httpx2.ByteStream(b"{}"))
    assert _public(streamed) == _public(expected)
    assert streamed.read() == b"{}"
