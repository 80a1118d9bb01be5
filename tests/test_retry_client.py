"""How retries are configured on tether.Client / AsyncClient (sync and async alike)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

import tether
from tether.sandbox import SandboxServer


@pytest.fixture(autouse=True)
def no_waits() -> Iterator[None]:
    with tether.retry_testing_mode():
        yield


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def get(mode: str, url: str, path: str, client_kwargs: dict[str, Any], **call: Any) -> Any:
    """One GET through a fresh client; returns the response or the exception."""
    if mode == "sync":
        with tether.Client(base_url=url, **client_kwargs) as client:
            try:
                return client.get(path, **call)
            except httpx2.HTTPError as error:
                return error

    async def run() -> Any:
        async with tether.AsyncClient(base_url=url, **client_kwargs) as client:
            try:
                return await client.get(path, **call)
            except httpx2.HTTPError as error:
                return error

    return asyncio.run(run())


def test_retries_are_on_by_default(sandbox: SandboxServer, mode: str) -> None:
    with sandbox.faults(route="GET /posts/*", kind="status", status=503):
        outcome = get(mode, sandbox.url, "/posts/1", {})
    assert isinstance(outcome, tether.ServerError)
    assert len(tether.attempts_of(outcome)) == tether.Retry().attempts


def test_retry_false_sends_once_unless_the_call_asks(sandbox: SandboxServer, mode: str) -> None:
    with sandbox.faults(route="GET /posts/*", kind="status", status=503):
        once = get(mode, sandbox.url, "/posts/1", {"retry": False})
        twice = get(
            mode, sandbox.url, "/posts/1", {"retry": False}, retry=tether.Retry(attempts=2)
        )
    assert len(tether.attempts_of(once)) == 1
    assert len(tether.attempts_of(twice)) == 2
    assert sum(sandbox.stats()["routes"]["GET /posts/{id}"].values()) == 3


def test_client_policy_and_per_call_override(sandbox: SandboxServer, mode: str) -> None:
    client_kwargs = {"retry": tether.Retry(attempts=2)}
    with sandbox.faults(route="GET /posts/*", kind="status", status=503):
        by_client = get(mode, sandbox.url, "/posts/1", client_kwargs)
        by_call = get(mode, sandbox.url, "/posts/1", client_kwargs, retry=tether.Retry(attempts=3))
    assert len(tether.attempts_of(by_client)) == 2
    assert len(tether.attempts_of(by_call)) == 3


def test_client_default_deadline_from_the_policy(sandbox: SandboxServer, mode: str) -> None:
    outcome = get(mode, sandbox.url, "/delay/5", {"retry": tether.Retry(deadline=0.5)})
    assert isinstance(outcome, tether.DeadlineExceeded)


def test_with_options_copies_share_the_budget() -> None:
    budget = tether.RetryBudget(ratio=0.1)
    with tether.Client(retry_budget=budget) as client:
        copy = client.with_options(raise_for_status=False)
        assert client.retry_budget is budget
        assert copy.retry_budget is budget
        assert copy.retry == client.retry


def test_each_client_gets_its_own_default_budget() -> None:
    with tether.Client() as first, tether.Client() as second:
        assert first.retry_budget is not None
        assert first.retry_budget is not second.retry_budget
    with tether.Client(retry_budget=False, retry=False) as bare:
        assert bare.retry_budget is None
        assert bare.retry is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"retry": 3}, "retry=3"), ({"retry_budget": 0.2}, "retry_budget=0.2")],
)
def test_bad_retry_arguments_are_refused_early(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(tether.ConfigurationError, match=message):
        tether.Client(**kwargs)
    with pytest.raises(tether.ConfigurationError, match=message):
        tether.AsyncClient(**kwargs)
