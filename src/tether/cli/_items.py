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
it literal (``'a\\:b=c'`` is the field ``a:b``). As in HTTPie 3, a body field's name may
nest: ``user[name]=x`` is ``{"user": {"name": "x"}}``, ``tags[]=a`` appends to a list,
``rows[0][id]:=1`` sets by index; ``\\[`` and ``\\]`` are literal brackets.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tether._errors import ConfigurationError

__all__ = ["ItemError", "RequestItems", "normalize_url", "parse_items"]

# Longest first, so ``:=@`` wins over ``:=`` and ``:`` at the same position.
_SEPARATORS = (":=@", "==", ":=", "=@", "=", "@", ":", ";")
_SEPARATOR_CHARS = frozenset(":=@;")
_ESCAPABLE = _SEPARATOR_CHARS | {"\\", "[", "]"}
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


class ItemError(ConfigurationError):
    """A request item that cannot be understood; the message names the item."""


@dataclass
class RequestItems:
    """What the request items of one command line add up to."""

    headers: list[tuple[str, str]] = field(default_factory=list)
    dropped_headers: list[str] = field(default_factory=list)
    params: list[tuple[str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    """The JSON body: fields in order (strings, or any JSON value from ``:=``), nested
    where a name says so (``user[name]=x``)."""
    fields: list[tuple[str, Any]] = field(default_factory=list)
    """The same fields flat, names as written (``user[name]``), for a form."""
    raw_json_fields: list[str] = field(default_factory=list)
    """Names of fields given as raw JSON (``:=``), which a form cannot carry."""
    files: list[tuple[str, Path]] = field(default_factory=list)

    @property
    def has_body(self) -> bool:
        return bool(self.fields or self.files)


def _split(item: str) -> tuple[str, str, str]:
    """``(name, separator, value)``; the name keeps its escapes (see :func:`_unescape`)."""
    index = 0
    while index < len(item):
        char = item[index]
        if char == "\\" and index + 1 < len(item) and item[index + 1] in _ESCAPABLE:
            index += 2
            continue
        if char in _SEPARATOR_CHARS:
            for separator in _SEPARATORS:
                if item.startswith(separator, index):
                    return item[:index], separator, item[index + len(separator) :]
        index += 1
    raise ItemError(
        f"{item!r} is not a request item: expected Header:value, param==value, field=value, "
        "field:=json or field@file (a URL must come first, before the items)"
    )


def _unescape(name: str) -> str:
    return re.sub(r"\\([:=@;\[\]\\])", r"\1", name)


Path_ = list[str | int | None]
"""Where a nested field goes: keys, list indexes, ``None`` to append."""


def _path(raw: str, item: str) -> Path_:
    """``a[b][0][]`` -> ``["a", "b", 0, None]``; escaped brackets are part of a key."""
    path: Path_ = []
    buffer: list[str] = []
    inside = False
    index = 0
    while index < len(raw):
        char = raw[index]
        if char == "\\" and index + 1 < len(raw) and raw[index + 1] in _ESCAPABLE:
            buffer.append(raw[index + 1])
            index += 2
            continue
        if char == "[" and not inside:
            if not path:
                if not buffer:
                    raise ItemError(
                        f"{item!r}: a nested field starts with its name (user[name]=x); a "
                        "whole JSON array goes in --raw"
                    )
                path.append("".join(buffer))
            buffer, inside = [], True
        elif char == "]" and inside:
            segment = "".join(buffer)
            path.append(None if segment == "" else int(segment) if segment.isdigit() else segment)
            buffer, inside = [], False
            if index + 1 < len(raw) and raw[index + 1] != "[":
                raise ItemError(
                    f"{item!r}: after ] comes [ or the separator; escape a literal bracket "
                    "as \\[ or \\]"
                )
        else:
            buffer.append(char)
        index += 1
    if inside:
        raise ItemError(f"{item!r}: a [ is not closed; escape a literal bracket as \\[")
    return path or ["".join(buffer)]


def _set(data: dict[str, Any], path: Path_, value: Any, item: str) -> None:
    """Put ``value`` at ``path`` in ``data``, making the objects and lists on the way."""
    target: Any = data
    for position, segment in enumerate(path):
        last = position == len(path) - 1
        following = None if last else path[position + 1]
        fresh: Any = {} if isinstance(following, str) else []
        if isinstance(target, dict):
            if not isinstance(segment, str):
                raise ItemError(f"{item!r}: an object's field needs a name, not [{segment}]")
            if last:
                target[segment] = value
                continue
            target = target.setdefault(segment, fresh)
        elif segment is None:
            target.append(value if last else fresh)
            target = target[-1]
        elif isinstance(segment, int):
            if segment > len(target) + 1000:
                raise ItemError(f"{item!r}: index {segment} is far past the list's end")
            target.extend([None] * (segment + 1 - len(target)))
            if last:
                target[segment] = value
                continue
            if target[segment] is None:
                target[segment] = fresh
            target = target[segment]
        else:
            raise ItemError(f"{item!r}: [{segment}] names a field, but this part is a list")
        if not last and not isinstance(target, dict | list):
            raise ItemError(f"{item!r}: {path[position]!r} already holds a value, not an "
                            "object or list")
        if not last and isinstance(target, list) != (not isinstance(following, str)):
            kind = "a list" if isinstance(target, list) else "an object"
            raise ItemError(f"{item!r}: {path[position]!r} is {kind} already")


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
        raw_name, separator, value = _split(item)
        name = _unescape(raw_name)
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
            continue
        if separator == "@":
            path = Path(value).expanduser()
            if not path.is_file():
                raise ItemError(f"{item!r}: {value!r} is not a file that can be uploaded")
            result.files.append((name, path))
            continue
        if separator == "=":
            field_value: Any = value
        elif separator == "=@":
            field_value = _read(value, item)[1]
        elif separator == ":=":
            field_value = _json(value, item)
        else:  # ":=@"
            field_value = _json(_read(value, item)[1], item)
        if separator.startswith(":="):
            result.raw_json_fields.append(name)
        result.fields.append((name, field_value))
        _set(result.data, _path(raw_name, item), field_value, item)
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
