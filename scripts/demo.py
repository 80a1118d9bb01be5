"""tether's main job, end to end, against the embedded sandbox (``make demo``).

Starts the sandbox API in this process, then shows what a tether client does that a bare
HTTP client leaves to you: safe defaults and typed errors, credentials from the
environment that never reach a log, retries that ride out a flaky server without
hammering it, pacing that follows the server's rate limit, and pagination that returns
every item exactly once. Every figure printed is measured from the server's own stats.
Exits by itself in well under a minute.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from rich.console import Console
from rich.table import Table

import tether
from tether.sandbox import DEFAULT_API_KEY, SandboxConfig, SandboxServer, serve_in_thread

console = Console()


def heading(text: str) -> None:
    console.rule(f"[bold]{text}")


def requests_seen(server: SandboxServer, route: str) -> dict[str, int]:
    """Responses the server sent on ``route``, by status (``{"200": 98, "503": 31}``)."""
    counts: dict[str, int] = server.stats()["routes"].get(route, {})
    return counts


def safe_defaults(server: SandboxServer) -> None:
    heading("1. Safe defaults: a timeout always, typed errors, honest JSON errors")
    with tether.Client(base_url=server.url) as client:
        console.print(f"timeout: {client.timeout}")
        todo = client.get("/todos/1").json()
        console.print(f"GET /todos/1 -> {todo}")
        try:
            client.get("/todos/9999")
        except tether.NotFound as error:
            console.print(f"GET /todos/9999 raised [red]{type(error).__name__}[/]: {error}")
        try:
            client.post("/posts", json={"userId": "one", "title": "t", "body": "b"})
        except tether.UnprocessableEntity as error:
            console.print(f"invalid POST raised [red]{type(error).__name__}[/]: {error}")


def credentials(server: SandboxServer) -> None:
    heading("2. Credentials from the environment, never in a log or repr")
    os.environ["SANDBOX_API_KEY"] = DEFAULT_API_KEY  # as a deployment would set it
    auth = tether.APIKeyAuth.from_env("SANDBOX_API_KEY")
    with tether.Client(base_url=server.url, auth=auth) as client:
        profile = client.get("/profile").json()
        console.print(f"GET /profile as {profile['username']!r}; the auth object: {auth!r}")
    try:
        tether.BearerAuth.from_env("SANDBOX_TOKEN_THAT_IS_NOT_SET")
    except tether.MissingCredentialError as error:
        console.print(f"missing variable: [red]{error}[/]")


def retries(server: SandboxServer) -> None:
    heading("3. Retries: 200 GETs while 30% of responses are 503")
    calls = 200
    server.set_faults(route="GET /posts/*", probability=0.3, kind="status", status=503)
    started = time.perf_counter()
    failed = 0
    # Short waits keep the demo quick; the defaults start at 0.5 s and cap at 8 s.
    policy = tether.Retry(attempts=8, initial_wait=0.01, max_wait=0.1)
    with tether.Client(base_url=server.url, retry=policy) as client:
        for number in range(calls):
            try:
                client.get(f"/posts/{number % 100 + 1}")
            except (tether.ServerError, tether.RetryError):
                failed += 1
    server.set_faults()
    seen = requests_seen(server, "GET /posts/{id}")
    sent = sum(seen.values())
    console.print(
        f"{calls - failed}/{calls} calls succeeded in {time.perf_counter() - started:.1f}s; "
        f"the server answered {sent} requests ({seen.get('503', 0)} of them 503): "
        f"{sent / calls:.2f}x amplification, bounded by a client-wide retry budget"
    )


def rate_limits(server: SandboxServer) -> None:
    heading("4. Rate limits: the server allows 20/s; the client has no limit configured")
    server.set_limits("20/s")
    started = time.perf_counter()
    with tether.Client(base_url=server.url) as client:
        for number in range(60):
            client.get(f"/users/{number % 10 + 1}")
    elapsed = time.perf_counter() - started
    server.set_limits()
    seen = requests_seen(server, "GET /users/{id}")
    console.print(
        f"60 requests in {elapsed:.1f}s ({60 / elapsed:.1f}/s): the client read the server's "
        f"RateLimit headers and paced itself; 429s received: {seen.get('429', 0)}"
    )


async def pagination(server: SandboxServer) -> None:
    heading("5. Pagination: all 5,000 photos, style auto-detected, 10% faults on")
    server.set_faults(route="GET /photos", probability=0.1, kind="status", status=503)
    policy = tether.Retry(attempts=6, initial_wait=0.01, max_wait=0.1)
    table = Table("first query", "items", "unique", "in order", "s", "detected")
    queries: list[dict[str, Any]] = [
        {"page": 1, "per_page": 100},  # GitHub style: Link header
        {"_page": 1, "_limit": 100},  # json-server 0.17: Link header
        {"offset": 0, "limit": 100},  # offset/limit with X-Total-Count
        {"cursor": "", "limit": 100},  # cursor envelope
        {"_page": 1, "_per_page": 100},  # json-server 1.x pages envelope
    ]
    async with tether.AsyncClient(base_url=server.url, retry=policy) as client:
        for params in queries:
            started = time.perf_counter()
            pager = client.paginate("/photos", params=params)
            ids = [photo["id"] async for photo in pager]
            table.add_row(
                "&".join(f"{key}={value}" for key, value in params.items()),
                str(len(ids)),
                str(len(set(ids))),
                "yes" if ids == sorted(ids) else "NO",
                f"{time.perf_counter() - started:.2f}",
                pager.detection.reason if pager.detection else "-",
            )
    server.set_faults()
    console.print(table)
    seen = requests_seen(server, "GET /photos")
    console.print(f"page requests the server answered: {seen}")


def main() -> None:
    with serve_in_thread(SandboxConfig()) as server:
        console.print(f"[bold green]sandbox API running at {server.url}[/]")
        console.print(f"watch it live: {server.dashboard_url}")
        safe_defaults(server)
        credentials(server)
        retries(server)
        rate_limits(server)
        asyncio.run(pagination(server))
        heading(f"done: the server handled {server.stats()['total']} requests")


if __name__ == "__main__":
    main()
