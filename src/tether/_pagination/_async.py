"""The asynchronous paginator, with concurrent page fetching when the total is known.

Sequential by default in its logic: each page is fed to :class:`PaginationCore` in
order. When the first page lets the strategy plan every remaining request (a ``last``
link, ``X-Total-Count`` with a honoured page size, a ``pages`` field), up to
``concurrency`` of them are in flight at once, as asyncio tasks sent through the same
client, so retries and client-side rate limits apply to each as to any request. Pages
are still fed to the core, and handed out, strictly in order; each planned request is
checked against the request the core expects next, and the first disagreement ends
planning for the pull and falls back to page-by-page fetching. Outstanding requests are
cancelled when the consumer stops early.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import Any, NoReturn

import httpx2
from pydantic import BaseModel

from tether._errors import ConfigurationError
from tether._httpx2 import QueryParamTypes
from tether._pagination._checkpoint import Checkpoint
from tether._pagination._page import Page
from tether._pagination._request import PageRequest
from tether._pagination._strategies import Strategy
from tether._pagination._sync import Shared

__all__ = ["DEFAULT_CONCURRENCY", "AsyncPaginator"]

_log = logging.getLogger("tether.pagination")

DEFAULT_CONCURRENCY = 4
"""Pages in flight at once when the remaining pages are known up front."""


def _on_asyncio() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class AsyncPaginator(Shared[httpx2.AsyncClient]):
    """Iterate the items of a paginated endpoint asynchronously; from ``AsyncClient.paginate``.

    ``async for`` gives items, :meth:`pages` gives :class:`Page` objects, in order.
    ``concurrency`` bounds the pages in flight when the remaining pages are known up
    front (1 fetches strictly one after another).

    Example::

        async with client.paginate("/photos", params={"page": 1, "per_page": 50}) as photos:
            async for photo in photos:
                ...
    """

    def __init__(
        self,
        client: httpx2.AsyncClient,
        /,
        url: httpx2.URL | str | None = None,
        *,
        method: str = "GET",
        params: QueryParamTypes | None = None,
        strategy: Strategy | None = None,
        items: str | None = None,
        max_items: int | None = None,
        max_pages: int | None = None,
        checkpoint: Checkpoint | None = None,
        model: type[BaseModel] | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        **request_options: Any,
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ConfigurationError(
                f"paginate(concurrency=...): expected an integer >= 1, got {concurrency!r}"
            )
        super().__init__(
            client, url, method=method, params=params, strategy=strategy, items=items,
            max_items=max_items, max_pages=max_pages, checkpoint=checkpoint, model=model,
            **request_options,
        )
        self._concurrency = concurrency
        self._planning = concurrency > 1
        self._running: set[asyncio.Task[Any]] = set()

    async def _send(self, request: PageRequest) -> httpx2.Response:
        return await self._client.request(
            self._method, request.url, params=list(request.params), **self._options
        )

    async def _fetch(self) -> AsyncGenerator[Page, None]:
        core = self._core
        request = core.next_request()
        while request is not None:
            page = core.feed(await self._send(request))
            yield page
            if self._planning and _on_asyncio():
                planned = core.plan()
                if len(planned) > 1:
                    async with aclosing(self._fetch_planned(planned)) as window:
                        async for page in window:
                            yield page
            request = core.next_request()

    async def _fetch_planned(
        self, planned: tuple[PageRequest, ...]
    ) -> AsyncGenerator[Page, None]:
        core = self._core
        queue: deque[tuple[PageRequest, asyncio.Task[httpx2.Response]]] = deque()
        remaining = iter(planned)

        def refill() -> None:
            while len(queue) < self._concurrency:
                request = next(remaining, None)
                if request is None:
                    return
                task = asyncio.ensure_future(self._send(request))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
                queue.append((request, task))

        try:
            refill()
            while queue:
                request, task = queue.popleft()
                expected = core.next_request()
                if expected is None:
                    return
                if expected.key != request.key:
                    _log.debug("planned page %r differs from the next one; fetching one by one",
                               request)
                    self._planning = False
                    return
                response = await task
                page = core.feed(response)
                refill()
                yield page
        finally:
            for _, task in queue:
                task.cancel()
            if queue:
                await asyncio.gather(*(task for _, task in queue), return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel page requests still in flight (after breaking out of a loop early)."""
        tasks = list(self._running)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def __aenter__(self) -> AsyncPaginator:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def pages(self) -> AsyncGenerator[Page, None]:
        """Yield whole pages (items plus the response) until the pull ends."""
        async with aclosing(self._fetch()) as fetched:
            async for page in fetched:
                self._checkpoint = page.before
                yield page
                self._checkpoint = page.checkpoint

    async def _items(self) -> AsyncGenerator[Any, None]:
        async with aclosing(self._fetch()) as fetched:
            async for page in fetched:
                for index, item in enumerate(page.items):
                    self._checkpoint = page.checkpoint_at(index)
                    yield item
                self._checkpoint = page.checkpoint

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._items()

    # The sync client's paginator is a plain iterator, so ``for``/``list()`` and ``await``
    # are natural slips here; without these Python says only "not iterable".
    def __iter__(self) -> NoReturn:
        raise TypeError(
            "AsyncClient.paginate() gives an async iterator: use 'async for item in "
            "client.paginate(...)' (or 'async for page in ....pages()') inside a coroutine; "
            "tether.Client.paginate() is the one to use from sync code"
        )

    def __await__(self) -> NoReturn:
        raise TypeError(
            "AsyncClient.paginate() is not awaited: iterate it with 'async for item in "
            "client.paginate(...)', or collect it with '[item async for item in ...]'"
        )
