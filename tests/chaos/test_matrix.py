"""The chaos matrix: every fault kind the sandbox injects x fault rates 0, 10, 50, 100 %,
through the sync and the async client, against the live sandbox.

For every idempotent call in every cell: it returns the right data, or it raises one of
the documented errors (a ``tether.TetherError``, or one of httpx2's transport errors,
which tether leaves as they are), and it ends within its deadline plus a small margin. A
watchdog fails a cell that hangs instead of letting it block the run, and the process's
open file descriptors are the same after a cell as before it.

Writes: POSTs carrying an ``Idempotency-Key`` never create a duplicate, even when half of
them are reset after the server stored the item, and POSTs without a key are never
retried (the server's own accounting is the witness).

Each cell makes a few calls at once, so the whole matrix takes well under a minute.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest

import tether
from tether.sandbox import SandboxServer

DEADLINE = 2.0
"""Every call's deadline, in seconds."""
MARGIN = 1.0
"""How far past its deadline a call may end (scheduling on a loaded 2-core machine)."""
WATCHDOG = DEADLINE + 8.0
"""A cell whose calls have not all ended by then has hung."""
TIMEOUT = 0.5
"""The client's timeout: the latency fault waits longer than this."""
POLICY = tether.Retry(initial_wait=0.05, max_wait=0.25, max_retry_after=5)
"""Short backoff waits, so a cell's calls meet several faults each within the deadline."""
CLIENT = {"timeout": TIMEOUT, "retry": POLICY, "retry_budget": False}
"""Without a retry budget every call retries until its attempts or its deadline run out,
the hardest case for the deadline (the budget would stop retrying early at 100 %)."""

FAULTS: dict[str, dict[str, Any]] = {
    "5xx": {"kind": "status", "status": 503},
    "429": {"kind": "status", "status": 429, "retry_after": 1},
    "latency": {"kind": "latency", "delay": "1s"},  # beyond the client's timeout
    "reset": {"kind": "reset"},
    "truncate": {"kind": "truncate", "fraction": 0.5},
    "malformed": {"kind": "malformed"},
    # Pieces come faster than the read timeout: only the deadline can end such a call.
    "drip": {"kind": "drip", "duration": "6s", "chunks": 60},
}
RATES = (0.0, 0.1, 0.5, 1.0)
ITEMS = (1, 2, 3, 4)
"""Each cell reads these posts, and the posts of user 1, all at once."""

DOCUMENTED = (tether.TetherError, httpx2.TransportError)
"""What a call may raise: tether's own errors, and httpx2's transport errors, which
tether passes through as they are (docs/client.md)."""


@dataclass
class Outcome:
    path: str
    elapsed: float
    value: Any = None
    error: BaseException | None = None


def _expected(sandbox: SandboxServer) -> dict[str, Any]:
    paths = [f"/posts/{item}" for item in ITEMS] + ["/posts?userId=1"]
    return {path: httpx2.get(sandbox.url + path).json() for path in paths}


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _settled_fds(baseline: int) -> int:
    # The server thread closes its side of each connection a moment after the client.
    deadline = time.monotonic() + 3
    count = _open_fds()
    while count > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
        count = _open_fds()
    return count


def _sync_cell(url: str, paths: list[str]) -> list[Outcome]:
    with tether.Client(base_url=url, **CLIENT) as client:

        def one(path: str) -> Outcome:
            started = time.monotonic()
            try:
                value = client.get(path, deadline=DEADLINE).json()
            except BaseException as error:  # every kind is checked below
                return Outcome(path, time.monotonic() - started, error=error)
            return Outcome(path, time.monotonic() - started, value=value)

        with ThreadPoolExecutor(len(paths)) as pool:
            futures = [pool.submit(one, path) for path in paths]
            try:
                return [future.result(timeout=WATCHDOG) for future in futures]
            except FutureTimeout:
                pytest.fail(f"watchdog: a sync call did not end within {WATCHDOG} s")


async def _async_cell(url: str, paths: list[str]) -> list[Outcome]:
    async with tether.AsyncClient(base_url=url, **CLIENT) as client:

        async def one(path: str) -> Outcome:
            started = time.monotonic()
            try:
                value = (await client.get(path, deadline=DEADLINE)).json()
            except BaseException as error:  # every kind is checked below
                return Outcome(path, time.monotonic() - started, error=error)
            return Outcome(path, time.monotonic() - started, value=value)

        try:
            return await asyncio.wait_for(
                asyncio.gather(*(one(path) for path in paths)), WATCHDOG
            )
        except TimeoutError:
            pytest.fail(f"watchdog: an async call did not end within {WATCHDOG} s")


def _run(mode: str, url: str, paths: list[str]) -> list[Outcome]:
    if mode == "sync":
        return _sync_cell(url, paths)
    return asyncio.run(_async_cell(url, paths))


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("rate", RATES, ids=lambda r: f"{r:.0%}")
@pytest.mark.parametrize("fault", list(FAULTS))
def test_idempotent_calls_return_right_data_or_a_documented_error_in_time(
    sandbox: SandboxServer, mode: str, fault: str, rate: float
) -> None:
    expected = _expected(sandbox)
    paths = list(expected)
    baseline = _open_fds()
    with sandbox.faults(route="GET /posts*", probability=rate, seed=7, **FAULTS[fault]):
        outcomes = _run(mode, sandbox.url, paths)
    for outcome in outcomes:
        where = f"{mode} {fault} at {rate:.0%}: GET {outcome.path}"
        assert outcome.elapsed <= DEADLINE + MARGIN, (
            f"{where} took {outcome.elapsed:.2f} s, deadline {DEADLINE} s")
        if outcome.error is None:
            assert outcome.value == expected[outcome.path], f"{where} returned wrong data"
        else:
            assert isinstance(outcome.error, DOCUMENTED), (
                f"{where} raised an undocumented {type(outcome.error).__name__}: "
                f"{outcome.error}")
    if rate == 0:
        assert all(o.error is None for o in outcomes)
    if rate == 1 and fault != "429":  # 429s that fit the deadline may all succeed later
        assert all(o.error is not None for o in outcomes), "a fault at 100 % was missed"
    assert _settled_fds(baseline) <= baseline, "open file descriptors leaked"


