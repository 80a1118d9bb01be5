"""The five pagination styles, chosen by which parameters a request carries. Pure: no I/O.

=====================  ==============================  ======================================
parameters             response body                   headers
=====================  ==============================  ======================================
``page, per_page``     list                            ``Link`` (first/prev/next/last),
                                                       ``X-Total-Count``
``_page, _limit``      list                            ``Link``, ``X-Total-Count``
``offset, limit``      list                            ``X-Total-Count``
``cursor, limit``      ``{data, next_cursor, next}``   none
``_page, _per_page``   ``{first, prev, next, last,     none
                       pages, items, data}``
``_start/_end/_limit`` list                            ``X-Total-Count``
=====================  ==============================  ======================================
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tether.sandbox._query import QueryError, integer_text

__all__ = [
    "BOUNDS",
    "DEFAULT_PAGE_SIZE",
    "GITHUB_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Page",
    "decode_cursor",
    "encode_cursor",
    "paginate",
    "styles",
]

Item = dict[str, Any]
UrlWith = Callable[[Mapping[str, str | None]], str]
"""Builds the absolute URL of the current request with some parameters set (``None``: removed)."""

MAX_PAGE_SIZE = 1000
"""Largest page size any style accepts."""
DEFAULT_PAGE_SIZE = 10
"""Page size of ``_page``, ``offset``/``limit``, ``cursor`` and ``_per_page`` when not given."""
GITHUB_PAGE_SIZE = 30
"""Page size of the ``page``/``per_page`` style when ``per_page`` is not given (as GitHub)."""
_MAX_NUMBER = 10**12

# Each style: the parameters that select it, then all the parameters it accepts.
_STYLES: tuple[tuple[str, frozenset[str], frozenset[str]], ...] = (
    ("page", frozenset({"page", "per_page"}), frozenset({"page", "per_page"})),
    ("json-server-1", frozenset({"_per_page"}), frozenset({"_page", "_per_page"})),
    ("json-server", frozenset({"_page"}), frozenset({"_page", "_limit"})),
    ("cursor", frozenset({"cursor"}), frozenset({"cursor", "limit"})),
    ("offset", frozenset({"offset", "limit"}), frozenset({"offset", "limit"})),
    ("slice", frozenset({"_start", "_end", "_limit"}), frozenset({"_start", "_end", "_limit"})),
)
_ALL = frozenset().union(*(accepted for _, _, accepted in _STYLES))

# The range of every integer parameter, per style (``_limit`` is a page size with ``_page``
# but a slice length, which may be 0, with ``_start``/``_end``). The OpenAPI document is
# generated from this table too, so what it declares is what is enforced.
BOUNDS: dict[str, dict[str, tuple[int, int]]] = {
    "page": {"page": (1, _MAX_NUMBER), "per_page": (1, MAX_PAGE_SIZE)},
    "json-server-1": {"_page": (1, _MAX_NUMBER), "_per_page": (1, MAX_PAGE_SIZE)},
    "json-server": {"_page": (1, _MAX_NUMBER), "_limit": (1, MAX_PAGE_SIZE)},
    "cursor": {"limit": (1, MAX_PAGE_SIZE)},
    "offset": {"offset": (0, _MAX_NUMBER), "limit": (1, MAX_PAGE_SIZE)},
    "slice": {"_start": (0, _MAX_NUMBER), "_end": (0, _MAX_NUMBER), "_limit": (0, MAX_PAGE_SIZE)},
}


def styles() -> tuple[tuple[str, frozenset[str]], ...]:
    """Each style's name and the parameters it accepts, in the order they are chosen."""
    return tuple((style, accepted) for style, _, accepted in _STYLES)


@dataclass(frozen=True)
class Page:
    """What to send: a body (list or envelope) and extra headers."""

    body: Any
    headers: dict[str, str] = field(default_factory=dict)


