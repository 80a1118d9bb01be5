"""Live progress on stderr, for terminals only: a one-line status for ``--paginate`` and a
bar for ``tether pull``."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.status import Status
from rich.text import Text

from tether.cli._common import Counter

__all__ = ["ProgressLine", "PullProgress"]


class _Rates:
    """Requests per second since the start, from the counter's attempts."""

    def __init__(self, counter: Counter) -> None:
        self.counter = counter
        self.started = time.monotonic()

    def per_second(self) -> float:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return self.counter.requests / elapsed

    def summary(self) -> str:
        c = self.counter
        return (
            f"{c.requests} requests, {self.per_second():.1f} req/s, {c.retries} retries, "
            f"{c.rate_limited} rate-limited (429)"
        )


class ProgressLine:
    """``--paginate``'s line: pages and items so far, the total when known, req/s."""

    def __init__(self, counter: Counter) -> None:
        self._rates = _Rates(counter)
        self._status = Status("paginating...", console=Console(stderr=True))
        self._status.start()

    def update(self, pages: int, items: int, total: int | None) -> None:
        of = f"/{total}" if total is not None else ""
        self._status.update(f"{pages} pages, {items}{of} items; {self._rates.summary()}")

    def close(self) -> None:
        self._status.stop()


class _StatsColumn(ProgressColumn):
    def __init__(self, rates: _Rates) -> None:
        super().__init__()
        self._rates = rates

    def render(self, task: Task) -> Text:
        pages = task.fields.get("pages", 0)
        return Text(f"{pages} pages  {self._rates.summary()}", style="dim")


class PullProgress:
    """``tether pull``'s bar: items (of the total when known), pages, req/s, retries, 429s
    and an ETA."""

    def __init__(self, counter: Counter, *, description: str, items: int, pages: int) -> None:
        self._rates = _Rates(counter)
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} items", style="green"),
            _StatsColumn(self._rates),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task = self._progress.add_task(description, total=None, completed=items,
                                             pages=pages)
        self._progress.start()

    def update(self, pages: int, items: int, total: int | None) -> None:
        self._progress.update(self._task, completed=items, total=total, pages=pages)

    def close(self) -> None:
        self._progress.stop()
