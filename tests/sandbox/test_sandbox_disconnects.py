"""A request whose client gives up is counted the moment it leaves, as 499."""

from __future__ import annotations

import time

import httpx2
import pytest

from tether.sandbox._stats import CLIENT_CLOSED


def test_a_client_that_times_out_is_counted_as_499_at_once(sandbox) -> None:
    with sandbox.faults(route="GET /posts/*", kind="latency", delay=3):
        started = time.monotonic()
        with pytest.raises(httpx2.ReadTimeout):
            httpx2.get(f"{sandbox.url}/posts/1", timeout=0.3)
        # Read straight after giving up, long before the 3 s delay would have ended.
        routes = httpx2.get(f"{sandbox.url}/_sandbox/stats").json()["routes"]
        assert time.monotonic() - started < 2
    assert routes == {"GET /posts/{id}": {str(CLIENT_CLOSED): 1}}


def test_the_late_answer_is_not_counted_again(sandbox) -> None:
    with sandbox.faults(route="GET /posts/*", kind="latency", delay=0.6):
        with pytest.raises(httpx2.ReadTimeout):
            httpx2.get(f"{sandbox.url}/posts/1", timeout=0.2)
        time.sleep(0.8)  # the handler has answered nobody by now
    assert httpx2.get(f"{sandbox.url}/posts/2").status_code == 200
    routes = sandbox.stats()["routes"]
    assert routes == {"GET /posts/{id}": {"200": 1, str(CLIENT_CLOSED): 1}}


def test_answered_requests_on_a_kept_alive_connection_stay_200(sandbox) -> None:
    with httpx2.Client(base_url=sandbox.url) as client:
        for item in (1, 2, 3):
            assert client.get(f"/posts/{item}").status_code == 200
    # The connection closes after the requests: that is not a client giving up.
    time.sleep(0.1)
    assert sandbox.stats()["routes"] == {"GET /posts/{id}": {"200": 3}}


def test_reset_faults_stay_no_response_not_499(sandbox) -> None:
    with sandbox.faults(route="GET /posts/*", kind="reset"), pytest.raises(
        httpx2.TransportError
    ):
        httpx2.get(f"{sandbox.url}/posts/1")
    time.sleep(0.1)
    assert sandbox.stats()["routes"] == {"GET /posts/{id}": {"0": 1}}
