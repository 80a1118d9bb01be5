"""pytest plugin: a live sandbox API for your tests (registered as a ``pytest11`` entry point).

Fixtures:

``sandbox``
    A :class:`tether.sandbox.SandboxServer` running on a free port on 127.0.0.1, started
    once per test session (per configuration, see ``sandbox_config``) and reset (fresh
    data, zeroed stats) before each test that uses it.
    It has ``.url``, ``.reset()`` and ``.stats()``, and for outage drills
    ``.set_faults(...)``, ``.set_limits(...)`` and the context managers ``.faults(...)`` and
    ``.limits(...)``, which restore the previous rules when the block ends. Faults and
    limits go back to the configured ones before and after every test.

``sandbox_config``
    The :class:`tether.sandbox.SandboxConfig` the tests' server uses; override it (with
    session scope) in a ``conftest.py`` to change the seed, credentials, faults or limits.
    Each distinct configuration gets a server of its own, started when a test first asks
    for it and kept for the rest of the session, so an override in one directory never
    reaches the tests of another, whatever order they run in.

``sandbox_server``
    The server for the test's ``sandbox_config``, without the reset ``sandbox`` does.

Tests may be ``async def``, with no marker: a coroutine test that uses ``sandbox`` and
that no async plugin claimed (pytest-asyncio in its default strict mode leaves unmarked
ones alone) runs in a fresh asyncio event loop. Marked ones (``@pytest.mark.asyncio``,
``@pytest.mark.anyio``) and pytest-asyncio's auto mode run as those plugins decide; the
server runs in its own thread, so it works under any of them.

Example::

    import httpx2
    import tether

    def test_first_todo(sandbox):
        assert httpx2.get(f"{sandbox.url}/todos/1").json()["id"] == 1

    def test_client_survives_an_outage(sandbox):
        with sandbox.faults(route="GET /todos*", kind="status", status=503, probability=0.5):
            ...  # drive your client; sandbox.stats()["faults"] says what it met
        with sandbox.limits("50/s"):
            ...

    async def test_async_client(sandbox):
        async with tether.AsyncClient(base_url=sandbox.url) as client:
            assert (await client.get("/todos/1")).json()["id"] == 1
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tether.sandbox import SandboxConfig, SandboxServer, serve_in_thread

__all__ = ["pytest_pyfunc_call", "sandbox", "sandbox_config", "sandbox_server"]

_ASYNC_MARKERS = ("asyncio", "anyio", "trio")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run an unclaimed ``async def`` test that uses the sandbox in a fresh event loop.

    Without this, pytest fails such a test ("async def functions are not natively
    supported") unless the user knew to add a marker. Tests an async plugin claimed keep
    that plugin's loop: pytest-asyncio marks the ones it runs (auto mode marks them all),
    anyio runs the ones with its marker.
    """
    function = pyfuncitem.obj
    if not inspect.iscoroutinefunction(function):
        return None
    if not {"sandbox", "sandbox_server"} & set(pyfuncitem.fixturenames):
        return None
    if any(pyfuncitem.get_closest_marker(name) for name in _ASYNC_MARKERS):
        return None
    arguments = {
        name: pyfuncitem.funcargs[name]
        for name in inspect.signature(function).parameters
        if name in pyfuncitem.funcargs
    }
    asyncio.run(function(**arguments))
    return True


class _Servers:
    """One running sandbox per distinct configuration asked for during the session."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._running: list[tuple[SandboxConfig, SandboxServer]] = []

    def get(self, config: SandboxConfig) -> SandboxServer:
        """The server started for a configuration equal to ``config``, started if needed."""
        for started_for, server in self._running:
            if started_for == config:
                return server
        server = self._stack.enter_context(serve_in_thread(config))
        self._running.append((config, server))
        return server

    def close(self) -> None:
        """Stop every server."""
        self._running.clear()
        self._stack.close()


@pytest.fixture(scope="session")
def sandbox_config() -> SandboxConfig:
    """Configuration of the tests' sandbox; override to customise."""
    return SandboxConfig()


@pytest.fixture(scope="session")
def _tether_sandbox_servers() -> Iterator[_Servers]:
    # A session-scoped server fixture would be created once, for whichever sandbox_config
    # the first test saw, and then handed to tests whose directory overrides it.
    servers = _Servers()
    try:
        yield servers
    finally:
        servers.close()


@pytest.fixture
def sandbox_server(
    sandbox_config: SandboxConfig, _tether_sandbox_servers: _Servers
) -> SandboxServer:
    """The running server for this test's ``sandbox_config``, not reset (prefer ``sandbox``).

    Servers last the whole session: one per distinct configuration.
    """
    return _tether_sandbox_servers.get(sandbox_config)


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[SandboxServer]:
    """The server for this test's ``sandbox_config``, reset to fresh data and zero counts."""
    sandbox_server.reset()
    yield sandbox_server
    # Faults or limits a test switched on must not leak into tests that use the server
    # without this fixture's reset.
    sandbox_server.state.disruption.restore()
