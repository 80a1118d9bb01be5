"""The synchronous paginator: a thin loop over :class:`PaginationCore` and ``client.request``."""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

import httpx2
from pydantic import BaseModel

from tether._errors import ConfigurationError
from tether._httpx2 import QueryParamTypes
from tether._pagination._checkpoint import Checkpoint
from tether._pagination._core import PaginationCore
from tether._pagination._detect import Detection
from tether._pagination._page import Page
from tether._pagination._request import PageRequest
from tether._pagination._strategies import Strategy
from tether._redact import redact_url

__all__ = ["Paginator", "check_request_options"]

_RESERVED = frozenset({"url", "params", "method", "stream"})


def check_request_options(
    request: Callable[..., Any], options: dict[str, Any], own: Iterable[str] = ()
) -> None:
    """Refuse, before any request, options the paginator sets itself or ``request`` lacks.

    ``own`` names the paginator's own arguments, so a misspelt one (``max_item``) is
    pointed at the right name rather than at the request's options.
    """
    clash = sorted(_RESERVED & options.keys())
    if clash:
        raise ConfigurationError(
            f"paginate(): {', '.join(clash)} cannot be passed as a request option; "
            "give the URL and params= as paginate()'s own arguments"
        )
    try:
        parameters = inspect.signature(request).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    unknown = sorted(options.keys() - parameters.keys())
    if not unknown:
        return
    name = unknown[0]
    if name == "concurrency":
        raise ConfigurationError(
            "paginate() got concurrency=, but concurrent pages need AsyncClient.paginate; "
            "the sync client fetches one page at a time"
        )
    own_names = [n for n in own if n not in _RESERVED]
    request_names = sorted(set(parameters) - _RESERVED - {"self"})
    close = difflib.get_close_matches(name, [*own_names, *request_names], n=1)
    hint = (
        f"did you mean {close[0]!r}?"
        if close
        else f"it takes {', '.join(own_names)} and the request options "
        f"{', '.join(request_names)}"
    )
    raise ConfigurationError(f"paginate() got an unexpected keyword argument {name!r}; {hint}")


_ClientT = TypeVar("_ClientT", httpx2.Client, httpx2.AsyncClient)


class Shared(Generic[_ClientT]):
    """What both paginators share: the arguments, the core, the checkpoint and the repr."""

    def __init__(
        self,
        client: _ClientT,
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
        **request_options: Any,
    ) -> None:
        own = [
            p.name
            for p in inspect.signature(type(self).__init__).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        ]
        check_request_options(client.request, request_options, own)
        first = None if url is None or checkpoint is not None else PageRequest.from_url(url, params)
        self._client: _ClientT = client
        self._core = PaginationCore(
            first,
            strategy=strategy,
            items=items,
            max_items=max_items,
            max_pages=max_pages,
            checkpoint=checkpoint,
            model=model,
        )
        self._checkpoint = self._core.start
        self._method = method.upper()
        self._options = request_options

    @property
    def checkpoint(self) -> Checkpoint:
        """Where the pull stands: items handed out so far are behind it.

        Items are counted as handed out once the next one is asked for (at-least-once:
        after an interruption, the item being processed is delivered again on resume).
        """
        return self._checkpoint

    @property
    def strategy(self) -> Strategy | None:
        """The strategy in use (the detected one once the first page arrived)."""
        return self._core.strategy

    @property
    def detection(self) -> Detection | None:
        """What auto-detection found and why; ``None`` when a strategy was given."""
        return self._core.detection

    @property
    def stop_reason(self) -> str | None:
        """Why the pull ended (``None`` while it runs)."""
        return self._core.stop_reason

    def __repr__(self) -> str:
        start = self._core.start.request
        where = "checkpoint" if start is None else redact_url(start.full_url)
        return (
            f"<{type(self).__name__} {self._method} {where} strategy={self.strategy!r} "
            f"stop_reason={self.stop_reason!r}>"
        )


class Paginator(Shared[httpx2.Client]):
    """Iterate the items of a paginated endpoint; from ``client.paginate(...)``.

    Iterating gives items across all pages; :meth:`pages` gives :class:`Page` objects.
    A paginator is single-pass: iterating again continues where it stopped.

    Example::

        for photo in client.paginate("/photos", params={"_page": 1, "_limit": 100}):
            ...
        pager = client.paginate("/photos", params={"offset": 0, "limit": 50}, max_items=120)
        for page in pager.pages():
            save(page.items, page.checkpoint)
        pager.detection.reason            # "a bare list, ?offset= and X-Total-Count: 5000"
    """

    def _fetch(self) -> Iterator[Page]:
        core = self._core
        request = core.next_request()
        while request is not None:
            response = self._client.request(
                self._method, request.url, params=list(request.params), **self._options
            )
            yield core.feed(response)
            request = core.next_request()

    def pages(self) -> Iterator[Page]:
        """Yield whole pages (items plus the response) until the pull ends."""
        for page in self._fetch():
            self._checkpoint = page.before
            yield page
            self._checkpoint = page.checkpoint

    def __iter__(self) -> Iterator[Any]:
        for page in self._fetch():
            for index, item in enumerate(page.items):
                self._checkpoint = page.checkpoint_at(index)
                yield item
            self._checkpoint = page.checkpoint
