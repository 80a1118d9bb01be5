"""Fixtures shared across test folders."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tether.sandbox import SandboxConfig, SandboxServer, serve_in_thread


@pytest.fixture(scope="module")
def short_ttl() -> Iterator[SandboxServer]:
    """A sandbox of its own whose OAuth2 tokens live one second (``reset()`` it before use)."""
    with serve_in_thread(SandboxConfig(token_ttl=1.0)) as server:
        yield server


# Property tests must fail for a wrong property, not because the machine is busy:
# a loaded CI runner can make input generation slow enough to trip Hypothesis'
# timing health checks and per-example deadline. In CI the examples are also
# derandomized, so a red run reproduces exactly.
settings.register_profile(
    "tether",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)
settings.load_profile("tether")
