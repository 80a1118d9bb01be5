"""``tether serve``: run the sandbox API in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import errno
import math
import secrets
import signal
import socket
import threading
import webbrowser
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer

from tether.cli._app import app
from tether.sandbox import ENV_VARS, SandboxConfig, serve_in_thread
from tether.sandbox._admin_guard import is_loopback
from tether.sandbox._config import ADMIN_TOKEN_ENV, DEFAULT_SEED, DEFAULT_TOKEN_TTL
from tether.sandbox._faults import (
    FaultConfigError,
    FaultSet,
    faults_from_flags,
    load_fault_file,
)
from tether.sandbox._limits import RateLimitConfigError, parse_rates
from tether.sandbox._store import StoreError

__all__ = ["serve"]


def _from_env(field: str, help: str) -> Any:
    """A credential option that may also come from the variable ``ENV_VARS[field]``."""
    return typer.Option(envvar=ENV_VARS[field], help=help, metavar="VALUE")


def _listen_advice(cause: BaseException | None) -> str:
    """What to do when the listening socket cannot be bound."""
    code = getattr(cause, "errno", None)
    if code == errno.EADDRINUSE:
        return "; choose another --port, or --port 0 for a free one"
    if code == errno.EADDRNOTAVAIL:
        return "; --host must be an address of this machine, such as 127.0.0.1"
    if code == errno.EACCES:
        return "; ports below 1024 need privileges: choose a --port such as 8000"
    return ""


def _flag_error(message: str) -> typer.BadParameter:
    """The error of a fault flag, reported under that flag as the other options' are.

    The messages start with the flag they are about: ``--latency: expected ...`` or
    ``--fail-status needs --fail-rate ...``.
    """
    flag, sep, rest = message.partition(" ")
    if flag.startswith("--") and sep:
        return typer.BadParameter(rest, param_hint=flag.rstrip(":"))
    return typer.BadParameter(message)


def _where(config: SandboxConfig, asked_seed: int | None) -> tuple[str, str | None]:
    """Where the data lives and which seed generated it, for the start-up line, and a
    note when an existing database file overrules ``--seed``."""
    if not config.db:
        return f"seed {config.seed}, in memory", None
    if asked_seed is None or asked_seed == config.seed:
        return f"data in {config.db}, seed {config.seed}", None
    note = (
        f"note: --seed {asked_seed} is ignored: {config.db} already holds data generated "
        f"with seed {config.seed}, which is kept; POST /_sandbox/reset?seed={asked_seed} "
        "reseeds it"
    )
    return f"data in {config.db}, seed {config.seed} from the file", note


def _dashboard_line(url: str, token: str | None, generated: bool) -> str:
    """Where the dashboard is, and how to get past the admin token if there is one."""
    if token is None:
        return f"dashboard: {url}"
    if generated:
        return (f"dashboard: {url}#token={token} (admin token {token}, generated because "
                f"the sandbox listens beyond this machine; set one with --admin-token)")
    return f"dashboard: {url} (the page asks for the admin token)"


@app.command(rich_help_panel="Sandbox")
def serve(
    host: Annotated[
        str, typer.Option(metavar="ADDRESS", help="Interface to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(metavar="PORT", help="Port to listen on; 0 picks a free one.")
    ] = 8000,
    db: Annotated[
        Path | None,
        typer.Option(metavar="FILE",
                     help="SQLite file keeping data across restarts (default: in memory)."),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(metavar="N", help="Seed of the generated data and of the fault draws "
                     f"(default {DEFAULT_SEED}); a --db file that already holds data keeps its "
                     "own."),
    ] = None,
    token_ttl: Annotated[
        float,
        typer.Option(metavar="SECONDS", help="Lifetime in seconds of OAuth2 access tokens."),
    ] = DEFAULT_TOKEN_TTL,
    api_key: Annotated[str | None, _from_env("api_key", "Key for X-API-Key.")] = None,
    token: Annotated[str | None, _from_env("bearer_token", "Static Bearer token.")] = None,
    username: Annotated[str | None, _from_env("username", "HTTP Basic user name.")] = None,
    password: Annotated[str | None, _from_env("password", "HTTP Basic password.")] = None,
    client_id: Annotated[str | None, _from_env("client_id", "OAuth2 client id.")] = None,
    client_secret: Annotated[
        str | None, _from_env("client_secret", "OAuth2 client secret.")
    ] = None,
    fail_rate: Annotated[
        float | None,
        typer.Option(metavar="SHARE",
                     help="Share of requests (0..1) answered with --fail-status instead."),
    ] = None,
    fail_status: Annotated[
        int | None, typer.Option(metavar="STATUS",
                                help="Status sent by --fail-rate failures (default 503).")
    ] = None,
    latency: Annotated[
        str | None,
        typer.Option(metavar="DURATION",
                     help="Delay every request: fixed (150ms) or uniform range (20..200ms)."),
    ] = None,
    reset_rate: Annotated[
        float | None,
        typer.Option(metavar="SHARE",
                     help="Share of requests (0..1) whose connection is reset, no response."),
    ] = None,
    faults: Annotated[
        Path | None,
        typer.Option(metavar="FILE",
                     help="JSON or YAML file of fault rules (see docs/outage-drill.md)."),
    ] = None,
    rate_limit: Annotated[
        list[str] | None,
        typer.Option(metavar="RATE",
                     help="Server-side limit per client key, e.g. 100/s, 600/min; repeatable."),
    ] = None,
    admin_token: Annotated[
        str | None,
        typer.Option(envvar=ADMIN_TOKEN_ENV, metavar="TOKEN",
                     help="Token the /_sandbox/ admin routes and the dashboard require "
                     "(Authorization: Bearer). Without one they answer this machine only; "
                     "a --host other than loopback gets a random one, printed at start."),
    ] = None,
    open_dashboard: Annotated[
        bool,
        typer.Option("--open", help="Open the live dashboard in the default web browser."),
    ] = False,
) -> None:
    """Serve the sandbox: a JSONPlaceholder-compatible REST API on SQLite.

    Credentials not given use the documented defaults in tether.sandbox (DEFAULT_API_KEY...).

    Example:

        tether serve --port 8000 --fail-rate 0.1 --rate-limit 50/s
    """
    if not host.strip():
        raise typer.BadParameter(
            "must name an address such as 127.0.0.1, or 0.0.0.0 for every interface; "
            "an empty one would listen on every interface unannounced",
            param_hint="--host",
        )
    if not 0 <= port <= 65535:
        raise typer.BadParameter(f"must be from 0 to 65535, got {port}", param_hint="--port")
    if not (math.isfinite(token_ttl) and token_ttl > 0):
        raise typer.BadParameter(
            f"must be a positive number of seconds such as 3600, got {token_ttl:g}",
            param_hint="--token-ttl",
        )
    try:
        from_file = FaultSet() if faults is None else load_fault_file(faults)
    except FaultConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--faults") from None
    try:
        rules = faults_from_flags(
            fail_rate=fail_rate, fail_status=fail_status, latency=latency,
            reset_rate=reset_rate,
        )
    except FaultConfigError as exc:
        raise _flag_error(str(exc)) from None
    try:
        rates = parse_rates(rate_limit or [])
    except RateLimitConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--rate-limit") from None
    if admin_token is not None and not admin_token.strip():
        raise typer.BadParameter(
            "must not be empty; leave the option out to keep the admin routes to this "
            "machine", param_hint="--admin-token")
    generated = admin_token is None and not is_loopback(host)
    if generated:
        # Listening beyond this machine: the controls must not be open to the network.
        admin_token = secrets.token_urlsafe(18)
    credentials = {
        "api_key": api_key, "bearer_token": token, "username": username,
        "password": password, "client_id": client_id, "client_secret": client_secret,
    }
    for name, value in credentials.items():
        if value is not None and not value.strip():
            # Typically an unset shell variable ("--api-key=$KEY"); the default credential
            # would then be in force while the user believes theirs is.
            flag = "--token" if name == "bearer_token" else "--" + name.replace("_", "-")
            raise typer.BadParameter(
                "must not be empty; leave the option out to use the documented default",
                param_hint=flag,
            )
    try:
        config = SandboxConfig(
            seed=DEFAULT_SEED if seed is None else seed,
            db=str(db) if db is not None else None,
            token_ttl=token_ttl,
            faults=from_file.rules + rules,
            fault_seed=from_file.seed,
            rate_limits=rates,
            admin_token=admin_token,
        ).replace(**{name: value for name, value in credentials.items() if value})
    except (TypeError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        with serve_in_thread(config, host=host, port=port) as server:
            # An existing database file keeps its data and seed (the server's config says
            # which); the line must not let a --seed given alongside pass for in force.
            config = server.config
            where, note = _where(config, seed)
            if host in ("0.0.0.0", "::"):
                where += f", bound to {host}"
            typer.echo(f"tether sandbox listening on {server.url} ({where}); Ctrl-C stops it")
            if note:
                typer.echo(note)
            if config.faults or config.rate_limits:
                fault_seed = config.seed if config.fault_seed is None else config.fault_seed
                limits = ", ".join(rate.name for rate in config.rate_limits) or "none"
                typer.echo(
                    f"faults: {len(config.faults)} rule(s) under seed {fault_seed}; "
                    f"rate limits per client: {limits}"
                )
            typer.echo(_dashboard_line(server.dashboard_url, admin_token, generated))
            if open_dashboard:
                # The token rides in the fragment, which the browser never sends anywhere.
                fragment = f"#token={admin_token}" if admin_token else ""
                if not webbrowser.open(server.dashboard_url + fragment):
                    typer.echo("note: no web browser could be opened; visit the URL above")
            while not stop.wait(0.5):
                pass
    except KeyboardInterrupt:
        pass
    except StoreError as exc:
        # A path that cannot hold the database is bad input, like any other bad option.
        raise typer.BadParameter(str(exc), param_hint="--db") from None
    except OSError as exc:
        if isinstance(exc.__cause__, socket.gaierror):
            # A host name that does not resolve is a typo, not a busy port.
            raise typer.BadParameter(
                f"{exc}; give an address such as 127.0.0.1 or 0.0.0.0, or a host name",
                param_hint="--host",
            ) from None
        typer.echo(f"error: {exc}{_listen_advice(exc.__cause__)}", err=True)
        raise typer.Exit(1) from None
    except RuntimeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    typer.echo("tether sandbox stopped")
