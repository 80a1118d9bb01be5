"""A bounded soak: concurrent clients for 20 seconds against a sandbox failing ~20% of requests.

The sandbox must keep serving (no crash, no 500 of its own), every request must end within
its timeout (no stuck connection), and every POST the client saw succeed must be readable
afterwards (no lost write).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx2
import pytest

from tether.sandbox import SandboxServer

DURATION = 20.0
CLIENTS = 6
# Terminal faults add up to ~20% of requests; latency comes on top and only slows.
FAULTS = [
    {"route": "*", "probability": 0.3, "kind": "latency", "delay": "0..30ms"},
    {"route": "*", "probability": 0.06, "kind": "status", "status": 503, "retry_after": 1},
    {"route": "*", "probability": 0.04, "kind": "reset"},
    {"route": "POST /posts", "probability": 0.05, "kind": "reset", "after": True},
    {"route": "*", "probability": 0.03, "kind": "truncate", "fraction": 0.5},
    {"route": "*", "probability": 0.03, "kind": "malformed"},
    {"route": "*", "probability": 0.02, "kind": "drip", "duration": "300ms", "chunks": 3},
]


@dataclass
class Tally:
    outcomes: Counter[str] = field(default_factory=Counter)
    created: list[tuple[int, str]] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    crashed: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _worker(url: str, number: int, deadline: float, tally: Tally) -> None:
    rng = random.Random(number)
    outcomes: Counter[str] = Counter()
    created: list[tuple[int, str]] = []
    stuck: list[str] = []
    sequence = 0
    try:
        with httpx2.Client(base_url=url, timeout=httpx2.Timeout(5.0)) as client:
            while time.monotonic() < deadline:
                sequence += 1
                choice = rng.random()
                try:
                    if choice < 0.4:
                        title = f"soak {number}-{sequence}"
                        body = {"userId": rng.randint(1, 10), "title": title, "body": "x"}
                        response = client.post("/posts", json=body)
                        answer = response.json()
                        if response.status_code == 201:
                            created.append((answer["id"], title))
                    elif choice < 0.8:
                        response = client.get(f"/posts/{rng.randint(1, 100)}")
                        response.json()
                    else:
                        response = client.get("/posts", params={"userId": rng.randint(1, 10)})
                        response.json()
                    outcomes[str(response.status_code)] += 1
                except httpx2.TimeoutException as exc:
                    stuck.append(f"{type(exc).__name__}: {exc}")
                except httpx2.TransportError as exc:
                    outcomes[type(exc).__name__] += 1
                except json.JSONDecodeError:
                    outcomes["malformed"] += 1
    except BaseException as exc:
        with tally.lock:
            tally.crashed.append(exc)
    with tally.lock:
        tally.outcomes.update(outcomes)
        tally.created.extend(created)
        tally.stuck.extend(stuck)


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_soak_with_20_percent_faults(sandbox: SandboxServer) -> None:
    sandbox.set_faults(*FAULTS, seed=2026)
    tally = Tally()
    deadline = time.monotonic() + DURATION
    threads = [
        threading.Thread(target=_worker, args=(sandbox.url, n, deadline, tally), daemon=True)
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DURATION + 30)
    assert not any(thread.is_alive() for thread in threads), "a client never finished"
    assert tally.crashed == []
    assert tally.stuck == []

    stats = sandbox.stats()
    sandbox.set_faults()
    with httpx2.Client(base_url=sandbox.url, timeout=httpx2.Timeout(10.0)) as client:
        assert client.get("/_sandbox/health").status_code == 200
        # No lost write: every POST that was answered 201 is there, with its content.
        for post_id, title in tally.created:
            stored = client.get(f"/posts/{post_id}")
            assert stored.status_code == 200, (post_id, title)
            assert stored.json()["title"] == title
        ids = [post_id for post_id, _ in tally.created]
        assert len(set(ids)) == len(ids)

    total = sum(tally.outcomes.values())
    assert total >= 300, f"too few requests to mean anything: {tally.outcomes}"
    assert len(tally.created) >= 50
    assert "500" not in stats["by_status"], stats["by_status"]
    assert stats["total"] == total
    injected = stats["faults"]
    assert set(injected) == {"latency", "status", "reset", "truncate", "malformed", "drip"}
    terminal = sum(n for kind, n in injected.items() if kind != "latency")
    assert 0.12 <= terminal / total <= 0.28, (injected, total)
    # The client side saw every kind as the kind it is.
    assert tally.outcomes["503"] == injected["status"]
    assert tally.outcomes["malformed"] == injected["malformed"]
    dropped = sum(n for outcome, n in tally.outcomes.items() if outcome.endswith("Error"))
    assert dropped == injected["reset"] + injected["truncate"], tally.outcomes
