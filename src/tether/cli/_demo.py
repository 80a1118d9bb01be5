"""``tether demo``: tether's main job, end to end, against an embedded sandbox (``make demo``).

Starts the sandbox API in this process, then shows what a tether client does that a bare
HTTP client leaves to you: safe defaults and typed errors, credentials from the
environment that never reach a log, retries that ride out a flaky server without
hammering it, pacing that follows the server's rate limit, pagination that returns every
item exactly once, and a bulk pull that is killed mid-way and resumed without a gap or a
duplicate. Every figure printed is measured; each step checks its own result, and the
command exits 1 if any step did not work. It takes well under a minute.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

import tether
from tether.cli._app import app
from tether.cli._common import Counter, NetworkOptions
from tether.cli._pull import run_pull
from tether.sandbox import DEFAULT_API_KEY, SandboxConfig, SandboxServer, serve_in_thread

__all__ = ["demo"]

_VARIABLE = "SANDBOX_API_KEY"


@dataclass
class _Tour:
    """The sandbox, the console, a counter hooked into every client, and each step's result."""

    server: SandboxServer
    console: Console
    counter: Counter = field(default_factory=Counter)
    results: list[tuple[str, bool]] = field(default_factory=list)
    items_pulled: int = 0
    verified: bool = False

    def heading(self, text: str) -> None:
        self.console.rule(f"[bold]{text}")

    def check(self, step: str, ok: bool) -> None:
        self.results.append((step, ok))
        if not ok:
            self.console.print(f"[bold red]step failed:[/] {step}")

    def routes(self, route: str) -> dict[str, int]:
        """Responses the server sent on ``route``, by status (``{"200": 98, "503": 31}``)."""
        counts: dict[str, int] = self.server.stats()["routes"].get(route, {})
        return counts

    def client(self, **options: Any) -> tether.Client:
        return tether.Client(base_url=self.server.url, hooks=[self.counter], **options)


def _safe_defaults(tour: _Tour) -> None:
    tour.heading("1. Safe defaults: a timeout always, typed errors, honest JSON errors")
    raised: list[str] = []
    with tour.client() as client:
        tour.console.print(f"timeout: {client.timeout}")
        todo = client.get("/todos/1").json()
        tour.console.print(f"GET /todos/1 -> {todo}")
        try:
            client.get("/todos/9999")
        except tether.NotFound as error:
            raised.append(type(error).__name__)
            tour.console.print(f"GET /todos/9999 raised [red]{type(error).__name__}[/]: {error}")
        try:
            client.post("/posts", json={"userId": "one", "title": "t", "body": "b"})
        except tether.UnprocessableEntity as error:
            raised.append(type(error).__name__)
            tour.console.print(f"invalid POST raised [red]{type(error).__name__}[/]: {error}")
    tour.check("typed errors", raised == ["NotFound", "UnprocessableEntity"])


def _credentials(tour: _Tour) -> None:
    tour.heading("2. Credentials from the environment, never in a log or repr")
    os.environ[_VARIABLE] = DEFAULT_API_KEY  # as a deployment would set it
    auth = tether.APIKeyAuth.from_env(_VARIABLE)
    with tour.client(auth=auth) as client:
        profile = client.get("/profile").json()
        tour.console.print(f"GET /profile as {profile['username']!r}; the auth object: {auth!r}")
    missing = False
    try:
        tether.BearerAuth.from_env("SANDBOX_TOKEN_THAT_IS_NOT_SET")
    except tether.MissingCredentialError as error:
        missing = True
        tour.console.print(f"missing variable: [red]{error}[/]")
    tour.check("credentials", profile.get("id") == 1 and DEFAULT_API_KEY not in repr(auth)
               and missing)


