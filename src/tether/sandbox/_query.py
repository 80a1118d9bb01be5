"""json-server style filtering, full-text search and sorting of a list of items. Pure: no I/O.

``parse_query`` turns the request's query pairs into a :class:`Query` (raising
:class:`QueryError` naming the offending parameter), ``apply_query`` runs it on items.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PAGING_PARAMS",
    "Filter",
    "Query",
    "QueryError",
    "apply_query",
    "integer_text",
    "parse_query",
]

Item = dict[str, Any]

PAGING_PARAMS = frozenset(
    {"page", "per_page", "_page", "_limit", "_per_page", "offset", "limit", "cursor",
     "_start", "_end"}
)
"""Parameters that choose a slice of the result; read by ``_paging``, ignored here."""

# api_key is a credential (docs/sandbox.md, "Authentication"), not a filter: a client whose
# key travels in the query must be able to list.
_CONTROL = frozenset({"_sort", "_order", "q", "_embed", "_expand", "api_key"})
_MAX_PATTERN = 200

# Suffix operators of json-server 0.17 and colon operators of json-server 1.x.
_SUFFIX_OPS = {"_gte": "gte", "_lte": "lte", "_ne": "ne", "_like": "like"}
_COLON_OPS = {
    "eq": "eq", "ne": "ne", "lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte", "in": "in",
    "contains": "contains", "startsWith": "startswith", "endsWith": "endswith",
}


_WHOLE = re.compile(r"(-?[0-9]+)\.0+")


def integer_text(text: str) -> str:
    """``text`` with the fraction of a whole number dropped (``"5.0"`` -> ``"5"``):
    JSON Schema, and so OpenAPI, counts 5.0 as an integer, and some encoders write it so.

    >>> integer_text("5.0"), integer_text("5.5"), integer_text("abc")
    ('5', '5.5', 'abc')
    """
    match = _WHOLE.fullmatch(text)
    return match.group(1) if match else text


class QueryError(ValueError):
    """A query parameter the sandbox cannot honour; answered with 400."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass(frozen=True)
class Filter:
    """One condition on one field; repeated values are OR-ed for ``eq``/``like``/``in``."""

    path: tuple[str, ...]
    op: str
    values: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Query:
    """What to keep (filters, full text) and in which order (sort keys)."""

    filters: tuple[Filter, ...] = ()
    text: str | None = None
    sort: tuple[tuple[tuple[str, ...], bool], ...] = ()
    """``(field path, descending)`` pairs, most significant first."""


def _split_field(param: str) -> tuple[str, str]:
    if ":" in param:
        name, _, op = param.rpartition(":")
        if op not in _COLON_OPS:
            raise QueryError(
                f"unknown operator ':{op}' in query parameter {param!r}; "
                f"use one of {', '.join(':' + o for o in _COLON_OPS)}",
                param,
            )
        return name, _COLON_OPS[op]
    for suffix, op in _SUFFIX_OPS.items():
        if param.endswith(suffix) and len(param) > len(suffix):
            return param[: -len(suffix)], op
    return param, "eq"


def _check_field(name: str, param: str, fields: frozenset[str]) -> tuple[str, ...]:
    if name not in fields:
        choices = ", ".join(sorted(fields))
        if param == "_sort":
            # _sort is a known parameter with a bad value, not a filter on a field.
            message = f"_sort={name!r}: {name!r} is not a field here; sort by one of {choices}"
        else:
            message = (f"unknown query parameter {param!r}: {name!r} is not a field here; "
                       f"filter on one of {choices}")
        raise QueryError(message, param)
    return tuple(name.split("."))


def _compile(value: str, param: str) -> re.Pattern[str]:
    if len(value) > _MAX_PATTERN:
        raise QueryError(
            f"{param}: pattern longer than {_MAX_PATTERN} characters; shorten it", param
        )
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise QueryError(f"{param}: invalid regular expression {value!r} ({exc})", param) from None


