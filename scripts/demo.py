"""A tour of the sandbox API: start it in this process, call it with plain httpx2, print
the real answers. Exits by itself (``make demo``)."""

from __future__ import annotations

import json
from typing import Any

import httpx2
from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax

from tether.sandbox import DEFAULT_API_KEY, SandboxConfig, serve_in_thread

console = Console()


def show(title: str, response: httpx2.Response, *, headers: tuple[str, ...] = (),
         body: Any = None) -> None:
    """Print one exchange: request line, status, chosen headers and the (trimmed) body."""
    request = response.request
    lines = [f"[bold]{request.method} {request.url.raw_path.decode()}[/] -> "
             f"[bold {'green' if response.is_success else 'red'}]{response.status_code} "
             f"{response.reason_phrase}[/]"]
    lines += [f"[dim]{name}:[/] {response.headers[name]}" for name in headers
              if name in response.headers]
    console.print(Panel("\n".join(lines), title=title, title_align="left", expand=False))
    shown = response.json() if body is None and response.content else body
    if shown is not None:
        text = json.dumps(shown, indent=2, ensure_ascii=False)
        console.print(Syntax(text, "json", word_wrap=True, theme="ansi_dark"))


def main() -> None:
    with serve_in_thread(SandboxConfig()) as server, httpx2.Client(base_url=server.url) as api:
        console.rule(f"tether sandbox at {server.url}")

        show("One todo", api.get("/todos/1"))
        show("A missing one is a JSON 404", api.get("/todos/9999"))

        posts = api.get("/posts", params={"userId": 1})
        show("Filter: posts of user 1 (first 2 of "
             f"{len(posts.json())} shown)", posts, body=posts.json()[:2])

        created = api.post("/posts", json={"userId": 1, "title": "hello", "body": "sandbox"})
        show("Create: stored, with the next id", created, headers=("location",))

        invalid = api.post("/posts", json={"userId": "one", "title": "x", "body": "y"})
        show("Validation names the field", invalid)

        page = api.get("/posts", params={"page": 2, "per_page": 3})
        show("GitHub-style page: Link and X-Total-Count", page,
             headers=("link", "x-total-count"), body=[p["id"] for p in page.json()])

        cursor = api.get("/comments", params={"cursor": "", "limit": 2})
        envelope = cursor.json()
        show("Cursor envelope", cursor, body={**envelope, "data": [
            {"id": c["id"], "name": c["name"]} for c in envelope["data"]]})

        show("/profile without credentials", api.get("/profile"),
             headers=("www-authenticate",))
        profile = api.get("/profile", headers={"X-API-Key": DEFAULT_API_KEY})
        show("/profile with the default API key", profile, headers=("x-authenticated-by",),
             body={k: profile.json()[k] for k in ("id", "name", "email")})

        show("Teaching errors: /status/503", api.get("/status/503",
                                                     params={"retry_after": 2}),
             headers=("retry-after",))

        stats = server.stats()
        console.print(Panel(
            "\n".join(f"{route:28} {counts}" for route, counts in stats["routes"].items()),
            title=f"Server stats: {stats['total']} requests", title_align="left",
            expand=False))
    console.rule("sandbox stopped")


if __name__ == "__main__":
    main()
