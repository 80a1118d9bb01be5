"""The synchronous shell of resources: sends what :mod:`._core` builds through a
:class:`tether.Client` and hands back what it reads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from tether._client import Client
from tether._pagination import Paginator, Strategy
from tether._resources._core import Core, ItemID

__all__ = ["Listing", "SyncShell"]

M = TypeVar("M", bound=BaseModel)


class Listing(Generic[M]):
    """The items of a :meth:`tether.Resource.list` call as models, fetched page by page
    as you iterate (single pass, like :class:`tether.Paginator`, which ``paginator`` is).

    Example::

        for post in api.posts.list(user_id=1):
            print(post.title)
        posts = list(api.posts.list())          # every page
    """

    def __init__(self, core: Core[M], paginator: Paginator) -> None:
        self._core = core
        self.paginator = paginator
        """The paginator underneath: ``stop_reason``, ``checkpoint``, ``detection``."""
        self._items = self._validated()

    def _validated(self) -> Iterator[M]:
        for page in self.paginator.pages():
            for item in page.items:
                yield self._core.validate(item, page.response, None)

    def __iter__(self) -> Iterator[M]:
        return self

    def __next__(self) -> M:
        return next(self._items)

    def __repr__(self) -> str:
        return f"<Listing of {self._core.model.__name__} from {self.paginator!r}>"


class SyncShell(Generic[M]):
    """Sends one resource's requests with a sync client; holds the per-call options."""

    def __init__(self, client: Client, options: Mapping[str, Any]) -> None:
        self.client = client
        self.options = options

    def one(
        self, core: Core[M], method: str, path: str, id: ItemID | None, json: Any = None
    ) -> M:
        response = self.client.request(
            method, path, json=json, raise_for_status=True, **self.options
        )
        return core.parse(response, id)

    def nothing(self, method: str, path: str) -> None:
        self.client.request(method, path, raise_for_status=True, **self.options)

    def listing(
        self,
        core: Core[M],
        params: list[tuple[str, Any]],
        strategy: Strategy | None,
        max_items: int | None,
    ) -> Listing[M]:
        paginator = self.client.paginate(
            core.path, params=params, strategy=strategy, max_items=max_items,
            raise_for_status=True, **self.options,
        )
        return Listing(core, paginator)
