"""Fixtures shared across test folders."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tether.sandbox import SandboxConfig, SandboxServer, serve_in_thread


@pytest.fixture(scope="module")
def short_ttl() -> Iterator[SandboxServer]:
    """A sandbox of its own whose OAuth2 tokens live one second (``reset()`` it before use)."""
    with serve_in_thread(SandboxConfig(token_ttl=1.0)) as server:
        yield server