def parse_query(pairs: Iterable[tuple[str, str]], fields: frozenset[str]) -> Query:
    """Read filters, ``q``, ``_sort`` and ``_order`` from ``pairs``; paging is left out.

    >>> q = parse_query([("userId", "1"), ("userId", "2"), ("_sort", "title")], frozenset({"userId", "title"}))
    >>> q.filters[0].values, q.sort
    (('1', '2'), ((('title',), False),))
    """  # noqa: E501
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        if key in PAGING_PARAMS:
            continue
        grouped.setdefault(key, []).append(value)

    filters: list[Filter] = []
    for param, values in grouped.items():
        if param in _CONTROL:
            continue
        name, op = _split_field(param)
        path = _check_field(name, param, fields)
        patterns: tuple[re.Pattern[str], ...] = ()
        if op == "like":
            patterns = tuple(_compile(v, param) for v in values)
        if op == "in":
            values = [part for v in values for part in v.split(",")]
        filters.append(Filter(path, op, tuple(values), patterns))

    text = grouped.get("q", [None])[-1]
    return Query(tuple(filters), text or None, _parse_sort(grouped, fields))


def _parse_sort(
    grouped: dict[str, list[str]], fields: frozenset[str]
) -> tuple[tuple[tuple[str, ...], bool], ...]:
    names = [n.strip() for v in grouped.get("_sort", []) for n in v.split(",") if n.strip()]
    # Empty pieces are skipped in both, so "_sort=&_order=" asks for nothing, as it reads.
    orders = [o.strip().lower() for v in grouped.get("_order", []) for o in v.split(",")
              if o.strip()]
    if orders and not names:
        raise QueryError("_order needs _sort: name the fields to sort by in _sort", "_order")
    for order in orders:
        if order not in ("asc", "desc"):
            raise QueryError(f"_order must be 'asc' or 'desc' (comma separated), got {order!r}",
                             "_order")
    keys: list[tuple[tuple[str, ...], bool]] = []
    for index, name in enumerate(names):
        descending = name.startswith("-")
        name = name.lstrip("-")
        path = _check_field(name, "_sort", fields)
        if index < len(orders):
            descending = orders[index] == "desc"
        elif orders and len(orders) == 1:
            descending = orders[0] == "desc"
        keys.append((path, descending))
    return tuple(keys)


def _lookup(item: Item, path: tuple[str, ...]) -> Any:
    value: Any = item
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _compare(left: Any, right: str) -> int:
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    text = _text(left)
    return (text > right) - (text < right)


def _equal(value: Any, values: Sequence[str]) -> bool:
    text = _text(value)
    if text in values:
        return True
    # requests and urllib send Python's True/False as "True"/"False"; json-server's "true"
    # is what they mean, and a silently empty list would be the surprise.
    return isinstance(value, bool) and any(x.lower() == text for x in values)


_CHECKS: dict[str, Callable[[Any, Filter], bool]] = {
    "eq": lambda v, f: _equal(v, f.values),
    "in": lambda v, f: _equal(v, f.values),
    "ne": lambda v, f: not _equal(v, f.values),
    "gte": lambda v, f: all(_compare(v, x) >= 0 for x in f.values),
    "lte": lambda v, f: all(_compare(v, x) <= 0 for x in f.values),
    "gt": lambda v, f: all(_compare(v, x) > 0 for x in f.values),
    "lt": lambda v, f: all(_compare(v, x) < 0 for x in f.values),
    "like": lambda v, f: any(p.search(_text(v)) for p in f.patterns),
    "contains": lambda v, f: any(x.lower() in _text(v).lower() for x in f.values),
    "startswith": lambda v, f: any(_text(v).lower().startswith(x.lower()) for x in f.values),
    "endswith": lambda v, f: any(_text(v).lower().endswith(x.lower()) for x in f.values),
}


def _contains_text(value: Any, needle: str) -> bool:
    if isinstance(value, str):
        return needle in value.lower()
    if isinstance(value, dict):
        return any(_contains_text(v, needle) for v in value.values())
    return False


def _sort_key(path: tuple[str, ...]) -> Callable[[Item], tuple[int, Any]]:
    def key(item: Item) -> tuple[int, Any]:
        value = _lookup(item, path)
        number = _number(value) if not isinstance(value, str) else None
        if isinstance(value, bool):
            return (0, float(value))
        if number is not None:
            return (0, number)
        if value is None:
            return (2, "")
        return (1, _text(value))

    return key


def apply_query(items: Sequence[Item], query: Query) -> list[Item]:
    """The items ``query`` keeps, in its order (stable: ties keep id order)."""
    result: list[Item] = list(items)
    for flt in query.filters:
        check = _CHECKS[flt.op]
        result = [item for item in result if check(_lookup(item, flt.path), flt)]
    if query.text:
        needle = query.text.lower()
        result = [item for item in result if _contains_text(item, needle)]
    for path, descending in reversed(query.sort):
        result.sort(key=_sort_key(path), reverse=descending)
    return result
