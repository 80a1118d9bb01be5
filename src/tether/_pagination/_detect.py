"""Auto-detection: which strategy fits an endpoint, judged from its first page.

Order (most explicit signal first, as in dlt's REST client):

1. a ``Link`` header with ``rel="next"`` (or a Link header with first/prev/last but no
   next, which is a last page): :class:`LinkHeader`;
2. in a JSON object body, a next-page URL (``next``, ``links.next``, ...): :class:`NextURL`;
3. a cursor string (``next_cursor``, ``nextPageToken``, a non-URL ``next``): :class:`Cursor`;
4. page numbers in the body (``pages``, ``total_pages``, an integer ``next``) or a total
   (``total``, ``count``, json-server 1.x's integer ``items``) with a page or offset
   parameter in the request: :class:`PageNumber` / :class:`OffsetLimit`;
5. a Stripe list object (``object: "list"``, ``has_more``): :class:`LastItemID`;
6. a bare list with a total (``X-Total-Count``) and a page or offset parameter in the
   request: :class:`PageNumber` / :class:`OffsetLimit`;
7. no paging parameter and no paging signal, or an empty first page: :class:`SinglePage`.

Page numbers are never guessed without a total: a server that ignores an unknown
``page`` parameter (JSONPlaceholder treats it as a filter) would otherwise be paged
forever or return the same page again. Such cases raise
:class:`AmbiguousPaginationError` with the strategy to pass instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

from tether._pagination._errors import AmbiguousPaginationError, PaginationError
from tether._pagination._items import get_path, int_or_none
from tether._pagination._link import find_link, parse_link_header
from tether._pagination._request import PageRequest
from tether._pagination._strategies import (
    Cursor,
    LastItemID,
    LinkHeader,
    NextURL,
    OffsetLimit,
    PageContext,
    PageNumber,
    SinglePage,
    Stop,
    Strategy,
)
from tether._redact import redact_url

__all__ = ["Detection", "continuation", "detect"]

_log = logging.getLogger("tether.pagination")

PAGE_PARAMS: Final = ("page", "_page", "page_number", "pageNumber", "pageNo")
SIZE_PARAMS: Final = (
    "per_page", "_limit", "_per_page", "page_size", "pageSize", "per-page", "limit", "size",
)
OFFSET_PARAMS: Final = ("offset", "_start", "skip", "start")
LIMIT_PARAMS: Final = ("limit", "_limit", "count", "take", "size")
TOTAL_HEADERS: Final = ("X-Total-Count", "X-Total")
NEXT_URL_PATHS: Final = (
    "next", "links.next", "links.next.href", "_links.next.href", "_links.next",
    "paging.next", "pagination.next", "pagination.next_url", "meta.next", "next_url",
    "nextUrl", "next_page_url", "nextLink", "@odata.nextLink",
)
CURSOR_PATHS: Final = (
    "next_cursor", "nextCursor", "next_page_token", "nextPageToken", "next_token",
    "nextToken", "cursor.next", "cursors.next", "meta.next_cursor", "pagination.next_cursor",
    "response_metadata.next_cursor", "paging.cursors.after", "next",
)
PAGES_PATHS: Final = (
    "pages", "total_pages", "totalPages", "last_page", "lastPage", "page_count", "pageCount",
    "meta.total_pages", "meta.last_page", "pagination.total_pages", "last",
)
MORE_PATHS: Final = (
    "has_more", "hasMore", "has_next", "hasNext", "has_next_page", "hasNextPage", "more",
    "pageInfo.hasNextPage", "meta.has_more", "pagination.has_more",
)
TOTAL_PATHS: Final = (
    "total", "total_count", "totalCount", "total_items", "totalItems", "count", "items",
    "meta.total", "pagination.total",
)


@dataclass(frozen=True, slots=True)
class Detection:
    """The outcome of auto-detection, kept on the paginator for inspection."""

    strategy: Strategy
    reason: str
    """Which signal decided, in words (also logged at INFO on ``tether.pagination``)."""
    items_path: str | None
    """Where the items were found: ``None`` for a bare list, else the body path."""


def _looks_like_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://", "/", "?"))


def _first_param(request: PageRequest, names: tuple[str, ...]) -> str | None:
    return next((name for name in names if request.has_param(name)), None)


def _first_int_path(body: object, paths: tuple[str, ...]) -> str | None:
    return next((path for path in paths if int_or_none(get_path(body, path)) is not None), None)


def _cursor_param(path: str) -> str:
    """The query parameter a cursor found at ``path`` is sent back in, by convention."""
    segments = path.split(".")
    last = segments[-1]
    if last in ("next", "after") and len(segments) > 1:
        return "after" if last == "after" else segments[-2].rstrip("s") or "cursor"
    if last.startswith("next_") and len(last) > 5:
        return last[5:]
    if last.startswith("next") and len(last) > 4 and last[4].isupper():
        return last[4].lower() + last[5:]
    return "cursor" if last == "next" else last


def _total_header(page: PageContext) -> tuple[str | None, int | None]:
    for name in TOTAL_HEADERS:
        value = int_or_none(page.headers.get(name))
        if value is not None:
            return name, value
    return None, None


# The page-number and offset parameters that go with a size parameter, by the common
# conventions (json-server's _limit goes with _page or _start), for suggestions that
# work against the API as it is; a size parameter not listed suggests page / offset.
_PAGE_PARTNER: Final = {
    "_limit": "_page",
    "_per_page": "_page",
    "per_page": "page",
    "page_size": "page",
    "pageSize": "page",
}
_OFFSET_PARTNER: Final = {"_limit": "_start", "limit": "offset", "take": "skip"}


def _how_to_choose(request: PageRequest) -> str:
    size = _first_param(request, SIZE_PARAMS)
    limit = _first_param(request, LIMIT_PARAMS)
    page = _first_param(request, PAGE_PARAMS) or _PAGE_PARTNER.get(size or "", "page")
    offset = _first_param(request, OFFSET_PARAMS) or _OFFSET_PARTNER.get(limit or "", "offset")
    if size is None:
        size = "_limit" if page == "_page" else "per_page"
    if limit is None:
        limit = "_limit" if offset == "_start" else "limit"
    numbers = f"tether.PageNumber({page!r}, {size!r})"
    offsets = f"tether.OffsetLimit({offset!r}, {limit!r})"
    # The style the request already uses comes first.
    has_page = _first_param(request, PAGE_PARAMS) is not None
    offsets_first = not has_page and (
        _first_param(request, OFFSET_PARAMS) is not None
        or _first_param(request, LIMIT_PARAMS) in ("limit", "take", "count")
    )
    positional = f"{offsets}, {numbers}" if offsets_first else f"{numbers}, {offsets}"
    return (
        f"pass strategy= to paginate(), e.g. {positional}, "
        "tether.Cursor('<body.path>', param='<name>'), tether.NextURL('<body.path>'), "
        "tether.LastItemID('<param>'), tether.LinkHeader() or tether.SinglePage()"
    )


def _ambiguous(page: PageContext, what: str) -> AmbiguousPaginationError:
    return AmbiguousPaginationError(
        f"cannot detect how {redact_url(page.request.full_url)} paginates: {what}; "
        + _how_to_choose(page.request)
    )


def _from_envelope(page: PageContext, items_path: str | None) -> tuple[Strategy, str] | None:
    body: dict[str, Any] = page.body
    for path in NEXT_URL_PATHS:
        if _looks_like_url(get_path(body, path)):
            return NextURL(path), f"body field {path!r} holds the next page's URL"
    for path in CURSOR_PATHS:
        value = get_path(body, path)
        is_token = isinstance(value, str) and value != "" and not _looks_like_url(value)
        if is_token or (path != "next" and isinstance(value, int) and not isinstance(value, bool)):
            param = _cursor_param(path)
            return Cursor(path, param=param), (
                f"body field {path!r} holds a cursor, sent back as ?{param}="
            )
    page_param = _first_param(page.request, PAGE_PARAMS)
    size_param = _first_param(page.request, SIZE_PARAMS)
    pages_path = _first_int_path(body, PAGES_PATHS)
    total_path = next(
        (p for p in _candidate_totals(items_path) if int_or_none(get_path(body, p)) is not None),
        None,
    )
    header, _ = _total_header(page)
    numbered = pages_path or int_or_none(body.get("next")) is not None
    if page_param and numbered:
        strategy = PageNumber(
            page_param, size_param, total_header=header, total_path=total_path,
            pages_path=pages_path,
        )
        return strategy, f"page numbers in the body ({pages_path or 'next'}) and ?{page_param}="
    partner = _PAGE_PARTNER.get(size_param or "")
    if numbered and partner and not _first_param(page.request, OFFSET_PARAMS):
        # json-server 1.x answers ?_per_page= alone with page 1 of its envelope: the body's
        # page numbers confirm the style, and the size parameter names its page partner.
        strategy = PageNumber(
            partner, size_param, total_header=header, total_path=total_path,
            pages_path=pages_path,
        )
        return strategy, (
            f"page numbers in the body ({pages_path or 'next'}) and ?{size_param}=, "
            f"whose page parameter is ?{partner}="
        )
    if total_path or header:
        found = _by_position(page, header, total_path)
        if found is not None:
            source = f"body field {total_path!r}" if total_path else f"header {header}"
            positional, param = found
            return positional, f"?{param}= with a total in the {source}"
    return None


def _by_position(
    page: PageContext, header: str | None, total_path: str | None = None
) -> tuple[Strategy, str] | None:
    """Page numbers or offsets, whichever one of the two the request carries, and its name.

    Only for a response carrying a total: that is what confirms the server honours it.
    """
    page_param = _first_param(page.request, PAGE_PARAMS)
    offset_param = _first_param(page.request, OFFSET_PARAMS)
    if page_param and not offset_param:
        size_param = _first_param(page.request, SIZE_PARAMS)
        numbers = PageNumber(page_param, size_param, total_header=header, total_path=total_path)
        return numbers, page_param
    if offset_param and not page_param:
        limit_param = _first_param(page.request, LIMIT_PARAMS)
        offsets = OffsetLimit(
            offset_param, limit_param, total_header=header, total_path=total_path
        )
        return offsets, offset_param
    return None


def _candidate_totals(items_path: str | None) -> tuple[str, ...]:
    # json-server 1.x: "items" is the count only when the list lives elsewhere.
    return tuple(path for path in TOTAL_PATHS if path != items_path)


def detect(page: PageContext, items_path: str | None) -> Detection:
    """Choose a strategy from the first answered page, or raise a helpful error.

    ``items_path`` is where the items were found (``None`` for a bare list).
    Raises :class:`AmbiguousPaginationError` when the signals do not decide safely.
    """
    strategy, reason = _choose(page, items_path)
    _log.info(
        "pagination detected for %s: %r (%s)",
        redact_url(page.request.full_url), strategy, reason,
    )
    return Detection(strategy, reason, items_path)


def continuation(page: PageContext, items_path: str | None) -> tuple[Strategy, str] | None:
    """The strategy detection would follow from ``page`` to a next page, if any.

    Used when a given strategy finds no next page after the first: a response that
    plainly continues then means the strategy names the wrong field or relation.
    """
    try:
        strategy, reason = _choose(page, items_path)
        if isinstance(strategy, SinglePage) or isinstance(strategy.next_request(page), Stop):
            return None
    except PaginationError:
        return None
    return strategy, reason


def _stripe_list(page: PageContext) -> tuple[Strategy, str] | None:
    """Stripe's list object (``object: "list"``, ``data``, ``has_more``), paged forward.

    The shape is Stripe's own, so the convention that goes with it (the last item's
    ``id`` sent back as ``starting_after``) is a safe inference. Paging backwards
    (``ending_before``) is left to an explicit strategy.
    """
    body = page.body
    if body.get("object") != "list" or not isinstance(body.get("has_more"), bool):
        return None
    if page.request.has_param("ending_before") or not isinstance(body.get("data"), list):
        return None
    if page.items and not all(isinstance(item, dict) and "id" in item for item in page.items):
        return None
    return LastItemID(), "a Stripe list object (has_more), continued with ?starting_after=<last id>"


def _choose(page: PageContext, items_path: str | None) -> tuple[Strategy, str]:
    links = parse_link_header(page.headers.get_list("link"), page.request.full_url)
    header, total = _total_header(page)
    if find_link(links, "next") is not None:
        return LinkHeader(total_header=header), 'Link header with rel="next"'
    if any(find_link(links, rel) for rel in ("first", "prev", "previous", "last")):
        return LinkHeader(total_header=header), 'Link header without rel="next" (last page)'

    page_param = _first_param(page.request, PAGE_PARAMS)
    offset_param = _first_param(page.request, OFFSET_PARAMS)
    if isinstance(page.body, dict):
        found = _from_envelope(page, items_path)
        if found is not None:
            return found
        stripe = _stripe_list(page)
        if stripe is not None:
            return stripe
        more = next((p for p in MORE_PATHS if get_path(page.body, p) is True), None)
        if more is not None:
            raise _ambiguous(
                page,
                f"body field {more!r} says there are more items but the body has no next "
                "URL or cursor to reach them; if the API pages by the last item's id, pass "
                f"strategy=tether.LastItemID('<param>', has_more_path={more!r})",
            )
        ends = [p for p in NEXT_URL_PATHS + CURSOR_PATHS if get_path(page.body, p) is None]
        if ends:
            return SinglePage(), f"body field {ends[0]!r} is null: no next page"
        more_than_this = _more_than_this_page(page, items_path)
        if more_than_this is not None:
            raise _ambiguous(page, more_than_this)
        return _unconfirmed(
            page,
            page_param or offset_param,
            "the request has ?{}= but the body has no next URL, cursor, page count or total "
            "to confirm the server honours it",
            otherwise="no Link header and no paging fields in the body",
        )

    if page_param and offset_param:
        raise _ambiguous(page, f"the request has both ?{page_param}= and ?{offset_param}=")
    if total is not None:
        found = _by_position(page, header)
        if found is not None:
            strategy, param = found
            return strategy, f"a bare list, ?{param}= and {header}: {total}"
        if len(page.items) >= total:
            return SinglePage(), f"all {total} items ({header}) came in the first response"
        raise _ambiguous(
            page,
            f"{header} says {total} items but the response has {len(page.items)} and the "
            "request carries no page or offset parameter",
        )
    return _unconfirmed(
        page,
        page_param or offset_param,
        "the response is a bare list with no Link header and no total, so nothing "
        "confirms that the server honours ?{}=",
        otherwise="a bare list with no Link header, total or paging parameter",
    )


def _more_than_this_page(page: PageContext, items_path: str | None) -> str | None:
    """Why an envelope says there is more than this response holds, or ``None``."""
    body: dict[str, Any] = page.body
    pages_path = _first_int_path(body, PAGES_PATHS)
    pages = int_or_none(get_path(body, pages_path)) if pages_path else None
    if pages is not None and pages > 1:
        return f"body field {pages_path!r} says {pages} pages but the request names none"
    following = int_or_none(body.get("next"))
    if following is not None:
        return f"body field 'next' says page {following} follows but the request names none"
    for path in _candidate_totals(items_path):
        total = int_or_none(get_path(body, path))
        if total is not None and total > len(page.items):
            return (
                f"body field {path!r} says {total} items but the response has "
                f"{len(page.items)} and the request carries no page or offset parameter"
            )
    return None


def _unconfirmed(
    page: PageContext, param: str | None, problem: str, *, otherwise: str
) -> tuple[Strategy, str]:
    """The end of detection, with no signal of more pages in the response.

    An empty first page, or no paging parameter in the request, means a single page; a
    paging parameter nothing confirms the server honours is ambiguous (``problem`` names
    it at ``{}``), since guessing wrong either pulls forever or repeats page one.
    """
    if not page.items:
        return SinglePage(), "the first page is empty"
    if param:
        raise _ambiguous(page, problem.format(param))
    return SinglePage(), otherwise

