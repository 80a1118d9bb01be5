"""Help that reads as a person wrote it: ``--port PORT``, ``--db FILE``, flags bare.

typer shows each option's Python type as its placeholder (``<str>``, ``<bool>``,
``<list[str]>``). The group below gives every option that has no metavar of its own the
command-line convention instead: nothing for a flag, ``FILE`` for a path, and the
option's name in capitals otherwise (``--rate-limit RATE_LIMIT``). Options that set a
metavar keep it.

typer carries its own copy of click, so parameters are recognised by what they have
(option strings, ``is_flag``) rather than by click's classes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from typer.core import TyperGroup

__all__ = ["ReadableGroup"]


class ReadableGroup(TyperGroup):
    """The ``tether`` command group; its own and its commands' options get readable
    placeholders in ``--help``."""

    def get_params(self, ctx: Any) -> Any:
        params = super().get_params(ctx)
        _name_placeholders(params)
        return params

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            help_option = command.get_help_option(ctx)
            _name_placeholders([*command.params, *([help_option] if help_option else [])])
        return command


def _name_placeholders(params: Iterable[Any]) -> None:
    for param in params:
        if getattr(param, "param_type_name", "") != "option" or param.metavar is not None:
            continue
        if param.is_flag or param.count:
            param.metavar = ""
        elif _is_path(param):
            param.metavar = "FILE"
        else:
            long_names = [opt for opt in param.opts if opt.startswith("--")]
            name = (long_names or param.opts)[0].lstrip("-")
            param.metavar = name.upper().replace("-", "_")


def _is_path(param: Any) -> bool:
    # typer describes a parameter's type in ``type_descriptor``; click in ``type``.
    described = getattr(param, "type_descriptor", None)
    if described is not None:
        return bool(getattr(described, "is_path", False) or getattr(described, "is_file", False))
    return type(getattr(param, "type", None)).__name__ in ("Path", "File")