def encode_cursor(offset: int) -> str:
    """Opaque token for the position ``offset`` (clients must not parse it)."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(token: str) -> int:
    """The position in ``token``; an empty token is the start. Raises :class:`QueryError`."""
    if token == "":
        return 0
    problem = QueryError(
        f"invalid cursor {token[:40]!r}: pass the next_cursor value of the previous page "
        "unchanged, or an empty cursor to start",
        "cursor",
    )
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise problem from None
    prefix, _, number = text.partition(":")
    if prefix != "o" or not number.isdigit() or len(number) > 12:
        raise problem
    return int(number)


def _single(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise QueryError(f"{name} given {len(values)} times; give it once", name)
    return values[0]


def _integer(
    params: Mapping[str, list[str]], name: str, default: int | None, minimum: int,
    maximum: int = _MAX_NUMBER,
) -> int | None:
    raw = _single(params, name)
    if raw is None:
        return default
    text = integer_text(raw.strip())
    if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 13:
        raise QueryError(
            f"{name} must be an integer between {minimum} and {maximum}, got {raw[:40]!r}", name
        )
    value = int(text)
    if not minimum <= value <= maximum:
        raise QueryError(
            f"{name} must be an integer between {minimum} and {maximum}, got {value}", name
        )
    return value


def _style(present: set[str]) -> str | None:
    for style, selectors, accepted in _STYLES:
        if present & selectors:
            extra = present - accepted
            if extra:
                raise QueryError(
                    f"pagination parameters of different styles: {', '.join(sorted(present))}; "
                    f"{style!r} pagination accepts only {', '.join(sorted(accepted))}",
                    sorted(extra)[0],
                )
            return style
    return None


def _link(url_with: UrlWith, param: str, rels: Mapping[str, int]) -> str:
    return ", ".join(f'<{url_with({param: str(n)})}>; rel="{rel}"' for rel, n in rels.items())


def _page_links(page: int, last: int) -> dict[str, int]:
    rels = {"first": 1}
    if page > 1:
        rels["prev"] = min(page - 1, last)
    if page < last:
        rels["next"] = page + 1
    rels["last"] = last
    return rels


def paginate(items: Sequence[Item], params: Mapping[str, list[str]], url_with: UrlWith) -> Page:
    """Select the page of ``items`` that ``params`` ask for, in the style they imply.

    Raises :class:`QueryError` for invalid values or for parameters of two styles mixed.
    """
    style = _style({name for name in params if name in _ALL})
    total = len(items)
    count = {"X-Total-Count": str(total)}
    if style is None:
        return Page(list(items))

    if style in ("page", "json-server"):
        page_param, size_param = ("page", "per_page") if style == "page" else ("_page", "_limit")
        default = GITHUB_PAGE_SIZE if style == "page" else DEFAULT_PAGE_SIZE
        page = _integer(params, page_param, 1, *BOUNDS[style][page_param]) or 1
        size = _integer(params, size_param, default, *BOUNDS[style][size_param]) or default
        last = max(1, math.ceil(total / size))
        start = (page - 1) * size
        headers = {**count, "Link": _link(url_with, page_param, _page_links(page, last))}
        return Page(list(items[start : start + size]), headers)

    if style == "json-server-1":
        bounds = BOUNDS[style]
        page = _integer(params, "_page", 1, *bounds["_page"]) or 1
        size = _integer(params, "_per_page", DEFAULT_PAGE_SIZE, *bounds["_per_page"]) or (
            DEFAULT_PAGE_SIZE
        )
        pages = math.ceil(total / size)
        last = max(1, pages)
        start = (page - 1) * size
        return Page(
            {
                "first": 1,
                "prev": min(page - 1, last) if page > 1 else None,
                "next": page + 1 if page < last else None,
                "last": last,
                "pages": pages,
                "items": total,
                "data": list(items[start : start + size]),
            }
        )

    if style == "cursor":
        offset = decode_cursor(_single(params, "cursor") or "")
        size = _integer(params, "limit", DEFAULT_PAGE_SIZE, *BOUNDS[style]["limit"]) or (
            DEFAULT_PAGE_SIZE
        )
        end = offset + size
        token = encode_cursor(end) if end < total else None
        return Page(
            {
                "data": list(items[offset:end]),
                "next_cursor": token,
                "next": url_with({"cursor": token}) if token else None,
            }
        )

    if style == "offset":
        offset = _integer(params, "offset", 0, *BOUNDS[style]["offset"]) or 0
        size = _integer(params, "limit", DEFAULT_PAGE_SIZE, *BOUNDS[style]["limit"]) or (
            DEFAULT_PAGE_SIZE
        )
        return Page(list(items[offset : offset + size]), count)

    bounds = BOUNDS["slice"]
    start = _integer(params, "_start", 0, *bounds["_start"]) or 0
    given_end = _integer(params, "_end", None, *bounds["_end"])
    limit = _integer(params, "_limit", None, *bounds["_limit"])
    end = given_end if given_end is not None else start + limit if limit is not None else total
    return Page(list(items[start:end]), count)