# -- writes ------------------------------------------------------------------------------------

WRITES = 12


def _todo(tag: str, number: int) -> dict[str, Any]:
    return {"userId": 1, "title": f"chaos {tag} {number}", "completed": False}


def _titles(sandbox: SandboxServer, tag: str) -> Counter[str]:
    todos = httpx2.get(f"{sandbox.url}/todos", params={"userId": 1, "title_like": tag}).json()
    return Counter(todo["title"] for todo in todos)


def _post_all(mode: str, url: str, bodies: list[dict[str, Any]],
              headers: Callable[[int], dict[str, str]]) -> list[httpx2.Response | Exception]:
    if mode == "sync":
        with tether.Client(base_url=url, **CLIENT) as client:

            def one(index: int) -> httpx2.Response | Exception:
                try:
                    return client.post("/todos", json=bodies[index], headers=headers(index),
                                       deadline=DEADLINE * 2)
                except Exception as error:
                    return error

            with ThreadPoolExecutor(4) as pool:
                return list(pool.map(one, range(len(bodies)), timeout=WATCHDOG * 2))

    async def run() -> list[httpx2.Response | Exception]:
        async with tether.AsyncClient(base_url=url, **CLIENT) as client:

            async def one(index: int) -> httpx2.Response | Exception:
                try:
                    return await client.post("/todos", json=bodies[index],
                                             headers=headers(index), deadline=DEADLINE * 2)
                except Exception as error:
                    return error

            return await asyncio.wait_for(
                asyncio.gather(*(one(i) for i in range(len(bodies)))), WATCHDOG * 2)

    return asyncio.run(run())


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:10]


@pytest.mark.timeout(60)
def test_keyed_posts_never_duplicate_under_half_resets(
    sandbox: SandboxServer, mode: str, tag: str
) -> None:
    bodies = [_todo(tag, n) for n in range(WRITES)]
    keys = [f"{tag}-{n}" for n in range(WRITES)]
    # after=True: the item is stored, then the connection is reset; the retry must find
    # the first answer, not store a second item.
    with sandbox.faults(route="POST /todos", probability=0.5, kind="reset", after=True,
                        seed=3):
        outcomes = _post_all(mode, sandbox.url, bodies,
                             lambda i: {"Idempotency-Key": keys[i]})
    titles = _titles(sandbox, tag)
    assert max(titles.values()) == 1, f"duplicates created: {titles}"
    resets = sandbox.stats()["routes"]["POST /todos"].get("0", 0)
    assert resets > 0, "no reset was injected: the test proves nothing"
    for body, outcome in zip(bodies, outcomes, strict=True):
        if isinstance(outcome, Exception):
            assert isinstance(outcome, DOCUMENTED), repr(outcome)
            assert titles[body["title"]] <= 1
        else:
            assert outcome.status_code == 201
            assert titles[body["title"]] == 1
            assert outcome.json()["title"] == body["title"]


@pytest.mark.timeout(60)
def test_posts_without_a_key_are_never_retried(
    sandbox: SandboxServer, mode: str, tag: str
) -> None:
    bodies = [_todo(tag, n) for n in range(WRITES)]
    with sandbox.faults(route="POST /todos", probability=0.5, kind="reset", after=True,
                        seed=3):
        outcomes = _post_all(mode, sandbox.url, bodies, lambda i: {})
    by_status = sandbox.stats()["routes"]["POST /todos"]
    # One request per call reached the server, whatever happened to it.
    assert sum(by_status.values()) == WRITES, by_status
    assert by_status.get("0", 0) > 0, "no reset was injected: the test proves nothing"
    failed = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failed) == by_status.get("0", 0)
    for error in failed:
        assert isinstance(error, httpx2.TransportError), repr(error)
        assert len(tether.attempts_of(error)) <= 1
    # Each call created exactly one item, answered or not: nothing lost, nothing doubled.
    assert sorted(_titles(sandbox, tag).values()) == [1] * WRITES


@pytest.mark.timeout(60)
def test_status_faults_on_posts_without_a_key_are_not_retried(
    sandbox: SandboxServer, mode: str, tag: str
) -> None:
    bodies = [_todo(tag, n) for n in range(4)]
    with sandbox.faults(route="POST /todos", kind="status", status=503):
        outcomes = _post_all(mode, sandbox.url, bodies, lambda i: {})
    assert all(isinstance(o, tether.ServerError) for o in outcomes), outcomes
    assert sandbox.stats()["routes"]["POST /todos"] == {"503": 4}


@pytest.fixture(autouse=True)
def _no_leftover_faults(sandbox: SandboxServer) -> Iterator[None]:
    yield
    sandbox.set_faults()
