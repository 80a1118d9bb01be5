"""Paginator strategies: pure objects deciding the next page request.

A strategy sees one answered page (:class:`PageContext`: the request as sent, status,
headers, parsed body, items) and returns the next :class:`PageRequest` or a
:class:`Stop` with the reason. It never sends anything, so the same strategy drives the
sync and the async paginator and is tested without a network.

Stop conditions shared by every strategy (empty page, total reached, repeated request,
caps) live in the paginator core; a strategy only adds what its style knows (no next
link, no cursor, last page number). Strategies may also *plan*: when the first page
already tells how many pages exist (``X-Total-Count``, a ``last`` link, a ``pages``
field), :meth:`Strategy.plan` lists the remaining requests so the async paginator can
fetch them concurrently. A plan is only an optimisation; the paginator checks each
planned request against what :meth:`Strategy.next_request` says and falls back to
sequential fetching on any disagreement.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import httpx2

from tether._errors import ConfigurationError
from tether._pagination._errors import PaginationError
from tether._pagination._items import MISSING, get_path, int_or_none
from tether._pagination._link import find_link, parse_link_header
from tether._pagination._request import PageRequest

__all__ = [
    "Cursor",
    "LastItemID",
    "LinkHeader",
    "NextURL",
    "OffsetLimit",
    "PageContext",
    "PageNumber",
    "SinglePage",
    "Stop",
    "Strategy",
    "is_builtin",
    "strategy_from_dict",
    "strategy_to_dict",
]

# Where a pagination parameter starts when the first request leaves it out.
_DEFAULT_POSITION = {"page": 1, "offset": 0, "start": 0, "skip": 0}

# A plan longer than this is not trusted (a bogus total would otherwise queue
# millions of requests); the paginator then simply goes page by page.
_MAX_PLAN = 100_000


@dataclass(frozen=True, slots=True)
class PageContext:
    """What a strategy sees of one answered page."""

    request: PageRequest
    """The request as sent, with an absolute URL."""
    status: int
    headers: httpx2.Headers
    body: Any
    """The parsed JSON body."""
    items: Sequence[Any]
    """All items of the page (before any resume-skip or ``max_items`` trimming)."""
    position: int = 0
    """Index of the page's first item in the collection, as counted by the paginator."""


@dataclass(frozen=True, slots=True)
class Stop:
    """A strategy's verdict that there is no next page, and why (for logs and users)."""

    reason: str


def _header_int(headers: httpx2.Headers, name: str | None) -> int | None:
    if name is None:
        return None
    return int_or_none(headers.get(name))


def _body_int(body: object, path: str | None) -> int | None:
    if path is None:
        return None
    return int_or_none(get_path(body, path))


def _param_int(request: PageRequest, name: str | None, default: int | None) -> int | None:
    if name is None:
        return default
    raw = request.get_param(name)
    if raw is None or raw == "":
        return default
    value = int_or_none(raw)
    if value is None:
        raise PaginationError(
            f"query parameter {name}={raw!r} is not a non-negative integer; "
            "page, offset and size parameters must be whole numbers"
        )
    return value


def _check_name(owner: str, argument: str, value: object, optional: bool = False) -> None:
    if optional and value is None:
        return
    if not isinstance(value, str) or not value:
        raise ConfigurationError(
            f"{owner}({argument}=...): expected a non-empty string, got {value!r}"
        )


