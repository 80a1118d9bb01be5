"""Everything one running sandbox holds: configuration, store, counters, issued tokens."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from tether.sandbox._auth import TokenBook
from tether.sandbox._config import SandboxConfig
from tether.sandbox._disruption import Disruption
from tether.sandbox._metrics import Metrics
from tether.sandbox._response_cache import ResponseCache
from tether.sandbox._stats import Stats
from tether.sandbox._store import Store

__all__ = ["SandboxState"]


class SandboxState:
    """Shared by the routes and middlewares of one app (``app.state.sandbox``)."""

    def __init__(
        self, config: SandboxConfig, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.clock = clock
        self.store = Store(config.db, config.seed)
        if self.store.seed != config.seed:
            # A database file that already holds data keeps it, with the seed it was
            # generated from: that seed is the one health reports and reset returns to.
            config = config.replace(seed=self.store.seed)
        self.config = config
        """The configuration in force: the one given, except that an existing database
        file's seed replaces ``seed``."""
        self.stats = Stats()
        self.tokens = TokenBook()
        self.disruption = Disruption.create(
            config.faults, config.rate_limits, config.seed, config.fault_seed
        )
        """Fault rules and rate limits in force, with their counters."""
        self.metrics = Metrics()
        """Per-second series, latencies and client keys, for the dashboard."""
        self.responses = ResponseCache()
        """Answers to repeated reads, valid while the store's data version is unchanged."""
        self.closing = threading.Event()
        """Set when the server stops, so long-lived streams (the dashboard's) end first."""

    def reset(self, seed: int | None = None) -> None:
        """Fresh data for ``seed`` (default: the seed in force at start), no counts, no
        tokens."""
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"reset(seed=...) must be an int or None, got {seed!r}")
        self.store.reset(self.config.seed if seed is None else seed)
        self.stats.clear()
        self.metrics.clear()
        self.tokens.clear()
        self.disruption.restore()

    def close(self) -> None:
        """Release the database."""
        self.store.close()
