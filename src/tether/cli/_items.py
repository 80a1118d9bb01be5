"""HTTPie's request-item syntax, parsed into what a request needs: pure, no I/O but reading
the files an item names.

=============  =================================  ===========================
item           meaning                            example
=============  =================================  ===========================
``H:v``        header                             ``Accept:application/json``
``H:``         drop that header (a default one)   ``User-Agent:``
``H;``         header with an empty value         ``X-Empty;``
``p==v``       query parameter (repeatable)       ``_limit==5``
``f=v``        body field, a string               ``title=hello``
``f:=j``       body field, raw JSON               ``userId:=1``
``f=@file``    body field, the file's text        ``body=@post.txt``
``f:=@file``   body field, the file's JSON        ``tags:=@tags.json``
``f@file``     file upload (multipart form)       ``photo@cat.jpg``
=============  =================================  ===========================

The first separator in the item wins (the longest one when several start there), so values
may contain separators freely; a backslash before a separator character in the name makes
it literal (``'a\\:b=c'`` is the field ``a:b``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ItemError", "RequestItems", "normalize_url", "parse_items"]

# Longest first, so ``:=@`` wins over ``:=`` and ``:`` at the same position.
_SEPARATORS = (":=@", "==", ":=", "=@", "=", "@", ":", ";")
_SEPARATOR_CHARS = frozenset(":=@;")
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


class ItemError(ValueError):
    """A request item that cannot be understood; the message names the item."""


@dataclass
class RequestItems:
    """What the request items of one command line add up to."""

    headers: list[tuple[str, str]] = field(default_factory=list)
    dropped_headers: list[str] = field(default_factory=list)
    params: list[tuple[str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    """Body fields, in order (strings, or any JSON value from ``:=``)."""
    raw_json_fields: list[str] = field(default_factory=list)
    """Names of fields given as raw JSON (``:=``), which a form cannot carry."""
    files: list[tuple[str, Path]] = field(default_factory=list)

    @property
    def has_body(self) -> bool:
        return bool(self.data or self.files)


def _split(item: str) -> tuple[str, str, str]:
    """``(name, separator, value)`` with the name's escapes resolved."""
    name: list[str] = []
    index = 0
    while index < len(item):
        char = item[index]
        if char == "\\" and index + 1 < len(item) and item[index + 1] in _SEPARATOR_CHARS | {"\\"}:
            name.append(item[index + 1])
            index += 2
            continue
        if char in _SEPARATOR_CHARS:
            for separator in _SEPARATORS:
                if item.startswith(separator, index):
                    return "".join(name), separator, item[index + len(separator) :]
        name.append(char)
        index += 1
    raise ItemError(
        f"{item!r} is not a request item: expected Header:value, param==value, field=value, "
        "field:=json or field@file (a URL must come first, before the items)"
    )


def _read(path_text: str, item: str) -> tuple[Path, str]:
    path = Path(path_text).expanduser()
    try:
        return path, path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ItemError(f"{item!r}: cannot read {path_text!r}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ItemError(
            f"{item!r}: {path_text!r} is not UTF-8 text; upload it as a file with "
            f"{item.split('=', 1)[0]}@{path_text}"
        ) from None


def _json(text: str, item: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ItemError(
            f"{item!r}: the value after := must be JSON ({exc}); for a string use = instead"
        ) from None


def parse_items(items: list[str]) -> RequestItems:
    """Parse request items in order; raises :class:`ItemError` naming a bad one.

    >>> r = parse_items(["X-Trace:1", "_limit==5", "title=hi", "userId:=1"])
    >>> r.headers, r.params, r.data
    ([('X-Trace', '1')], [('_limit', '5')], {'title': 'hi', 'userId': 1})
    """
    result = RequestItems()
    for item in items:
        name, separator, value = _split(item)
        if separator in (":", ";"):
            if not _HEADER_NAME.match(name):
                raise ItemError(
                    f"{item!r}: {name!r} is not a valid header name (letters, digits and "
                    "-_.!#$%&'*+^`|~ only); escape a literal colon in a field name as \\:"
                )
            if separator == ":" and value == "":
                result.dropped_headers.append(name)
            else:
                result.headers.append((name, value.strip() if separator == ":" else ""))
            continue
        if not name:
            raise ItemError(f"{item!r} has nothing before {separator!r}: name the field first")
        if separator == "==":
            result.params.append((name, value))
        elif separator == "=":
            result.data[name] = value
        elif separator == "=@":
            result.data[name] = _read(value, item)[1]
        elif separator == ":=":
            result.data[name] = _json(value, item)
            result.raw_json_fields.append(name)
        elif separator == ":=@":
            result.data[name] = _json(_read(value, item)[1], item)
            result.raw_json_fields.append(name)
        else:  # "@"
            path = Path(value).expanduser()
            if not path.is_file():
                raise ItemError(f"{item!r}: {value!r} is not a file that can be uploaded")
            result.files.append((name, path))
    return result


def normalize_url(url: str) -> str:
    """HTTPie's shorthands: ``:8000/x`` is localhost port 8000, a missing scheme is http.

    >>> normalize_url(":8000/todos/1"), normalize_url(":/posts"), normalize_url("example.org")
    ('http://localhost:8000/todos/1', 'http://localhost/posts', 'http://example.org')
    """
    if url.startswith(":"):
        rest = url[1:]
        port, slash, path = rest.partition("/")
        if port and not port.isdigit():
            raise ItemError(
                f"URL {url!r}: after the leading colon comes a port number (:8000/path)"
            )
        return f"http://localhost{':' + port if port else ''}{slash}{path}"
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url):
        return url
    return "http://" + url
