"""Server-side rate limits observed with plain httpx2 against a live sandbox."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Iterator

import httpx2
import pytest

from tether.sandbox import SandboxServer

TIMEOUT = httpx2.Timeout(10.0)


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url, timeout=TIMEOUT) as client:
        yield client


def _fresh_window(period: int, need: float) -> None:
    """Sleep into the next window when fewer than ``need`` seconds are left of this one."""
    left = period - time.time() % period
    if left < need:
        time.sleep(left + 0.02)


async def test_burst_of_200_gets_exactly_50_per_window_then_429s(
    sandbox: SandboxServer,
) -> None:
    sandbox.set_limits("50/s")
    headers = {"X-API-Key": "burst"}
    limits = httpx2.Limits(max_connections=50)
    async with httpx2.AsyncClient(
        base_url=sandbox.url, timeout=TIMEOUT, limits=limits, headers=headers
    ) as client:
        await client.get("/_sandbox/health")  # not limited: just opens a connection
        # Start right after a window boundary so the first window sees the head of the burst.
        await asyncio.sleep(1 - time.time() % 1 + 0.01)
        responses = await asyncio.gather(*(client.get("/todos/1") for _ in range(200)))
        by_window: dict[int, Counter[int]] = defaultdict(Counter)
        for response in responses:
            by_window[int(response.headers["x-ratelimit-reset"])][response.status_code] += 1
        first = by_window[min(by_window)]
        assert sum(first.values()) >= 50, f"the burst was too slow to test: {dict(by_window)}"
        assert first[200] == 50
        for window, counts in by_window.items():
            assert counts[200] == min(50, sum(counts.values())), (window, counts)
            assert set(counts) <= {200, 429}
        refused = [r for r in responses if r.status_code == 429]
        assert refused
        for response in refused:
            assert response.headers["retry-after"] == "1"
            assert response.headers["x-ratelimit-remaining"] == "0"
            assert response.headers["ratelimit"] == '"50/s";r=0;t=1'
            assert response.json()["error"] == "Too Many Requests"
        assert sandbox.stats()["rate_limited"] == len(refused)
        # Waiting Retry-After seconds really is enough.
        await asyncio.sleep(int(refused[-1].headers["retry-after"]))
        assert (await client.get("/todos/1")).status_code == 200


def test_keys_are_counted_apart(sandbox: SandboxServer, client: httpx2.Client) -> None:
    sandbox.set_limits("4/10s")
    callers = {
        "key a": {"X-API-Key": "a"},
        "key b": {"X-API-Key": "b"},
        "bearer": {"Authorization": "Bearer some-token"},
        "address": {},
    }
    _fresh_window(10, need=3)
    outcomes = {
        name: [client.get("/users/1", headers=headers).status_code for _ in range(5)]
        for name, headers in callers.items()
    }
    assert outcomes == {name: [200, 200, 200, 200, 429] for name in callers}


def test_headers_agree_with_what_happens_next(
    sandbox: SandboxServer, client: httpx2.Client
) -> None:
    sandbox.set_limits("5/2s")
    _fresh_window(2, need=1.2)
    seen = [client.get("/posts/1") for _ in range(6)]
    reset = int(seen[0].headers["x-ratelimit-reset"])
    assert reset % 2 == 0
    for used, response in enumerate(seen[:5], start=1):
        assert response.status_code == 200
        assert response.headers["x-ratelimit-limit"] == "5"
        assert response.headers["x-ratelimit-used"] == str(used)
        assert response.headers["x-ratelimit-remaining"] == str(5 - used)
        assert response.headers["x-ratelimit-reset"] == str(reset)
        assert response.headers["ratelimit-policy"] == '"5/2s";q=5;w=2'
        t = int(response.headers["ratelimit"].rpartition("t=")[2])
        assert response.headers["ratelimit"] == f'"5/2s";r={5 - used};t={t}'
        assert 1 <= t <= 2
    # Remaining hit 0, so the next one is refused, and Retry-After points at the reset.
    refused = seen[5]
    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    assert reset - time.time() <= retry_after <= reset - time.time() + 1.5
    time.sleep(max(0.0, reset - time.time()) + 0.02)
    after = client.get("/posts/1")
    assert after.status_code == 200
    assert after.headers["x-ratelimit-remaining"] == "4"
    assert int(after.headers["x-ratelimit-reset"]) == reset + 2


def test_several_rates_at_once(sandbox: SandboxServer, client: httpx2.Client) -> None:
    sandbox.set_limits("3/2s", "4/min")
    _fresh_window(60, need=5)
    _fresh_window(2, need=1.2)
    first = [client.get("/albums/1") for _ in range(4)]
    assert [r.status_code for r in first] == [200, 200, 200, 429]
    assert first[0].headers["ratelimit-policy"] == '"3/2s";q=3;w=2, "4/min";q=4;w=60'
    assert first[3].headers["x-ratelimit-resource"] == "3/2s"
    time.sleep(int(first[3].headers["retry-after"]) + 0.02)
    second = [client.get("/albums/1") for _ in range(2)]
    assert [r.status_code for r in second] == [200, 429]
    assert second[1].headers["x-ratelimit-resource"] == "4/min"
    assert int(second[1].headers["retry-after"]) > 2


def test_limits_change_at_run_time_over_http(
    sandbox: SandboxServer, client: httpx2.Client
) -> None:
    assert client.get("/_sandbox/limits").json() == {"limits": [], "configured": []}
    assert "x-ratelimit-limit" not in client.get("/todos/1").headers
    changed = client.put("/_sandbox/limits", json={"limits": ["2/min", "1000/h"]})
    assert changed.json()["limits"] == ["2/min", "1000/h"]
    _fresh_window(60, need=3)
    assert [client.get("/todos/1").status_code for _ in range(3)] == [200, 200, 429]
    # Admin routes are neither counted nor refused, and carry no limit headers.
    for _ in range(5):
        health = client.get("/_sandbox/health")
        assert health.status_code == 200
        assert "x-ratelimit-limit" not in health.headers
    bad = client.put("/_sandbox/limits", json={"limits": ["lots/s"]})
    assert bad.status_code == 422
    assert "cannot read rate" in bad.json()["message"]
    # A misspelt key used to be ignored, leaving the limits unchanged without a word.
    typo = client.put("/_sandbox/limits", json={"limit": ["1/s"], "limits": ["5/s"]})
    assert typo.status_code == 422
    assert "unknown key 'limit'" in typo.json()["message"]
    assert client.get("/_sandbox/limits").json()["limits"] == ["2/min", "1000/h"]
    assert client.put("/_sandbox/limits", json={"limits": []}).json()["limits"] == []
    assert [client.get("/todos/1").status_code for _ in range(3)] == [200, 200, 200]


def test_limits_sit_above_faults(sandbox: SandboxServer, client: httpx2.Client) -> None:
    sandbox.set_limits("2/10s")
    sandbox.set_faults(route="GET /todos/*", kind="status", status=503)
    _fresh_window(10, need=2)
    responses = [client.get("/todos/1") for _ in range(4)]
    assert [r.status_code for r in responses] == [503, 503, 429, 429]
    # Faulted answers still carry the quota they spent.
    assert [r.headers["x-ratelimit-remaining"] for r in responses] == ["1", "0", "0", "0"]
    stats = sandbox.stats()
    assert stats["faults"] == {"status": 2}
    assert stats["rate_limited"] == 2
    assert stats["routes"]["GET /todos/{id}"] == {"429": 2, "503": 2}


def test_context_manager_restores_and_reset_returns_to_configured(
    sandbox: SandboxServer, client: httpx2.Client
) -> None:
    with sandbox.limits("1/min"):
        assert client.get("/_sandbox/limits").json()["limits"] == ["1/min"]
        with sandbox.limits():
            assert client.get("/_sandbox/limits").json()["limits"] == []
        assert client.get("/_sandbox/limits").json()["limits"] == ["1/min"]
    assert client.get("/_sandbox/limits").json()["limits"] == []
    sandbox.set_limits("7/h")
    sandbox.reset()
    assert client.get("/_sandbox/limits").json()["limits"] == []
