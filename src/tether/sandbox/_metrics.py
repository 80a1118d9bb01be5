"""Live request metrics for the dashboard: a per-second series by status class, latency
percentiles and per-client-key counts, since the last reset.

:class:`Metrics` is fed by :class:`MetricsMiddleware`, which sits just inside the stats
layer, so it sees every answer the sandbox gives (429s of the limiter and injected faults
included) and a dropped connection as a ``reset``. Admin requests are not counted, so the
dashboard watching the sandbox does not show up in what it watches.

Everything is bounded: the series keeps :data:`SERIES_SECONDS` seconds, each second keeps
at most :data:`SAMPLES_PER_SECOND` latencies (a uniform sample beyond that), the overall
percentiles cover the last :data:`RECENT_LATENCIES` requests and at most :data:`MAX_CLIENTS`
client keys are told apart (the rest add up under :data:`OTHER_CLIENTS`).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tether.sandbox._asgi import passes_through
from tether.sandbox._limit_middleware import request_key

__all__ = [
    "MAX_CLIENTS",
    "OTHER_CLIENTS",
    "RECENT_LATENCIES",
    "SAMPLES_PER_SECOND",
    "SERIES_SECONDS",
    "STATUS_CLASSES",
    "Metrics",
    "MetricsMiddleware",
    "display_key",
    "percentile",
    "status_class",
]

STATUS_CLASSES = ("2xx", "3xx", "4xx", "429", "5xx", "reset")
"""How the dashboard groups answers: 429 apart from the other 4xx, and ``reset`` for a
connection closed without any response (status 0 in the stats)."""
SERIES_SECONDS = 60
SAMPLES_PER_SECOND = 1000
RECENT_LATENCIES = 10_000
MAX_CLIENTS = 200
OTHER_CLIENTS = "(other keys)"
_SERIES_CLIENTS = 8
_SHOWN_MEMO = 4096


def status_class(status: int) -> str:
    """The class of a final status: ``"2xx"`` ... ``"5xx"``, ``"429"`` or ``"reset"`` (0)."""
    if status == 429:
        return "429"
    if status <= 0:
        return "reset"
    if status < 300:
        return "2xx"
    if status < 400:
        return "3xx"
    if status < 500:
        return "4xx"
    return "5xx"


def display_key(key: str) -> str:
    """A client key as the dashboard shows it: addresses whole, secrets shortened.

    API keys and tokens are credentials; the dashboard needs only enough to tell clients
    apart, so the middle of the value never leaves the server.

    >>> display_key("key:tether-sandbox-key")
    'key:teth…-key'
    >>> display_key("addr:127.0.0.1")
    'addr:127.0.0.1'
    """
    kind, _, value = key.partition(":")
    if kind == "addr":
        return key
    if len(value) <= 8:
        return f"{kind}:{value[:1]}…"
    return f"{kind}:{value[:4]}…{value[-4:]}"


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """The nearest-rank ``q``-th percentile of values already sorted; ``None`` when empty."""
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[rank - 1]


def _percentiles_ms(ordered: Sequence[float]) -> dict[str, float | None]:
    return {
        name: None if (value := percentile(ordered, q)) is None else round(value * 1000, 2)
        for name, q in (("p50", 50), ("p95", 95), ("p99", 99))
    }


@dataclass(slots=True)
class _Second:
    """What happened during one wall-clock second."""

    classes: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    seen: int = 0
    clients: dict[str, list[int]] = field(default_factory=dict)
    """display key -> [requests, 429s]"""
    summary: dict[str, float | None] | None = None
    """Latency percentiles, computed once the second is over."""


class Metrics:
    """Thread-safe counters the dashboard reads; written by the server's event loop.

    >>> metrics = Metrics(clock=lambda: 100.5)
    >>> metrics.record("addr:127.0.0.1", 200, 0.004)
    >>> metrics.summary()["clients"]
    {'addr:127.0.0.1': {'requests': 1, 'rate_limited': 0}}
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        # Which latencies a full second keeps; sampling needs no reproducibility.
        self._random = random.Random()
        self._seconds: dict[int, _Second] = {}
        self._recent: deque[float] = deque(maxlen=RECENT_LATENCIES)
        self._clients: dict[str, list[int]] = {}
        self._shown: dict[str, str] = {}
        self._generation = 0

    @property
    def generation(self) -> int:
        """Changes on every :meth:`clear`; a request notes it when it starts."""
        return self._generation

    def record(
        self, key: str, status: int, latency: float, generation: int | None = None
    ) -> None:
        """Count one answer (``status`` 0: connection dropped) that took ``latency`` s.

        A request that started before the last clear (``generation``) is dropped, as the
        stats do, so a request running across a reset never lands in the new figures.
        """
        shown = self._shown.get(key)
        if shown is None:
            if len(self._shown) >= _SHOWN_MEMO:
                self._shown.clear()
            shown = self._shown[key] = display_key(key)
        kind = status_class(status)
        refused = 1 if status == 429 else 0
        now = int(self._clock())
        with self._lock:
            if generation is not None and generation != self._generation:
                return
            second = self._seconds.get(now)
            if second is None:
                second = self._seconds[now] = _Second()
                for old in [t for t in self._seconds if t <= now - SERIES_SECONDS - 1]:
                    del self._seconds[old]
            second.classes[kind] = second.classes.get(kind, 0) + 1
            second.seen += 1
            if len(second.latencies) < SAMPLES_PER_SECOND:
                second.latencies.append(latency)
            else:
                # Reservoir sampling; random() is several times cheaper than randrange().
                slot = int(self._random.random() * second.seen)
                if slot < SAMPLES_PER_SECOND:
                    second.latencies[slot] = latency
            self._recent.append(latency)
            for table in (second.clients, self._clients):
                name = shown if shown in table or len(table) < MAX_CLIENTS else OTHER_CLIENTS
                counts = table.setdefault(name, [0, 0])
                counts[0] += 1
                counts[1] += refused

    def clear(self) -> None:
        """Forget everything (called by reset)."""
        with self._lock:
            self._seconds.clear()
            self._recent.clear()
            self._clients.clear()
            self._generation += 1

    def summary(self) -> dict[str, Any]:
        """Since the last reset: ``{"latency_ms": {"count", "p50", "p95", "p99"},
        "clients": {key: {"requests", "rate_limited"}}}``; the percentiles cover the last
        :data:`RECENT_LATENCIES` requests."""
        with self._lock:
            ordered = sorted(self._recent)
            clients = {
                key: {"requests": counts[0], "rate_limited": counts[1]}
                for key, counts in sorted(self._clients.items(), key=lambda kv: -kv[1][0])
            }
        return {"latency_ms": {"count": len(ordered), **_percentiles_ms(ordered)},
                "clients": clients}

    def series(self, seconds: int = SERIES_SECONDS) -> dict[str, Any]:
        """The last ``seconds`` whole seconds, oldest first, in columns for charting.

        ``{"t": [epoch seconds], "classes": {"2xx": [...], ...}, "latency_ms": {"p50":
        [...], ...}, "clients": {key: {"requests": [...], "rate_limited": [...]}}}``. The
        second under way is left out: a partial second would read as a drop in traffic.
        The busiest keys of the window are told apart, the others add up under
        :data:`OTHER_CLIENTS`.
        """
        end = int(self._clock())
        times = list(range(end - seconds, end))
        with self._lock:
            rows = [self._seconds.get(t) for t in times]
            for row in rows:
                if row is not None and row.summary is None:
                    row.summary = _percentiles_ms(sorted(row.latencies))
            classes = {kind: [row.classes.get(kind, 0) if row else 0 for row in rows]
                       for kind in STATUS_CLASSES}
            latency = {name: [row.summary[name] if row and row.summary else None
                              for row in rows]
                       for name in ("p50", "p95", "p99")}
            totals: dict[str, int] = {}
            for row in rows:
                for key, counts in (row.clients.items() if row else ()):
                    totals[key] = totals.get(key, 0) + counts[0]
            busiest = sorted(totals, key=lambda key: -totals[key])
            shown = set(busiest[:_SERIES_CLIENTS])
            clients: dict[str, dict[str, list[int]]] = {}
            for index, row in enumerate(rows):
                for key, counts in (row.clients.items() if row else ()):
                    name = key if key in shown else OTHER_CLIENTS
                    entry = clients.setdefault(
                        name, {"requests": [0] * len(rows), "rate_limited": [0] * len(rows)})
                    entry["requests"][index] += counts[0]
                    entry["rate_limited"][index] += counts[1]
        return {"t": times, "classes": classes, "latency_ms": latency, "clients": clients}


class MetricsMiddleware:
    """Times every non-admin HTTP request and records its final status and client key."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if passes_through(scope):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        generation = self.metrics.generation
        status = 0
        recorded = False

        def note() -> None:
            nonlocal recorded
            if not recorded:
                recorded = True
                self.metrics.record(
                    request_key(scope), status, time.perf_counter() - started, generation
                )

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                # Before the last byte leaves, so a client that asks for the figures right
                # after its response finds its request there (as in the stats).
                note()
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except BaseException:
            # Starlette's error layer outside turns the exception into a 500.
            status = status or 500
            raise
        finally:
            note()
