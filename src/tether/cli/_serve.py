"""``tether serve``: run the sandbox API in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from tether.cli._app import app
from tether.sandbox import ENV_VARS, SandboxConfig, serve_in_thread
from tether.sandbox._config import DEFAULT_SEED, DEFAULT_TOKEN_TTL

__all__ = ["serve"]


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on; 0 picks a free one.")] = 8000,
    db: Annotated[
        Path | None,
        typer.Option(help="SQLite file keeping data across restarts (default: in memory)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated data.")] = DEFAULT_SEED,
    token_ttl: Annotated[
        float, typer.Option(help="Lifetime in seconds of OAuth2 access tokens.")
    ] = DEFAULT_TOKEN_TTL,
    api_key: Annotated[
        str | None, typer.Option(envvar=ENV_VARS["api_key"], help="Key for X-API-Key.")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(envvar=ENV_VARS["bearer_token"], help="Static Bearer token."),
    ] = None,
    username: Annotated[
        str | None, typer.Option(envvar=ENV_VARS["username"], help="HTTP Basic user name.")
    ] = None,
    password: Annotated[
        str | None, typer.Option(envvar=ENV_VARS["password"], help="HTTP Basic password.")
    ] = None,
    client_id: Annotated[
        str | None, typer.Option(envvar=ENV_VARS["client_id"], help="OAuth2 client id.")
    ] = None,
    client_secret: Annotated[
        str | None,
        typer.Option(envvar=ENV_VARS["client_secret"], help="OAuth2 client secret."),
    ] = None,
) -> None:
    """Serve the sandbox: a JSONPlaceholder-compatible REST API on SQLite.

    Credentials not given use the documented defaults in tether.sandbox (DEFAULT_API_KEY...).
    """
    if not 0 <= port <= 65535:
        raise typer.BadParameter(f"must be from 0 to 65535, got {port}", param_hint="--port")
    try:
        config = SandboxConfig(
            seed=seed,
            db=str(db) if db is not None else None,
            token_ttl=token_ttl,
        ).replace(**{
            name: value
            for name, value in {
                "api_key": api_key, "bearer_token": token, "username": username,
                "password": password, "client_id": client_id, "client_secret": client_secret,
            }.items()
            if value
        })
    except (TypeError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        with serve_in_thread(config, host=host, port=port) as server:
            where = f"data in {config.db}" if config.db else f"seed {config.seed}, in memory"
            typer.echo(f"tether sandbox listening on {server.url} ({where}); Ctrl-C stops it",
                       )
            while not stop.wait(0.5):
                pass
    except KeyboardInterrupt:
        pass
    except (OSError, RuntimeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    typer.echo("tether sandbox stopped")
