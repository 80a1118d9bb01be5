"""pytest plugin: a live sandbox API for your tests (registered as a ``pytest11`` entry point).

Fixtures:

``sandbox``
    A :class:`tether.sandbox.SandboxServer` running on a free port on 127.0.0.1, started
    once per test session and reset (fresh data, zeroed stats) before each test that uses it.
    It has ``.url``, ``.reset()`` and ``.stats()``, and for outage drills
    ``.set_faults(...)``, ``.set_limits(...)`` and the context managers ``.faults(...)`` and
    ``.limits(...)``, which restore the previous rules when the block ends. Faults and
    limits go back to the configured ones before and after every test.

``sandbox_config``
    The :class:`tether.sandbox.SandboxConfig` the session's server uses; override it (with
    session scope) in your ``conftest.py`` to change the seed or credentials.

Example::

    import httpx2

    def test_first_todo(sandbox):
        assert httpx2.get(f"{sandbox.url}/todos/1").json()["id"] == 1

    def test_client_survives_an_outage(sandbox):
        with sandbox.faults(route="GET /todos*", kind="status", status=503, probability=0.5):
            ...  # drive your client; sandbox.stats()["faults"] says what it met
        with sandbox.limits("50/s"):
            ...
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tether.sandbox import SandboxConfig, SandboxServer, serve_in_thread

__all__ = ["sandbox", "sandbox_config", "sandbox_server"]


@pytest.fixture(scope="session")
def sandbox_config() -> SandboxConfig:
    """Configuration of the session's sandbox; override to customise."""
    return SandboxConfig()


@pytest.fixture(scope="session")
def sandbox_server(sandbox_config: SandboxConfig) -> Iterator[SandboxServer]:
    """The session's sandbox server, not reset between tests (prefer ``sandbox``)."""
    with serve_in_thread(sandbox_config) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> Iterator[SandboxServer]:
    """The session's sandbox server, reset to fresh data and zero counts for this test."""
    sandbox_server.reset()
    yield sandbox_server
    # Faults or limits a test switched on must not leak into tests that use the server
    # without this fixture's reset.
    sandbox_server.state.disruption.restore()