def _retries(tour: _Tour) -> None:
    calls = 200
    tour.heading(f"3. Retries: {calls} GETs while 30% of responses are 503")
    tour.server.set_faults(route="GET /posts/*", probability=0.3, kind="status", status=503)
    started = time.perf_counter()
    failed = 0
    # Short waits keep the demo quick; the defaults start at 0.5 s and cap at 8 s.
    policy = tether.Retry(attempts=8, initial_wait=0.01, max_wait=0.1)
    with tour.client(retry=policy) as client:
        for number in range(calls):
            try:
                client.get(f"/posts/{number % 100 + 1}")
            except (tether.ServerError, tether.RetryError):
                failed += 1
    tour.server.set_faults()
    seen = tour.routes("GET /posts/{id}")
    sent = sum(seen.values())
    tour.console.print(
        f"{calls - failed}/{calls} calls succeeded in {time.perf_counter() - started:.1f}s; "
        f"the server answered {sent} requests ({seen.get('503', 0)} of them 503): "
        f"{sent / calls:.2f}x amplification, bounded by a client-wide retry budget"
    )
    tour.check("retries", failed == 0)


def _rate_limits(tour: _Tour) -> None:
    tour.heading("4. Rate limits: the server allows 20/s; the client has no limit configured")
    tour.server.set_limits("20/s")
    started = time.perf_counter()
    with tour.client() as client:
        for number in range(60):
            client.get(f"/users/{number % 10 + 1}")
    elapsed = time.perf_counter() - started
    tour.server.set_limits()
    seen = tour.routes("GET /users/{id}")
    tour.console.print(
        f"60 requests in {elapsed:.1f}s ({60 / elapsed:.1f}/s): the client read the server's "
        f"RateLimit headers and paced itself; 429s received: {seen.get('429', 0)}"
    )
    tour.check("rate limits", seen.get("429", 0) == 0)


async def _pagination(tour: _Tour) -> None:
    tour.heading("5. Pagination: all 5,000 photos, style auto-detected, 10% faults on")
    tour.server.set_faults(route="GET /photos", probability=0.1, kind="status", status=503)
    policy = tether.Retry(attempts=6, initial_wait=0.01, max_wait=0.1)
    table = Table("first query", "items", "unique", "in order", "s", "detected")
    queries: list[dict[str, Any]] = [
        {"page": 1, "per_page": 100},  # GitHub style: Link header
        {"_page": 1, "_limit": 100},  # json-server 0.17: Link header
        {"offset": 0, "limit": 100},  # offset/limit with X-Total-Count
        {"cursor": "", "limit": 100},  # cursor envelope
        {"_page": 1, "_per_page": 100},  # json-server 1.x pages envelope
    ]
    complete = 0
    async with tether.AsyncClient(
        base_url=tour.server.url, retry=policy, hooks=[tour.counter]
    ) as client:
        for params in queries:
            started = time.perf_counter()
            pager = client.paginate("/photos", params=params)
            ids = [photo["id"] async for photo in pager]
            complete += ids == list(range(1, 5001))
            table.add_row(
                "&".join(f"{key}={value}" for key, value in params.items()),
                str(len(ids)),
                str(len(set(ids))),
                "yes" if ids == sorted(ids) else "NO",
                f"{time.perf_counter() - started:.2f}",
                pager.detection.reason if pager.detection else "-",
            )
    tour.server.set_faults()
    tour.console.print(table)
    tour.console.print(f"page requests the server answered: {tour.routes('GET /photos')}")
    tour.check("pagination", complete == len(queries))


def _pages_committed(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            row = db.execute("SELECT pages FROM tether_pull").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0]) if row else 0


