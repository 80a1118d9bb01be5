"""How a request command shows the exchange: HTTPie's ``--print`` letters and ``--pretty``.

On a terminal the response headers and a coloured, indented body; piped, the body's bytes
exactly as they arrived. Credential-carrying headers are always shown as ``[REDACTED]``.
"""

from __future__ import annotations

import io
import json
import sys
from enum import StrEnum
from typing import Any, BinaryIO

import httpx2
import typer
from rich.console import Console
from rich.highlighter import JSONHighlighter
from rich.text import Text

from tether._redact import REDACTED, is_sensitive_header

__all__ = ["Pretty", "Printer", "print_letters"]

_LETTERS = frozenset("HBhbm")


class Pretty(StrEnum):
    """HTTPie's ``--pretty`` choices."""

    ALL = "all"
    COLORS = "colors"
    FORMAT = "format"
    NONE = "none"


def print_letters(
    given: str | None, *, verbose: bool, headers: bool, body: bool, tty: bool, offline: bool
) -> str:
    """Which parts to print: H request headers, B request body, h/b the response's."""
    if given is not None:
        unknown = sorted(set(given) - _LETTERS)
        if unknown or not given:
            raise typer.BadParameter(
                f"unknown letter(s) {''.join(unknown)!r}; use H (request headers), "
                "B (request body), h (response headers), b (response body), m (elapsed "
                "time)",
                param_hint="--print",
            )
        return given
    if verbose:
        return "HBhb"
    if offline:
        return "HB"
    if headers:
        return "h"
    if body:
        return "b"
    return "hb" if tty else "b"


class Printer:
    """Writes requests and responses to stdout in the chosen parts and style."""

    def __init__(self, letters: str, pretty: Pretty, out: BinaryIO | None = None) -> None:
        self.letters = letters
        self.colors = pretty in (Pretty.ALL, Pretty.COLORS)
        self.format = pretty in (Pretty.ALL, Pretty.FORMAT)
        self._out = out if out is not None else sys.stdout.buffer
        self._console = Console(
            file=io.StringIO(),
            force_terminal=self.colors,
            no_color=not self.colors,
            highlight=False,
            soft_wrap=True,
            emoji=False,
            markup=False,
        )
        self._printed_part = False
        self._ended_line = True

    def _gap(self) -> None:
        """A blank line between parts (a raw body may not end its own line)."""
        if self._printed_part:
            self._write_text("\n" if self._ended_line else "\n\n")
        self._printed_part = True

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._out.flush()
        self._ended_line = data.endswith(b"\n")

    def _write_text(self, text: str) -> None:
        self._write(text.encode("utf-8"))

    def _print(self, renderable: Text) -> None:
        with self._console.capture() as captured:
            self._console.print(renderable, end="")
        self._write_text(captured.get())

    def request(self, request: httpx2.Request) -> None:
        if "H" in self.letters:
            self._gap()
            target = request.url.raw_path.decode("ascii", errors="replace")
            self._head(f"{request.method} {target} HTTP/1.1", request.headers)
        if "B" in self.letters and request.content:
            self._gap()
            self._body(request.content, request.headers.get("content-type", ""))
            if not self._ended_line:
                # Only the response body is passed on byte for byte; end the request's line.
                self._write(b"\n")

    def response(self, response: httpx2.Response) -> None:
        if "h" in self.letters:
            self._gap()
            version = response.http_version or "HTTP/1.1"
            self._head(
                f"{version} {response.status_code} {response.reason_phrase}", response.headers
            )
        if "b" in self.letters and response.content:
            self._gap()
            self._body(response.content, response.headers.get("content-type", ""))
        if "m" in self.letters:
            self._gap()
            self._write_text(f"Elapsed time: {response.elapsed.total_seconds():.3f}s\n")

    def _head(self, first_line: str, headers: httpx2.Headers) -> None:
        lines: list[tuple[str, str | None]] = [(first_line, None)]
        for raw_name, raw_value in headers.raw:
            name = raw_name.decode("latin-1")
            shown = REDACTED if is_sensitive_header(name) else raw_value.decode("latin-1")
            lines.append((name, shown))
        if not self.colors:
            text = "\n".join(line if value is None else f"{line}: {value}" for line, value in lines)
            self._write_text(text + "\n")
            return
        out = Text()
        for line, value in lines:
            if value is None:
                out.append(line + "\n", style="bold")
            else:
                out.append(line, style="cyan")
                out.append(": ")
                out.append(value + "\n")
        self._print(out)

    def _body(self, content: bytes, content_type: str) -> None:
        if not (self.colors or self.format):
            self._write(content)
            return
        data: Any = None
        is_json = False
        if "json" in content_type or content[:1] in (b"{", b"["):
            try:
                data = json.loads(content)
                is_json = True
            except ValueError:
                pass
        if not is_json:
            text = content.decode("utf-8", errors="replace")
            if "\x00" in text:
                self._write_text(f"[binary body: {len(content)} bytes not shown on a terminal]\n")
                return
            self._write_text(text if text.endswith("\n") else text + "\n")
            return
        text = json.dumps(data, indent=4, ensure_ascii=False) if self.format else content.decode(
            "utf-8", errors="replace"
        )
        if self.colors:
            self._print(JSONHighlighter()(Text(text + "\n")))
        else:
            self._write_text(text + "\n")
