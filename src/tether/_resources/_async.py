"""The asynchronous shell of resources: the same requests as :mod:`._sync`, awaited on a
:class:`tether.AsyncClient`."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Generic, NoReturn, Self, TypeVar

from pydantic import BaseModel

from tether._client import AsyncClient
from tether._pagination import AsyncPaginator, Strategy
from tether._resources._core import Core, ItemID

__all__ = ["AsyncListing", "AsyncShell"]

M = TypeVar("M", bound=BaseModel)


class AsyncListing(Generic[M]):
    """The items of a :meth:`tether.Resource.list` call on an :class:`tether.AsyncClient`,
    as models, for ``async for``; pages are fetched as you iterate (and, when the total is
    known, a few ahead at once, by :class:`tether.AsyncPaginator`, which ``paginator`` is).

    Example::

        async for post in api.posts.list(user_id=1):
            print(post.title)
        posts = [post async for post in api.posts.list()]
    """

    def __init__(self, core: Core[M], paginator: AsyncPaginator) -> None:
        self._core = core
        self.paginator = paginator
        """The paginator underneath: ``stop_reason``, ``checkpoint``, ``detection``."""
        self._items = self._validated()

    async def _validated(self) -> AsyncGenerator[M, None]:
        async with aclosing(self.paginator.pages()) as pages:
            async for page in pages:
                for item in page.items:
                    yield self._core.validate(item, page.response, None)

    def __aiter__(self) -> AsyncIterator[M]:
        return self

    async def __anext__(self) -> M:
        return await anext(self._items)

    async def aclose(self) -> None:
        """Stop: cancel page requests still in flight (after leaving a loop early)."""
        await self._items.aclose()
        await self.paginator.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # ``for`` and ``await`` are natural slips for code moved from the sync client. Defined
    # for run time only, so that type checkers still report the slip.
    if not TYPE_CHECKING:

        def __iter__(self) -> NoReturn:
            raise TypeError(
                "on an AsyncClient, list() gives an async iterator: use 'async for item in "
                "api.things.list()' inside a coroutine, or '[item async for item in ...]'"
            )

        def __await__(self) -> NoReturn:
            raise TypeError(
                "list() is not awaited: iterate it with 'async for item in api.things.list()', "
                "or collect it with '[item async for item in api.things.list()]'"
            )

    def __repr__(self) -> str:
        return f"<AsyncListing of {self._core.model.__name__} from {self.paginator!r}>"


class AsyncShell(Generic[M]):
    """Sends one resource's requests with an async client; holds the per-call options."""

    def __init__(self, client: AsyncClient, options: Mapping[str, Any]) -> None:
        self.client = client
        self.options = options

    async def one(
        self, core: Core[M], method: str, path: str, id: ItemID | None, json: Any = None
    ) -> M:
        response = await self.client.request(
            method, path, json=json, raise_for_status=True, **self.options
        )
        return core.parse(response, id)

    async def nothing(self, method: str, path: str) -> None:
        await self.client.request(method, path, raise_for_status=True, **self.options)

    def listing(
        self,
        core: Core[M],
        params: list[tuple[str, Any]],
        strategy: Strategy | None,
        max_items: int | None,
    ) -> AsyncListing[M]:
        paginator = self.client.paginate(
            core.path, params=params, strategy=strategy, max_items=max_items,
            raise_for_status=True, **self.options,
        )
        return AsyncListing(core, paginator)