def _bulk_pull(tour: _Tour, workdir: Path) -> None:
    tour.heading("6. Bulk pull: killed mid-way with SIGKILL, then resumed; 10% faults on")
    database = workdir / "photos.db"
    url = f"{tour.server.url}/photos"
    args = [url, "_page==1", "_limit==50"]
    command = [sys.executable, "-m", "tether", "pull", *args, "--out", str(database),
               "--no-progress"]
    tour.server.set_faults(
        {"route": "GET /photos", "probability": 0.1, "kind": "status", "status": 503},
        {"route": "GET /photos", "probability": 1, "kind": "latency", "delay": "10ms"},
    )
    tour.console.print(f"$ tether pull {' '.join(args)} --out photos.db")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while _pages_committed(database) < 20 and time.monotonic() < deadline:
        if process.poll() is not None:
            break
        time.sleep(0.02)
    process.kill()
    process.wait()
    before = _pages_committed(database)
    tour.console.print(
        f"[red]killed[/] (SIGKILL) after {before} of 100 pages were committed; running the "
        "same command again resumes from the checkpoint stored with the last page:"
    )
    result = run_pull(
        url, args[1:], out=database, fmt=None, table=None, id_path="id", restart=False,
        concurrency=1, style="auto", items_path=None, auth=None,
        network=NetworkOptions(), show_progress=tour.console.is_terminal,
    )
    tour.server.set_faults()
    tour.counter.requests += result.requests
    tour.counter.retries += result.retries
    tour.counter.rate_limited += result.rate_limited
    with sqlite3.connect(database) as db:
        ids = [row[0] for row in db.execute("SELECT id FROM photos ORDER BY rowid")]
        stored = [row[0] for row in db.execute("SELECT item FROM photos LIMIT 1")]
    tour.items_pulled = len(ids)
    tour.verified = sorted(ids) == list(range(1, 5001)) and result.done
    tour.console.print(
        f"resumed at page {before + 1}: {result.pages - before} more pages, "
        f"{result.requests} requests, {result.retries} retries in {result.seconds:.1f}s; "
        f"photos.db holds {len(ids)} photos, {len(set(ids))} distinct ids"
        + (f", e.g. {stored[0][:60]}..." if stored else "")
    )
    tour.check("bulk pull", tour.verified and 0 < before < 100)


def _summary(tour: _Tour) -> None:
    stats = tour.server.stats()
    table = Table("measure", "value", title="Summary")
    table.add_row("requests the server answered", str(stats["total"]))
    table.add_row("retries by the clients", str(tour.counter.retries))
    table.add_row("429s received", str(stats["by_status"].get("429", 0)))
    table.add_row("items pulled", str(tour.items_pulled))
    table.add_row("data verified complete", "yes" if tour.verified else "[red]NO")
    passed = sum(ok for _, ok in tour.results)
    table.add_row("steps that worked", f"{passed}/{len(tour.results)}")
    tour.console.print(table)


@app.command(rich_help_panel="Sandbox")
def demo() -> None:
    """Run a narrated tour of tether against a built-in sandbox API (about 20 seconds).

    Starts the sandbox in this process and shows safe defaults, typed errors, credentials
    from the environment, retries, rate limits, pagination and a bulk pull that is killed
    and resumed; ends with a summary table, and exits 1 if any step did not work.

    Example:

        tether demo
    """
    console = Console()
    def pagination(tour: _Tour) -> None:
        asyncio.run(_pagination(tour))

    steps: list[Callable[[_Tour], None]] = [
        _safe_defaults, _credentials, _retries, _rate_limits, pagination,
    ]
    with serve_in_thread(SandboxConfig()) as server, tempfile.TemporaryDirectory() as workdir:
        console.print(f"[bold green]sandbox API running at {server.url}[/]")
        console.print(f"watch it live: {server.dashboard_url}")
        tour = _Tour(server, console)
        steps.append(functools.partial(_bulk_pull, workdir=Path(workdir)))
        for step in steps:
            try:
                step(tour)
            except Exception as exc:
                # A step that breaks is reported and the tour goes on, so the summary and
                # the exit status say what did not work.
                tour.check(f"{type(exc).__name__}: {exc}", False)
        tour.heading(f"done: the server handled {server.stats()['total']} requests")
        _summary(tour)
    failed = [name for name, ok in tour.results if not ok]
    if failed:
        console.print(f"[bold red]{len(failed)} step(s) did not work:[/] {', '.join(failed)}")
        raise typer.Exit(1)