def _check_count(owner: str, argument: str, value: object, minimum: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigurationError(
            f"{owner}({argument}=...): expected an integer >= {minimum}, got {value!r}"
        )


class Strategy(ABC):
    """Base of every paginator strategy (frozen dataclasses in practice).

    Subclasses implement :meth:`next_request`; the other hooks have safe defaults.
    """

    stop_on_empty: bool = True
    """Stop at the first page without items (a page past the end)."""

    def prepare(self, request: PageRequest) -> PageRequest:
        """Adjust the first request (e.g. add ``page=1`` and the page size)."""
        return request

    @abstractmethod
    def next_request(self, page: PageContext) -> PageRequest | Stop:
        """The request for the page after ``page``, or why there is none."""

    def total(self, page: PageContext) -> int | None:
        """The number of items in the whole collection, when the page says so."""
        return None

    def plan(self, page: PageContext) -> tuple[PageRequest, ...] | None:
        """Every remaining request after ``page`` when it is known up front, else ``None``."""
        return None


@dataclass(frozen=True, slots=True)
class PageNumber(Strategy):
    """Numbered pages: ``?page=2&per_page=50`` (GitHub), ``?_page=2&_limit=50`` (json-server).

    ``size`` sets the page-size parameter on the first request when given. The total
    comes from the ``total_header`` or from ``total_path`` in the body, a page count
    from ``pages_path`` (json-server 1.x: ``PageNumber("_page", "_per_page",
    pages_path="pages")``).

    >>> PageNumber("_page", "_limit", size=100).size
    100
    """

    page_param: str = "page"
    size_param: str | None = "per_page"
    size: int | None = None
    start: int = 1
    """The number of the first page (1 almost everywhere, 0 for some APIs)."""
    total_header: str | None = "X-Total-Count"
    total_path: str | None = None
    pages_path: str | None = None
    stop_on_empty: bool = True

    def __post_init__(self) -> None:
        _check_name("PageNumber", "page_param", self.page_param)
        _check_name("PageNumber", "size_param", self.size_param, optional=True)
        _check_count("PageNumber", "size", self.size, 1)
        _check_count("PageNumber", "start", self.start, 0)
        if self.size is not None and self.size_param is None:
            raise ConfigurationError(
                "PageNumber(size=...): needs size_param, the parameter to send it in"
            )

    def prepare(self, request: PageRequest) -> PageRequest:
        if not request.has_param(self.page_param):
            request = request.with_param(self.page_param, self.start)
        if self.size is not None and self.size_param and not request.has_param(self.size_param):
            request = request.with_param(self.size_param, self.size)
        # A page number the strategy cannot count from fails now, before any request.
        self._current(request)
        _param_int(request, self.size_param, self.size)
        return request

    def _current(self, request: PageRequest) -> int:
        value = _param_int(request, self.page_param, self.start)
        assert value is not None
        return value

    def _last_page(self, page: PageContext) -> int | None:
        pages = _body_int(page.body, self.pages_path)
        return None if pages is None else self.start + pages - 1

    def next_request(self, page: PageContext) -> PageRequest | Stop:
        current = self._current(page.request)
        last = self._last_page(page)
        if last is not None and current >= last:
            return Stop(f"page {current} is the last of {last - self.start + 1}")
        return page.request.with_param(self.page_param, current + 1)

    def total(self, page: PageContext) -> int | None:
        found = _header_int(page.headers, self.total_header)
        return found if found is not None else _body_int(page.body, self.total_path)

    def plan(self, page: PageContext) -> tuple[PageRequest, ...] | None:
        current = self._current(page.request)
        last = self._last_page(page)
        if last is None:
            total = self.total(page)
            size = _param_int(page.request, self.size_param, self.size)
            # Only a page filled to the requested size proves the server honours it;
            # a capped size would make the computed page count wrong.
            if total is None or not size or len(page.items) != size:
                return None
            remaining = total - (page.position + len(page.items))
            last = current + max(0, math.ceil(remaining / size))
        if last - current > _MAX_PLAN:
            return None
        return tuple(
            page.request.with_param(self.page_param, n) for n in range(current + 1, last + 1)
        )


@dataclass(frozen=True, slots=True)
class OffsetLimit(Strategy):
    """Offsets: ``?offset=100&limit=50``; the next offset is this one plus the items received.

    Advancing by the items actually received (not by ``limit``) stays correct when a
    server caps the page size below what was asked.
    """

    offset_param: str = "offset"
    limit_param: str | None = "limit"
    limit: int | None = None
    total_header: str | None = "X-Total-Count"
    total_path: str | None = None
    stop_on_empty: bool = True

    def __post_init__(self) -> None:
        _check_name("OffsetLimit", "offset_param", self.offset_param)
        _check_name("OffsetLimit", "limit_param", self.limit_param, optional=True)
        _check_count("OffsetLimit", "limit", self.limit, 1)
        if self.limit is not None and self.limit_param is None:
            raise ConfigurationError(
                "OffsetLimit(limit=...): needs limit_param, the parameter to send it in"
            )

    def prepare(self, request: PageRequest) -> PageRequest:
        if self.limit is not None and self.limit_param and not request.has_param(self.limit_param):
            request = request.with_param(self.limit_param, self.limit)
        self._offset(request)
        _param_int(request, self.limit_param, self.limit)
        return request

    def _offset(self, request: PageRequest) -> int:
        value = _param_int(request, self.offset_param, 0)
        assert value is not None
        return value

    def next_request(self, page: PageContext) -> PageRequest | Stop:
        offset = self._offset(page.request)
        end = offset + len(page.items)
        total = self.total(page)
        if total is not None and end >= total:
            return Stop(f"offset {end} reached the total of {total}")
        if not page.items:
            return Stop("an empty page cannot advance the offset")
        return page.request.with_param(self.offset_param, end)

    def total(self, page: PageContext) -> int | None:
        found = _header_int(page.headers, self.total_header)
        return found if found is not None else _body_int(page.body, self.total_path)

    def plan(self, page: PageContext) -> tuple[PageRequest, ...] | None:
        total = self.total(page)
        limit = _param_int(page.request, self.limit_param, self.limit)
        if total is None or not limit or len(page.items) != limit:
            return None
        offsets = range(self._offset(page.request) + limit, total, limit)
        if len(offsets) > _MAX_PLAN:
            return None
        return tuple(page.request.with_param(self.offset_param, n) for n in offsets)


@dataclass(frozen=True, slots=True)
class Cursor(Strategy):
    """An opaque cursor read from the body and sent back as a query parameter.

    >>> Cursor("next_cursor", param="cursor")                 # {"next_cursor": "abc"}
    Cursor(cursor_path='next_cursor', param='cursor', stop_on_empty=True)
    >>> Cursor("response_metadata.next_cursor", param="cursor")  # Slack
    Cursor(cursor_path='response_metadata.next_cursor', param='cursor', stop_on_empty=True)
    """

    cursor_path: str = "next_cursor"
    param: str = "cursor"
    stop_on_empty: bool = True

    def __post_init__(self) -> None:
        _check_name("Cursor", "cursor_path", self.cursor_path)
        _check_name("Cursor", "param", self.param)

    def next_request(self, page: PageContext) -> PageRequest | Stop:
        value = get_path(page.body, self.cursor_path)
        if value is MISSING or value is None or value == "" or isinstance(value, bool):
            return Stop(f"no cursor at {self.cursor_path!r}")
        if isinstance(value, dict | list):
            raise PaginationError(
                f"Cursor({self.cursor_path!r}): the body holds a {type(value).__name__} there, "
                "not a cursor string; point cursor_path at the token itself"
            )
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            # Sent back as a parameter, a next URL makes the server answer page one again.
            raise PaginationError(
                f"Cursor({self.cursor_path!r}): the body holds a URL there, not a cursor; "
                f"follow it with strategy=tether.NextURL({self.cursor_path!r})"
            )
        return page.request.with_param(self.param, value)


@dataclass(frozen=True, slots=True)
class LastItemID(Strategy):
    """The last item's id sent back as the cursor: Stripe's ``?starting_after=<id>``.

    Stripe, and APIs modelled on it, page a list by the id of the last item received
    and say in ``has_more`` whether more follow. GitHub's ``/users?since=<id>`` is the
    same idea without the flag (``has_more_path=None``: page until an empty page).

    >>> LastItemID()                                   # Stripe: data, has_more, starting_after
    LastItemID(param='starting_after', id_path='id', has_more_path='has_more', stop_on_empty=True)
    >>> LastItemID("since", has_more_path=None).param  # GitHub /users
    'since'
    """

    param: str = "starting_after"
    """The query parameter that carries the last id."""
    id_path: str = "id"
    """Dotted path of the id inside one item."""
    has_more_path: str | None = "has_more"
    """Body field saying whether more items follow; ``None`` when the API has none."""
    stop_on_empty: bool = True

    def __post_init__(self) -> None:
        _check_name("LastItemID", "param", self.param)
        _check_name("LastItemID", "id_path", self.id_path)
        _check_name("LastItemID", "has_more_path", self.has_more_path, optional=True)

    def next_request(self, page: PageContext) -> PageRequest | Stop:
        if self.has_more_path is not None:
            more = get_path(page.body, self.has_more_path)
            if more is MISSING:
                raise PaginationError(
                    f"LastItemID(has_more_path={self.has_more_path!r}): the body has no such "
                    "field; give the path of the flag saying more items follow, or "
                    "has_more_path=None to page until an empty page"
                )
            if more is not True:
                return Stop(f"{self.has_more_path} is {more!r}")
        if not page.items:
            return Stop("an empty page has no last item")
        value = get_path(page.items[-1], self.id_path)
        if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
            found = "nothing" if value is MISSING else repr(value)
            raise PaginationError(
                f"LastItemID(id_path={self.id_path!r}): the page's last item has {found} "
                "there, not an id; point id_path at the field holding each item's id"
            )
        return page.request.with_param(self.param, value)


@dataclass(frozen=True, slots=True)
class NextURL(Strategy):
    """The next page's URL read from the body (``next``, ``links.next``, ``_links.next.href``).

    Relative URLs are resolved against the URL of the page that held them.
    """

    path: str = "next"
    stop_on_empty: bool = True

    def __post_init__(self) -> None:
        _check_name("NextURL", "path", self.path)

    def next_request(self, page: PageContext) -> PageRequest | Stop:
        value = get_path(page.body, self.path)
        if value is MISSING or value is None or value == "":
            return Stop(f"no next URL at {self.path!r}")
        if not isinstance(value, str):
            raise PaginationError(
                f"NextURL({self.path!r}): expected a URL string there, found {value!r}; "
                "for page numbers use PageNumber(...), for tokens Cursor(...)"
            )
        return page.request.resolve(value)


@dataclass(frozen=True, slots=True)
class LinkHeader(Strategy):
    """Follow the ``Link`` header's ``rel="next"`` (RFC 8288): GitHub, json-server 0.17.

    When the header also has a ``last`` link that differs from ``next`` in one integer
    parameter, the remaining pages are planned so they can be fetched concurrently.
    """

    rel: str = "next"
    total_header: str | None = "X-Total-Count"
    stop_on_empty: bool = True

    def __post_init__(self) -> None:
        _check_name("LinkHeader", "rel", self.rel)

    def _links(self, page: PageContext) -> list[Any]:
        return parse_link_header(page.headers.get_list("link"), page.request.full_url)

    def next_request(self, page: PageContext) -> PageRequest | Stop:
        link = find_link(self._links(page), self.rel)
        if link is None:
            return Stop(f"no Link rel={self.rel!r}")
        return PageRequest.from_url(link.url)

    def total(self, page: PageContext) -> int | None:
        return _header_int(page.headers, self.total_header)

    def plan(self, page: PageContext) -> tuple[PageRequest, ...] | None:
        links = self._links(page)
        next_link, last_link = find_link(links, self.rel), find_link(links, "last")
        if next_link is None or last_link is None:
            return None
        first_link = find_link(links, "first")
        nxt = PageRequest.from_url(next_link.url)
        last = PageRequest.from_url(last_link.url)
        if nxt.url != last.url or len(nxt.params) != len(last.params):
            return None
        if [n for n, _ in nxt.params] != [n for n, _ in last.params]:
            return None
        differing = [
            name for (name, a), (_, b) in zip(nxt.params, last.params, strict=True) if a != b
        ]
        if len(differing) != 1:
            return None
        name = differing[0]
        next_value = int_or_none(nxt.get_param(name))
        last_value = int_or_none(last.get_param(name))
        here = int_or_none(page.request.get_param(name))
        if here is None and first_link is not None:
            here = int_or_none(PageRequest.from_url(first_link.url).get_param(name))
        if here is None:
            # GitHub's first page has no page parameter and no "first" link. Guessing the
            # usual start is safe: the paginator checks every planned request against the
            # server's next link and abandons a plan that disagrees.
            here = _DEFAULT_POSITION.get(name.lower().lstrip("_"))
        if next_value is None or last_value is None or here is None:
            return None
        step = next_value - here
        if step <= 0 or last_value < next_value or (last_value - next_value) % step:
            return None
        values = range(next_value, last_value + 1, step)
        if len(values) > _MAX_PLAN:
            return None
        return tuple(nxt.with_param(name, value) for value in values)


@dataclass(frozen=True, slots=True)
class SinglePage(Strategy):
    """An endpoint that is not paginated: the first response is the whole collection."""

    stop_on_empty: bool = True

    def next_request(self, page: PageContext) -> PageRequest | Stop:
        return Stop("single page")


_REGISTRY: dict[str, type[Strategy]] = {
    cls.__name__: cls
    for cls in (PageNumber, OffsetLimit, Cursor, LastItemID, NextURL, LinkHeader, SinglePage)
}


def is_builtin(strategy: Strategy | None) -> bool:
    """True for tether's own strategies (not a user's subclass)."""
    return strategy is not None and _REGISTRY.get(type(strategy).__name__) is type(strategy)


def strategy_to_dict(strategy: Strategy) -> dict[str, Any]:
    """A JSON-ready description of a built-in ``strategy`` (for checkpoints)."""
    cls = type(strategy)
    if _REGISTRY.get(cls.__name__) is not cls:
        raise PaginationError(
            f"{cls.__name__} is not a built-in strategy and cannot be saved in a checkpoint; "
            "resume with strategy= passed explicitly"
        )
    data: dict[str, Any] = {"type": cls.__name__}
    for field in fields(strategy):  # type: ignore[arg-type]
        data[field.name] = getattr(strategy, field.name)
    return data


def strategy_from_dict(data: dict[str, Any]) -> Strategy:
    """Rebuild a strategy saved by :func:`strategy_to_dict`."""
    kind = data.get("type")
    cls = _REGISTRY.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise PaginationError(
            f"unknown strategy type {kind!r} in checkpoint; expected one of {sorted(_REGISTRY)}"
        )
    options = {key: value for key, value in data.items() if key != "type"}
    try:
        return cls(**options)
    except TypeError as exc:
        raise PaginationError(f"checkpoint strategy {kind}: {exc}") from None
