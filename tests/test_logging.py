"""The observing transport on its own: one DEBUG line and one event per call."""

from __future__ import annotations

import logging

import httpx2
import pytest

import tether
from tether._retry import Attempt
from tether._transports._base import ATTEMPTS_EXTENSION
from tether._transports._observe import AsyncObservingTransport, ObservingTransport


def _attempt(number: int) -> Attempt:
    return Attempt(number, 503 if number == 1 else 200, None, 0.0, 0.01, None)


def _handler(request: httpx2.Request) -> httpx2.Response:
    if request.url.path == "/boom":
        raise httpx2.ConnectError("refused, token=abc123", request=request)
    history = (_attempt(1), _attempt(2)) if request.url.path == "/retried" else None
    extensions = {ATTEMPTS_EXTENSION: history} if history else None
    return httpx2.Response(200, text="ok", extensions=extensions)


def test_events_and_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    events: list[tether.Event] = []
    transport = ObservingTransport(httpx2.MockTransport(_handler), [events.append])
    with caplog.at_level(logging.DEBUG, logger="tether"), httpx2.Client(transport=transport) as c:
        response = c.get("http://api.test/plain?api_key=k1")
        c.get("http://api.test/retried")
        with pytest.raises(httpx2.ConnectError):
            c.get("http://api.test/boom")
    assert isinstance(response, tether.Response)
    finished = [e for e in events if isinstance(e, tether.RequestFinished)]
    assert [(e.url, e.status, e.attempt) for e in finished] == [
        ("http://api.test/plain?api_key=[REDACTED]", 200, 1),
        ("http://api.test/retried", 200, 2),
        ("http://api.test/boom", None, 1),
    ]
    assert finished[2].error == "ConnectError: refused, token=[REDACTED]"
    lines = [r.getMessage() for r in caplog.records if r.name == "tether"]
    assert lines[1].endswith("(attempt 2)")
    assert lines[2].startswith(
        "GET http://api.test/boom -> ConnectError: refused, token=[REDACTED]"
    )


def test_no_events_when_a_lower_layer_reports_attempts() -> None:
    events: list[tether.Event] = []
    transport = ObservingTransport(
        httpx2.MockTransport(_handler), [events.append], emit_finished=False
    )
    with httpx2.Client(transport=transport) as client:
        client.get("http://api.test/plain")
    assert events == []


async def test_async_twin() -> None:
    events: list[tether.Event] = []
    transport = AsyncObservingTransport(httpx2.MockTransport(_handler), [events.append])
    async with httpx2.AsyncClient(transport=transport) as client:
        response = await client.get("http://api.test/retried")
    assert isinstance(response, tether.Response)
    assert [e.attempt for e in events if isinstance(e, tether.RequestFinished)] == [2]


def test_httpx2_info_line_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    transport = httpx2.MockTransport(_handler)
    with caplog.at_level(logging.INFO, logger="httpx2"), httpx2.Client(transport=transport) as c:
        c.get("http://api.test/plain", params={"access_token": "tok-9"})
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx2"]
    assert lines
    assert all("tok-9" not in line for line in lines)
    assert "access_token=[REDACTED]" in lines[0]


def test_transport_debug_lines_hide_credential_headers(caplog: pytest.LogCaptureFixture) -> None:
    # httpcore2 logs raw response header lists at DEBUG; a session cookie must not show.
    caplog.set_level(logging.DEBUG, logger="httpcore2")
    logging.getLogger("httpcore2.http11").debug(
        "receive_response_headers.complete return_value=(b'HTTP/1.1', 200, b'OK', "
        "[(b'Set-Cookie', b'session=s3cr3t; Path=/'), (b'x-request-id', b'r-1')])"
    )
    (line,) = [r.getMessage() for r in caplog.records if r.name == "httpcore2.http11"]
    assert "s3cr3t" not in line
    assert "(b'Set-Cookie', b'[REDACTED]')" in line
    assert "(b'x-request-id', b'r-1')" in line
