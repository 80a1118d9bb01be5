"""The paginator's state machine: pure, shared by the sync and async shells.

The shells loop::

    request = core.next_request()
    while request is not None:
        response = send(request)          # the only I/O, done by the shell
        yield core.feed(response)
        request = core.next_request()

and the core decides everything else: auto-detection on the first page, which items
to hand out (resume-skip, ``max_items``), and when to stop. Every stop condition is
here so no strategy can loop forever on its own:

* an empty page (unless the strategy opts out);
* the total reached (``X-Total-Count`` or a body total) counted in items handed out;
* the strategy has no next request (no next link, no cursor, last page number);
* the next request was already sent in this pull (a server echoing the same link or
  cursor); logged as a warning;
* a page repeating the page before item for item (a server ignoring the paging
  parameter); not handed out, logged as a warning;
* ``max_pages`` / ``max_items`` from the caller, which keep a resumable checkpoint;
* a safety cap on pages per pull when ``max_pages`` is not given, raising
  :class:`PaginationError` rather than truncating silently.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import httpx2
from pydantic import BaseModel

from tether._errors import ConfigurationError
from tether._pagination._checkpoint import Checkpoint
from tether._pagination._detect import Detection, continuation, detect
from tether._pagination._errors import PaginationError
from tether._pagination._items import extract_items
from tether._pagination._page import Page
from tether._pagination._request import PageRequest
from tether._pagination._strategies import (
    PageContext,
    SinglePage,
    Stop,
    Strategy,
    is_builtin,
)
from tether._redact import redact_url
from tether._validation import check_model, validate_model

__all__ = ["DEFAULT_SAFETY_CAP", "PaginationCore"]

_log = logging.getLogger("tether.pagination")

DEFAULT_SAFETY_CAP = 100_000
"""Pages one pull may fetch when ``max_pages`` is not given."""


def _check_limit(name: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ConfigurationError(
            f"paginate({name}=...): expected a positive integer or None, got {value!r}"
        )


class PaginationCore:
    """Decides requests and stops for one pull; never sends anything itself."""

    def __init__(
        self,
        request: PageRequest | None = None,
        *,
        strategy: Strategy | None = None,
        items: str | None = None,
        max_items: int | None = None,
        max_pages: int | None = None,
        checkpoint: Checkpoint | None = None,
        safety_cap: int = DEFAULT_SAFETY_CAP,
        model: type[BaseModel] | None = None,
    ) -> None:
        _check_limit("max_items", max_items)
        if model is not None:
            check_model(model, "paginate(model=...)")
        self._model = model
        _check_limit("max_pages", max_pages)
        _check_limit("safety_cap", safety_cap)
        if strategy is not None and not isinstance(strategy, Strategy):
            if isinstance(strategy, type) and issubclass(strategy, Strategy):
                raise ConfigurationError(
                    f"paginate(strategy=...): got the class {strategy.__name__}; pass an "
                    f"instance: strategy=tether.{strategy.__name__}(...)"
                )
            raise ConfigurationError(
                f"paginate(strategy=...): expected a tether strategy such as "
                f"tether.PageNumber(), got {strategy!r}"
            )
        if items is not None and (not isinstance(items, str) or not items):
            raise ConfigurationError(
                f"paginate(items=...): expected a dotted path string, got {items!r}"
            )
        if checkpoint is not None and not isinstance(checkpoint, Checkpoint):
            hint = (
                "; for saved text use checkpoint=tether.Checkpoint.from_json(text)"
                if isinstance(checkpoint, str | bytes)
                else ""
            )
            raise ConfigurationError(
                f"paginate(checkpoint=...): expected a tether.Checkpoint, such as "
                f"pager.checkpoint from an earlier pull, got {checkpoint!r}{hint}"
            )
        if checkpoint is not None:
            start = checkpoint
            strategy = strategy or checkpoint.strategy
        elif request is not None:
            first = strategy.prepare(request) if strategy is not None else request
            start = Checkpoint(first, strategy=strategy)
        else:
            raise ConfigurationError("paginate(): give a URL or a checkpoint to start from")
        self.strategy: Strategy | None = strategy
        """The strategy in use: the one given, or the detected one after the first page."""
        self.detection: Detection | None = None
        """What auto-detection found (``None`` when a strategy was given)."""
        self.stop_reason: str | None = None
        """Why the pull ended, once it has (``"empty page"``, ``"no Link rel='next'"`` ...)."""
        self.start = replace(start, strategy=strategy)
        self._items_path = items
        self._max_items = max_items
        self._max_pages = max_pages
        self._cap = safety_cap
        self._position = start
        self._pages_run = 0
        self._items_run = 0
        self._seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        self._last: PageContext | None = None
        self._strategy_stopped = False

    @property
    def pending(self) -> PageRequest | None:
        """The request the next page will be fetched with (``None`` when finished)."""
        return self._position.request

    @property
    def position(self) -> Checkpoint:
        """Where the pull stands after the pages fed so far."""
        return self._position

    def next_request(self) -> PageRequest | None:
        """The request to send next, or ``None`` when the pull is over."""
        request = self._position.request
        if request is None:
            return None
        if self._max_pages is not None and self._pages_run >= self._max_pages:
            self._stop(f"max_pages={self._max_pages} reached")
            return None
        if self._max_items is not None and self._items_run >= self._max_items:
            self._stop(f"max_items={self._max_items} reached")
            return None
        if self._max_pages is None and self._pages_run >= self._cap:
            raise PaginationError(
                f"stopped after {self._cap} pages without reaching the end of "
                f"{redact_url(request.full_url)}; pass max_pages= to allow more, or check "
                "whether the server keeps returning new next links"
            )
        return request

    def feed(self, response: httpx2.Response) -> Page:
        """Take the response to :attr:`pending` and return the page to hand out."""
        sent = self._position.request
        if sent is None:
            raise PaginationError("feed() called after the pagination finished")
        if response.is_error:
            response.raise_for_status()
        try:
            body = response.json()
        except ValueError as exc:
            raise PaginationError(
                f"page {redact_url(sent.full_url)} did not answer with JSON, which "
                f"pagination needs: {exc}"
            ) from None
        items, path = extract_items(body, self._items_path)
        answered = PageRequest.from_url(response.request.url)
        before = self._position
        page_start = before.items - before.skip
        context = PageContext(
            request=answered,
            status=response.status_code,
            headers=response.headers,
            body=body,
            items=items,
            position=page_start,
        )
        if self.strategy is None:
            self.detection = detect(context, path)
            self.strategy = self.detection.strategy
        if self._items_path is None:
            # Later pages must be read where the first one was, not re-guessed.
            self._items_path = path
        self._seen.add(sent.key)
        self._seen.add(answered.key)
        previous, self._last = self._last, context

        handed = items[before.skip :]
        if self._max_items is not None:
            handed = handed[: max(0, self._max_items - self._items_run)]
        repeated = previous is not None and _same_items(previous.items, items)
        if repeated:
            # A server that ignores the paging parameter answers every new request with
            # the same page: the request differs, so only the content shows the loop.
            handed = []
            _log.warning(
                "pagination stopped: %s answered with the same items as the page before; "
                "the server seems to ignore the paging parameter of %r",
                redact_url(sent.full_url),
                self.strategy,
            )
        consumed = before.skip + len(handed)
        self._pages_run += 1
        self._items_run += len(handed)
        if repeated:
            after = Checkpoint(
                None, pages=before.pages + 1, items=before.items, strategy=self.strategy
            )
            self._stop("page repeats the page before (the server ignores the paging parameter)")
        elif consumed < len(items):
            after = replace(before, skip=consumed, items=page_start + consumed)
            self._stop(f"max_items={self._max_items} reached")
        else:
            decision = self._decide(context)
            if isinstance(decision, Stop) and before.pages == 0 and self.detection is None:
                self._check_given_strategy(context, path, decision)
            following = None if isinstance(decision, Stop) else decision
            after = Checkpoint(
                following,
                pages=before.pages + 1,
                items=page_start + len(items),
                strategy=self.strategy,
            )
            if isinstance(decision, Stop):
                self._stop(decision.reason)
        self._position = after
        if self._model is not None:
            # Strategies read the raw items (a last id, say); the caller gets models.
            where = response.request.url.path.strip("/")
            model = self._model
            handed = [validate_model(model, item, response, resource=where) for item in handed]
        return Page(
            items=list(handed),
            response=response,
            number=before.pages + 1,
            request=sent,
            total=self.strategy.total(context),
            before=replace(before, strategy=self.strategy),
            checkpoint=after,
        )

    def plan(self) -> tuple[PageRequest, ...]:
        """The requests after the last fed page when the strategy knows them all up front.

        Empty when it does not. Bounded by ``max_pages``/``max_items`` and the safety cap,
        and only offered when its first request is exactly :attr:`pending`.
        """
        pending = self._position.request
        if pending is None or self._last is None or self.strategy is None:
            return ()
        planned = self.strategy.plan(self._last) or ()
        if not planned or planned[0].key != pending.key:
            return ()
        budget = (self._max_pages if self._max_pages is not None else self._cap) - self._pages_run
        if self._max_items is not None and self._last.items:
            wanted = math.ceil((self._max_items - self._items_run) / len(self._last.items))
            budget = min(budget, wanted)
        return planned[: max(0, budget)]

    def _check_given_strategy(self, page: PageContext, items_path: str | None, stop: Stop) -> None:
        """Refuse to end a pull after one page because a given strategy looks in the wrong
        place (``NextURL("nxt")``, ``LinkHeader(rel="nxt")``) while the response plainly
        links to a next page: that would truncate the collection without a word."""
        if (
            not self._strategy_stopped
            or not is_builtin(self.strategy)
            or isinstance(self.strategy, SinglePage)
        ):
            return
        found = continuation(page, items_path)
        if found is None:
            return
        detected, reason = found
        raise PaginationError(
            f"strategy={self.strategy!r} found no page after the first ({stop.reason}), "
            f"but the response has one: {reason}; pass strategy={detected!r}, or "
            "strategy=tether.SinglePage() to read only the first page"
        )

    def _decide(self, page: PageContext) -> PageRequest | Stop:
        assert self.strategy is not None
        if not page.items and self.strategy.stop_on_empty:
            return Stop("empty page")
        total = self.strategy.total(page)
        if total is not None and page.position + len(page.items) >= total:
            return Stop(f"all {total} items received")
        decision = self.strategy.next_request(page)
        if isinstance(decision, Stop):
            self._strategy_stopped = True
            return decision
        if decision.key in self._seen:
            _log.warning(
                "pagination stopped: the server pointed again at %s, which was already fetched",
                redact_url(decision.full_url),
            )
            return Stop(f"repeated request {redact_url(decision.full_url)}")
        return decision

    def _stop(self, reason: str) -> None:
        if self.stop_reason is None:
            self.stop_reason = reason
            _log.debug("pagination stopped: %s", reason)


def _same_items(before: Sequence[Any], page: Sequence[Any]) -> bool:
    """True when ``page`` repeats the page before it item for item.

    A page of one scalar may legitimately equal the one before (``["a"]``, ``["a"]``);
    records and longer pages do not repeat by chance.
    """
    if not page or len(page) != len(before) or page[0] != before[0] or page != before:
        return False
    return len(page) > 1 or isinstance(page[0], dict | list)
