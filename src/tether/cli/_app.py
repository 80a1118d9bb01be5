"""The typer application that every ``tether`` subcommand registers on."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from tether import __version__
from tether.cli._help import ReadableGroup

app = typer.Typer(
    name="tether",
    help="Talk to REST APIs reliably, and run a local sandbox API to practise on.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    cls=ReadableGroup,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"tether {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print tether's version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Talk to REST APIs reliably, and run a local sandbox API to practise on."""
    # A callback keeps ``tether`` a command group even while only one command is
    # registered; without it typer would run that command as the root and reject its name.


# Each command lives in its own module and registers itself on ``app`` when imported.
_COMMAND_MODULES = ("tether.cli._serve",)


def _load_commands() -> None:
    for name in _COMMAND_MODULES:
        importlib.import_module(name)


def main() -> None:
    """Entry point of the ``tether`` console script."""
    _load_commands()
    app()
