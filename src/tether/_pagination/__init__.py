"""Pagination: strategies, auto-detection, checkpoints, and the sync/async paginators.

Pure parts (no I/O): :mod:`._link` (RFC 8288 ``Link`` parser), :mod:`._items` (where
items and fields live in a body), :mod:`._strategies`, :mod:`._detect`,
:mod:`._checkpoint`, :mod:`._core` (the state machine with every stop condition).
Thin shells: :mod:`._sync` and :mod:`._async`.
"""

from tether._pagination._async import DEFAULT_CONCURRENCY, AsyncPaginator
from tether._pagination._checkpoint import Checkpoint
from tether._pagination._core import DEFAULT_SAFETY_CAP, PaginationCore
from tether._pagination._detect import Detection, detect
from tether._pagination._errors import AmbiguousPaginationError, PaginationError
from tether._pagination._items import extract_items, get_path
from tether._pagination._link import Link, find_link, parse_link_header
from tether._pagination._method import paginate_method
from tether._pagination._page import Page
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
from tether._pagination._sync import Paginator

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_SAFETY_CAP",
    "AmbiguousPaginationError",
    "AsyncPaginator",
    "Checkpoint",
    "Cursor",
    "Detection",
    "LastItemID",
    "Link",
    "LinkHeader",
    "NextURL",
    "OffsetLimit",
    "Page",
    "PageContext",
    "PageNumber",
    "PageRequest",
    "PaginationCore",
    "PaginationError",
    "Paginator",
    "SinglePage",
    "Stop",
    "Strategy",
    "detect",
    "extract_items",
    "find_link",
    "get_path",
    "paginate_method",
    "parse_link_header",
]
