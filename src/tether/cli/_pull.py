"""``tether pull URL --out FILE``: a whole collection into SQLite or JSONL, resumable after a
crash, SIGKILL or Ctrl-C with every item stored exactly once (see :mod:`._pull_store`)."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import httpx2
import typer

import tether
from tether._redact import redact_url
from tether.cli._app import app
from tether.cli._common import (
    STYLE_HELP,
    ApiKeyHeaderOpt,
    ApiKeyOpt,
    AuthEnvOpt,
    AuthOpt,
    AuthType,
    AuthTypeOpt,
    BearerOpt,
    Counter,
    DeadlineOpt,
    ExitCode,
    NetworkOptions,
    NoRetryOpt,
    RateLimitOpt,
    RetriesOpt,
    TimeoutOpt,
    build_auth,
    describe_error,
    exit_code_for,
    fail,
    make_client_options,
    paginate_strategy,
)
from tether.cli._items import ItemError, normalize_url, parse_items
from tether.cli._progress import PullProgress
from tether.cli._pull_store import (
    JSONLStore,
    PullState,
    SQLiteStore,
    Store,
    StoreError,
    table_name,
)

__all__ = ["PullResult", "pull"]

_OUTPUT = "Output"
_PAGING = "Pagination"


class Format(StrEnum):
    """Output formats of ``tether pull``."""

    sqlite = "sqlite"
    jsonl = "jsonl"


@dataclass(frozen=True)
class PullResult:
    """How a pull ended, for the summary line and for ``tether demo``."""

    items: int
    pages: int
    done: bool
    requests: int
    retries: int
    rate_limited: int
    seconds: float


def _format_for(out: Path, given: Format | None) -> Format:
    if given is not None:
        return given
    return Format.jsonl if out.suffix.lower() in (".jsonl", ".ndjson") else Format.sqlite


def _open_store(out: Path, fmt: Format, table: str, id_path: str) -> Store:
    if fmt is Format.jsonl:
        return JSONLStore(out, id_path)
    return SQLiteStore(out, table, id_path)


async def _run(
    store: Store,
    url: str,
    client_options: dict[str, Any],
    *,
    checkpoint: tether.Checkpoint | None,
    strategy: tether.Strategy | None,
    items_path: str | None,
    concurrency: int,
    deadline: float | None,
    counter: Counter,
    progress: PullProgress | None,
) -> tuple[int, int, bool]:
    options: dict[str, Any] = {}
    if deadline is not None:
        options["deadline"] = deadline
    async with tether.AsyncClient(**client_options) as client:
        pager = client.paginate(
            url, checkpoint=checkpoint, strategy=strategy, items=items_path,
            concurrency=concurrency, **options,
        )
        position = checkpoint if checkpoint is not None else pager.checkpoint
        async with pager:
            async for page in pager.pages():
                position = page.checkpoint
                store.commit(url, page.items, _state(url, position))
                if progress is not None:
                    progress.update(position.pages, position.items, page.total)
        final = pager.checkpoint
        if final.done and not position.done:
            # The pull ended without a page to carry the last checkpoint (an empty last
            # page, or a total reached): record that it is complete.
            store.commit(url, [], _state(url, final))
            position = final
    return position.items, position.pages, position.done


def _state(url: str, checkpoint: tether.Checkpoint) -> PullState:
    return PullState(url=url, checkpoint=checkpoint.to_json(), items=checkpoint.items,
                     pages=checkpoint.pages, done=checkpoint.done)


def run_pull(
    url: str,
    items: list[str],
    *,
    out: Path,
    fmt: Format | None,
    table: str | None,
    id_path: str,
    restart: bool,
    concurrency: int,
    style: str,
    items_path: str | None,
    auth: httpx2.Auth | None,
    network: NetworkOptions,
    show_progress: bool,
) -> PullResult:
    """Pull (or resume pulling) ``url`` into ``out``; raises ``typer.Exit`` on failure."""
    try:
        full_url = normalize_url(url)
        parsed = parse_items(items)
    except ItemError as exc:
        raise typer.BadParameter(str(exc), param_hint="URL/ITEM") from None
    if parsed.has_body:
        raise typer.BadParameter(
            "pull sends GET requests: only headers (H:v) and query parameters (p==v) apply",
            param_hint="ITEM",
        )
    if parsed.params:
        full_url = str(httpx2.URL(full_url).copy_merge_params(tuple(parsed.params)))
    strategy = paginate_strategy(style, "--style")
    if table is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", table):
        raise typer.BadParameter(
            f"{table!r} is not a table name: letters, digits and _ only, not starting with "
            "a digit", param_hint="--table",
        )
    store = _open_store(out, _format_for(out, fmt), table or table_name(full_url), id_path)
    try:
        saved = store.state()
    except StoreError as exc:
        if not restart:
            raise fail(f"--out: {exc}") from None
        saved = None
    if saved is not None and saved.url != full_url and not restart:
        raise fail(
            f"--out: {out} holds a pull of {redact_url(saved.url)}, not of "
            f"{redact_url(full_url)}; choose another --out, or add --restart to replace it"
        )
    if restart:
        try:
            store.reset()
        except StoreError as exc:
            raise fail(f"--out: {exc}") from None
        saved = None
    if saved is not None and saved.table and isinstance(store, SQLiteStore):
        if table and table != saved.table:
            raise fail(
                f"--table: {out} holds this pull in the table {saved.table!r}; leave --table "
                "out to resume there, or add --restart"
            )
        store.table = saved.table
    if saved is not None and saved.done:
        typer.echo(
            f"{out} already holds the complete pull of {redact_url(full_url)} "
            f"({saved.items} items); --restart pulls it again", err=True,
        )
        return PullResult(saved.items, saved.pages, True, 0, 0, 0, 0.0)
    checkpoint = None if saved is None else tether.Checkpoint.from_json(saved.checkpoint)
    counter = Counter()
    options = make_client_options(network, auth, parsed.headers, [counter])
    for name in parsed.dropped_headers:
        options["headers"] = [(k, v) for k, v in options["headers"] if k.lower() != name.lower()]
    progress = None
    if show_progress:
        progress = PullProgress(
            counter, description=out.name,
            items=0 if saved is None else saved.items, pages=0 if saved is None else saved.pages,
        )
    started = time.monotonic()
    try:
        got, pages, done = asyncio.run(_run(
            store, full_url, options, checkpoint=checkpoint, strategy=strategy,
            items_path=items_path, concurrency=concurrency, deadline=network.deadline,
            counter=counter, progress=progress,
        ))
    except KeyboardInterrupt:
        raise fail(
            f"interrupted; {out} keeps every page stored so far: run the same command again "
            "to resume", ExitCode.INTERRUPTED,
        ) from None
    except StoreError as exc:
        raise fail(str(exc)) from None
    except (httpx2.HTTPError, tether.TetherError) as exc:
        kept = (
            f"; {out} keeps every page stored so far: run the same command again to resume"
            if out.exists() else ""
        )
        raise fail(f"{describe_error(exc)}{kept}", exit_code_for(exc)) from None
    finally:
        if progress is not None:
            progress.close()
        store.close()
    return PullResult(got, pages, done, counter.requests, counter.retries,
                      counter.rate_limited, time.monotonic() - started)


@app.command(rich_help_panel="Bulk data")
def pull(
    url: Annotated[
        str,
        typer.Argument(metavar="URL", help="The collection's first page, e.g. "
                       ":8000/photos or https://api.example.org/items?per_page=100.",
                       show_default=False),
    ],
    items: Annotated[
        list[str] | None,
        typer.Argument(metavar="ITEM", help="Headers (Header:value) and query "
                       "parameters (param==value), as in tether get.", show_default=False),
    ] = None,
    out: Annotated[
        Path,
        typer.Option("--out", "-o", metavar="FILE", help="Where the items go: a SQLite "
                     "file, or JSON lines for FILE.jsonl / --format jsonl.",
                     rich_help_panel=_OUTPUT, show_default=False),
    ] = ...,  # type: ignore[assignment]
    fmt: Annotated[
        Format | None,
        typer.Option("--format", case_sensitive=False, help="sqlite or jsonl [default: from "
                     "FILE's extension, else sqlite].", rich_help_panel=_OUTPUT,
                     show_default=False),
    ] = None,
    table: Annotated[
        str | None,
        typer.Option("--table", metavar="NAME", help="SQLite table of the items [default: "
                     "the URL's last path segment].", rich_help_panel=_OUTPUT),
    ] = None,
    id_path: Annotated[
        str,
        typer.Option("--id", metavar="PATH", help="Dotted path of each item's unique id, "
                     "which keys the SQLite rows.", rich_help_panel=_OUTPUT),
    ] = "id",
    restart: Annotated[
        bool,
        typer.Option("--restart", help="Throw away what FILE holds and pull from the start.",
                     rich_help_panel=_OUTPUT),
    ] = False,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", "-c", metavar="N", min=1, max=64, help="Pages fetched "
                     "at once when the first page tells the total; items are still stored "
                     "in order.", rich_help_panel=_PAGING),
    ] = 1,
    style: Annotated[
        str,
        typer.Option("--style", metavar="STYLE", help=f"Pagination style: "
                     f"{STYLE_HELP}.", rich_help_panel=_PAGING),
    ] = "auto",
    items_path: Annotated[
        str | None,
        typer.Option("--items", metavar="PATH", help="Dotted path of the item list in each "
                     "page; found by itself for common shapes.", rich_help_panel=_PAGING),
    ] = None,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help="Show the progress bar [default: when "
                     "stderr is a terminal].", rich_help_panel=_OUTPUT, show_default=False),
    ] = None,
    auth: AuthOpt = None,
    auth_type: AuthTypeOpt = AuthType.basic,
    auth_env: AuthEnvOpt = None,
    bearer: BearerOpt = None,
    api_key: ApiKeyOpt = None,
    api_key_header: ApiKeyHeaderOpt = "X-API-Key",
    timeout: TimeoutOpt = None,
    retries: RetriesOpt = None,
    no_retry: NoRetryOpt = False,
    rate_limit: RateLimitOpt = None,
    deadline: DeadlineOpt = None,
) -> None:
    """Pull a whole collection into SQLite or JSONL; rerun to resume after a crash.

    Pages are fetched with retries and rate limiting; each page's items and the position
    after them are saved in one transaction, so a pull killed anywhere resumes where it
    stopped, with no item lost and none stored twice.

    Example:

        tether pull :8000/photos _limit==100 --out photos.db

        sqlite3 photos.db 'SELECT count(*) FROM photos'
    """
    network = NetworkOptions(timeout=timeout, retries=retries, no_retry=no_retry,
                             rate_limit=rate_limit, deadline=deadline)
    network.check()
    credentials = build_auth(
        auth=auth, auth_type=auth_type, auth_env=auth_env, bearer=bearer, api_key=api_key,
        api_key_header=api_key_header,
    )
    result = run_pull(
        url, items or [], out=out, fmt=fmt, table=table, id_path=id_path, restart=restart,
        concurrency=concurrency, style=style, items_path=items_path, auth=credentials,
        network=network, show_progress=sys.stderr.isatty() if progress is None else progress,
    )
    if result.seconds:
        state = "complete" if result.done else "stopped before the end; rerun to continue"
        typer.echo(
            f"pulled {result.items} items in {result.pages} pages into {out} "
            f"({state}) in {result.seconds:.1f}s: {result.requests} requests, "
            f"{result.retries} retries, {result.rate_limited} rate-limited (429)",
            err=True,
        )
