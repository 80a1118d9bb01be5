"""Where a page's items and pagination fields live in a JSON body.

Paths are dotted (``"links.next"``, ``"meta.page.total"``); a segment made of digits
indexes a list (``"results.0.id"``). The same small walker serves items, next URLs,
cursors and totals, so every strategy reads bodies the same way.
"""

from __future__ import annotations

from typing import Any, Final

from tether._pagination._errors import PaginationError

__all__ = ["ITEM_KEYS", "MISSING", "extract_items", "get_path", "int_or_none"]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()
"""Returned by :func:`get_path` when the path does not exist (as opposed to a JSON null)."""

ITEM_KEYS: Final = ("data", "items", "results", "records", "values", "entries")
"""Envelope keys searched, in order, for the item list when no path is configured."""


def get_path(body: object, path: str) -> Any:
    """The value at dotted ``path`` inside ``body``, or :data:`MISSING`.

    >>> get_path({"links": {"next": "/p?page=2"}}, "links.next")
    '/p?page=2'
    >>> get_path({"links": None}, "links.next")
    MISSING
    """
    # Some APIs put dots inside one key ("@odata.nextLink"): an exact key wins.
    if isinstance(body, dict) and path in body:
        return body[path]
    current: Any = body
    for segment in path.split("."):
        if isinstance(current, dict):
            if segment not in current:
                return MISSING
            current = current[segment]
        elif isinstance(current, list) and segment.isdigit():
            index = int(segment)
            if index >= len(current):
                return MISSING
            current = current[index]
        else:
            return MISSING
    return current


def int_or_none(value: object) -> int | None:
    """``value`` as a non-negative int when it is one (or a string of digits), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def extract_items(body: object, path: str | None = None) -> tuple[list[Any], str | None]:
    """The page's items and the path they were found at (``None`` for a bare list).

    With ``path`` given, the value there must be a list. Without it: a bare JSON list
    is the page; in an object, the first of :data:`ITEM_KEYS` holding a list wins,
    else the only list-valued field. json-server 1.x puts the *count* in ``items`` and
    the list in ``data``, which is why only list values qualify.

    Raises :class:`PaginationError` naming what was found when no list can be located.
    """
    if path is not None:
        value = get_path(body, path)
        if isinstance(value, list):
            return value, path
        found = "nothing" if value is MISSING else f"a {type(value).__name__}"
        candidates = _list_paths(body)
        hint = (
            f"lists in this body: {', '.join(map(repr, candidates))}"
            if candidates
            else "this body holds no list at all"
            if isinstance(body, dict)
            else f"the body is a JSON {type(body).__name__}"
        )
        raise PaginationError(
            f"items={path!r}: expected a JSON list at that path but found {found} ({hint}); "
            "pass items= with the dotted path of the list in the response body, or leave it "
            "out to find the list by itself"
        )
    if isinstance(body, list):
        return body, None
    if isinstance(body, dict):
        for key in ITEM_KEYS:
            if isinstance(body.get(key), list):
                return body[key], key
        lists = [key for key, value in body.items() if isinstance(value, list)]
        if len(lists) == 1:
            return body[lists[0]], lists[0]
        detail = f"several list fields {sorted(lists)}" if lists else f"keys {sorted(body)[:12]}"
        raise PaginationError(
            f"cannot tell where the items are in the response body ({detail}); "
            "pass items='<dotted.path>' to paginate()"
        )
    raise PaginationError(
        f"the response body is a JSON {type(body).__name__}, not a list or an object "
        "holding one; pass items='<dotted.path>' or check the URL"
    )


def _list_paths(body: object) -> list[str]:
    """Paths of the list-valued fields of an object body, two levels deep (for hints)."""
    if not isinstance(body, dict):
        return []
    found: list[str] = []
    for key, value in body.items():
        if isinstance(value, list):
            found.append(str(key))
        elif isinstance(value, dict):
            found.extend(f"{key}.{inner}" for inner, v in value.items() if isinstance(v, list))
    return found[:8]
