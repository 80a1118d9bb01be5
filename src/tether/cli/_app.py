"""The typer application that every ``tether`` subcommand registers on."""

from __future__ import annotations

import functools
import importlib
import sys
from typing import Annotated, Any

import typer
import typer.main

from tether import __version__

app = typer.Typer(
    name="tether",
    help="Talk to REST APIs reliably, and run a local sandbox API to practise on.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    # Markdown: paragraphs wrap to the terminal and examples stay code blocks.
    rich_markup_mode="markdown",
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
_COMMAND_MODULES = (
    "tether.cli._serve",
    "tether.cli._request",
    "tether.cli._pull",
    "tether.cli._demo",
)


# The module defining each command, so that running one imports only what it needs (the
# sandbox alone costs half a second); help and unknown names load them all.
_MODULE_OF_COMMAND = {
    "serve": "tether.cli._serve",
    "pull": "tether.cli._pull",
    "demo": "tether.cli._demo",
    **dict.fromkeys(
        ("get", "post", "put", "patch", "delete", "head", "options"), "tether.cli._request"
    ),
}


def _load_commands(args: list[str] | None = None) -> None:
    command = next((arg for arg in args or [] if not arg.startswith("-")), None)
    wanted = _MODULE_OF_COMMAND.get(command or "")
    for name in _COMMAND_MODULES:
        if wanted is None or name == wanted:
            importlib.import_module(name)


def _optional_values(args: list[str]) -> list[str]:
    """``--paginate`` alone means ``--paginate=auto``.

    click options either always or never take a value; written bare, the URL after it would
    be read as the style, so the bare flag is spelled out before click sees it.
    """
    if "--" in args:
        cut = args.index("--")
        return [*_optional_values(args[:cut]), *args[cut:]]
    return ["--paginate=auto" if arg == "--paginate" else arg for arg in args]


def _label(param: Any, ctx: Any) -> str:
    """What the help shows beside an option: its metavar (SECONDS, FILE), its choices, or
    nothing for a flag or an argument (whose name is already shown)."""
    if param.param_type_name == "argument" or getattr(param, "is_flag", False):
        return ""
    if param.metavar:
        return str(param.metavar)
    descriptor = getattr(param, "type_descriptor", None)
    choices = getattr(descriptor, "choices", None) if descriptor is not None else None
    if choices:
        return "|".join(str(getattr(choice, "value", choice)) for choice in choices)
    return str(param.name or "value").upper()


def _relabel(param: Any) -> Any:
    if param is not None and hasattr(param, "display_type_rich"):
        param.display_type_rich = functools.partial(_label, param)
    return param


def _readable_help(command: Any) -> None:
    """typer labels options with Python types (``<str>``, ``<bool>``); show what a person
    would write instead (the metavar, the choices, nothing for a flag), on every command.

    typer builds these objects afresh for each run, so setting the method on them changes
    nothing else.
    """
    for param in command.params:
        _relabel(param)
    original = command.get_help_option
    command.get_help_option = lambda ctx: _relabel(original(ctx))
    for sub in getattr(command, "commands", {}).values():
        _readable_help(sub)


def build_command(args: list[str] | None = None) -> Any:
    """The click command ``tether`` runs for ``args`` (every command when ``None``), with
    readable help."""
    _load_commands(args)
    command = typer.main.get_command(app)
    _readable_help(command)
    return command


def main() -> None:
    """Entry point of the ``tether`` console script."""
    args = _optional_values(sys.argv[1:])
    build_command(args).main(args=args, prog_name="tether")
