"""Each fault kind, observed from the client side with plain httpx2 against a live sandbox."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import httpx2
import pytest

from tether.sandbox import SandboxServer

TIMEOUT = httpx2.Timeout(10.0)


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url, timeout=TIMEOUT) as client:
        yield client


def _elapsed(client: httpx2.Client, path: str) -> float:
    started = time.perf_counter()
    client.get(path).raise_for_status()
    return time.perf_counter() - started


def test_status_fault_answers_instead_of_the_handler(
    sandbox: SandboxServer, client: httpx2.Client
) -> None:
    sandbox.set_faults(route="POST /posts", kind="status", status=503, retry_after=2)
    response = client.post("/posts", json={"userId": 1, "title": "t", "body": "b"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["error"] == "Service Unavailable"
    # Not processed: the next post still gets id 101.
    sandbox.set_faults()
    created = client.post("/posts", json={"userId": 1, "title": "t", "body": "b"})
    assert created.json()["id"] == 101


@pytest.mark.parametrize("status", [204, 304])
def test_status_fault_without_a_body_keeps_the_connection_usable(
    sandbox: SandboxServer, client: httpx2.Client, status: int
) -> None:
    # These statuses carry no body; one with a Content-Length broke HTTP framing.
    sandbox.set_faults(route="GET /todos/1", kind="status", status=status, times=1)
    response = client.get("/todos/1")
    assert response.status_code == status
    assert response.content == b""
    assert "content-length" not in response.headers
    assert client.get("/todos/1").json()["id"] == 1  # same connection, next answer intact


def test_status_fault_with_http_date_and_after_handler(
    sandbox: SandboxServer, client: httpx2.Client
) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    sandbox.set_faults(route="POST /todos", kind="status", status=502, retry_after=when, after=True)
    response = client.post("/todos", json={"userId": 1, "title": "x", "completed": False})
    assert response.status_code == 502
    assert parsedate_to_datetime(response.headers["retry-after"]) > datetime.now(UTC)
    # The handler ran before the failure was sent: the write is there.
    sandbox.set_faults()
    assert client.get("/todos/201").status_code == 200


def test_latency_fixed_and_range(sandbox: SandboxServer, client: httpx2.Client) -> None:
    baseline = min(_elapsed(client, "/posts/1") for _ in range(3))
    sandbox.set_faults(route="GET /posts/*", kind="latency", delay="400ms")
    fixed = _elapsed(client, "/posts/1")
    assert 0.4 <= fixed - baseline + 0.02 < 0.4 + 1.5
    sandbox.set_faults(route="GET /posts/*", kind="latency", delay="100..300ms", seed=3)
    measured = [_elapsed(client, "/posts/1") for _ in range(4)]
    assert all(0.1 <= m <= 0.3 + 1.5 for m in measured)
    # Unmatched routes are not delayed.
    assert _elapsed(client, "/users/1") < 0.1 + 1.5


@pytest.mark.parametrize("after", [False, True])
def test_reset_drops_the_connection_without_a_response(
    sandbox: SandboxServer, client: httpx2.Client, after: bool
) -> None:
    sandbox.set_faults(route="POST /posts", kind="reset", after=after, times=1)
    with pytest.raises((httpx2.RemoteProtocolError, httpx2.ReadError, httpx2.WriteError)):
        client.post("/posts", json={"userId": 1, "title": "lost", "body": "b"})
    stats = sandbox.stats()
    assert stats["routes"]["POST /posts"] == {"0": 1}
    assert stats["faults"] == {"reset": 1}
    # The connection pool recovers; with after=True the write happened, else it did not.
    titles = [post["title"] for post in client.get("/posts", params={"title": "lost"}).json()]
    assert titles == (["lost"] if after else [])


def test_reset_after_handler_lets_an_idempotent_retry_create_one_record(
    sandbox: SandboxServer, client: httpx2.Client
) -> None:
    sandbox.set_faults(route="POST /posts", kind="reset", after=True, times=1)
    body = {"userId": 2, "title": "exactly once", "body": "b"}
    headers = {"Idempotency-Key": "drill-1"}
    with pytest.raises(httpx2.TransportError):
        client.post("/posts", json=body, headers=headers)
    retried = client.post("/posts", json=body, headers=headers)
    assert retried.status_code in (200, 201)
    found = client.get("/posts", params={"title": "exactly once"}).json()
    assert [post["id"] for post in found] == [retried.json()["id"]]


def _read_into(response: httpx2.Response, received: bytearray) -> None:
    for chunk in response.iter_raw():
        received += chunk


def test_truncate_sends_part_of_the_body_then_closes(
    sandbox: SandboxServer, client: httpx2.Client
) -> None:
    sandbox.set_faults(route="GET /comments", kind="truncate", fraction=0.3)
    with client.stream("GET", "/comments") as response:
        assert response.status_code == 200
        declared = int(response.headers["content-length"])
        received = bytearray()
        with pytest.raises(httpx2.RemoteProtocolError):
            _read_into(response, received)
    assert 0 < len(received) < declared
    assert sandbox.stats()["faults"] == {"truncate": 1}


def test_malformed_is_a_200_that_does_not_parse(
    sandbox: SandboxServer, client: httpx2.Client
) -> None:
    sandbox.set_faults(route="GET /users/*", kind="malformed")
    response = client.get("/users/1")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_drip_sends_the_body_slowly(sandbox: SandboxServer, client: httpx2.Client) -> None:
    expected = client.get("/posts/1").content
    sandbox.set_faults(route="GET /posts/1", kind="drip", duration="1s", chunks=5)
    arrivals: list[float] = []
    body = bytearray()
    with client.stream("GET", "/posts/1") as response:
        headers_at = time.perf_counter()
        for chunk in response.iter_raw():
            arrivals.append(time.perf_counter() - headers_at)
            body += chunk
    assert bytes(body) == expected
    assert len(arrivals) >= 3
    assert arrivals[-1] >= 0.7
    assert arrivals[-1] - arrivals[0] >= 0.5


def test_admin_routes_are_never_faulted(sandbox: SandboxServer, client: httpx2.Client) -> None:
    sandbox.set_faults(kind="reset")
    assert client.get("/_sandbox/health").status_code == 200
    assert client.get("/_sandbox/faults").json()["rules"][0]["kind"] == "reset"
    with pytest.raises(httpx2.TransportError):
        client.get("/posts/1")


def _statuses(client: httpx2.Client, count: int) -> list[int | str]:
    outcomes: list[int | str] = []
    for i in range(count):
        try:
            outcomes.append(client.get(f"/posts/{i % 100 + 1}").status_code)
        except httpx2.TransportError as exc:
            outcomes.append(type(exc).__name__)
    return outcomes


def test_same_seed_same_requests_same_faults(
    sandbox: SandboxServer, client: httpx2.Client
) -> None:
    rules = [
        {"route": "GET /posts/*", "probability": 0.3, "kind": "status", "status": 503},
        {"route": "GET /posts/*", "probability": 0.1, "kind": "reset"},
    ]
    sandbox.set_faults(*rules, seed=11)
    first = _statuses(client, 60)
    sandbox.set_faults(*rules, seed=11)
    second = _statuses(client, 60)
    sandbox.set_faults(*rules, seed=12)
    other = _statuses(client, 60)
    assert first == second
    assert first != other
    assert 5 <= first.count(503) <= 35


def test_faults_switch_on_and_off_over_http(sandbox: SandboxServer, client: httpx2.Client) -> None:
    outage = {"seed": 5, "rules": [{"route": "GET /todos*", "kind": "status", "status": 500}]}
    assert client.put("/_sandbox/faults", json=outage).status_code == 200
    assert client.get("/todos/1").status_code == 500
    assert client.get("/_sandbox/faults").json()["seed"] == 5
    assert client.put("/_sandbox/faults", json=[]).json()["rules"] == []
    assert client.get("/todos/1").status_code == 200
    bad = client.put("/_sandbox/faults", json=[{"kind": "status", "status": 9}])
    assert bad.status_code == 422
    assert "status must be an integer from 200 to 599" in bad.json()["message"]
    assert client.put("/_sandbox/faults", content=b"{").status_code == 400
    empty = client.put("/_sandbox/faults", content=b"")
    assert empty.status_code == 422
    assert "the body is empty" in empty.json()["message"]
    assert "NoneType" not in empty.json()["message"]


def test_context_manager_restores_and_reset_returns_to_configured(
    sandbox: SandboxServer, client: httpx2.Client
) -> None:
    configured = client.get("/_sandbox/faults").json()["configured"]
    with sandbox.faults(route="GET /albums*", kind="status", status=504):
        assert client.get("/albums/1").status_code == 504
        with sandbox.faults(route="GET /albums*", kind="status", status=429):
            assert client.get("/albums/1").status_code == 429
        assert client.get("/albums/1").status_code == 504
    assert client.get("/albums/1").status_code == 200
    sandbox.set_faults(kind="reset")
    sandbox.reset()
    assert client.get("/_sandbox/faults").json()["rules"] == configured
    assert sandbox.stats()["faults"] == {}


def test_stats_count_faults_by_kind(sandbox: SandboxServer, client: httpx2.Client) -> None:
    sandbox.set_faults(
        {"route": "GET /posts/1", "kind": "latency", "delay": "1ms"},
        {"route": "GET /posts/1", "kind": "status", "status": 503, "times": 2},
    )
    statuses = [client.get("/posts/1").status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    stats = client.get("/_sandbox/stats").json()
    assert stats["faults"] == {"latency": 3, "status": 2}
    assert stats["routes"]["GET /posts/{id}"] == {"200": 1, "503": 2}
