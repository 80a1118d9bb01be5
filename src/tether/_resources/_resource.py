"""``tether.Resource`` and ``tether.Singleton``: one declaration, both clients.

A declaration is generic in its model and in the client kind (``tether.ClientT``); the
methods are overloaded on the client kind, so a type checker sees ``Post`` from
``api.posts.get(1)`` on a :class:`tether.Client` and an awaitable of ``Post`` on an
:class:`tether.AsyncClient`. At run time the instance holds the shell of its client's
kind; the shells share :class:`~tether._resources._core.Core` for every decision.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Coroutine, Mapping
from typing import (
    Any,
    ClassVar,
    Generic,
    Self,
    TypedDict,
    TypeVar,
    Unpack,
    cast,
    get_args,
    overload,
)

from httpx2._types import HeaderTypes, TimeoutTypes
from pydantic import BaseModel

from tether._client import AsyncClient, Client
from tether._errors import ConfigurationError
from tether._pagination import Strategy
from tether._redact import redact_url
from tether._resources._async import AsyncListing, AsyncShell
from tether._resources._core import Core, ItemID, is_model_class
from tether._resources._sync import Listing, SyncShell
from tether._retry import Retry

__all__ = ["ClientT", "Resource", "ResourceOptions", "Singleton"]

M = TypeVar("M", bound=BaseModel)
ClientT = TypeVar("ClientT", Client, AsyncClient)
"""The client kind a declaration is generic in: ``class Posts(tether.Resource[Post,
tether.ClientT])`` serves both :class:`tether.Client` and :class:`tether.AsyncClient`."""
_Child = TypeVar("_Child", bound="_Declared[Any, Any]")


class ResourceOptions(TypedDict, total=False):
    """Options :meth:`Resource.with_options` applies to every request of the copy."""

    timeout: TimeoutTypes
    """A timeout for each request, in any httpx2 form."""
    retry: Retry | bool
    """A :class:`tether.Retry` policy, or ``False`` to send each request once."""
    deadline: float
    """Seconds for each whole call, retries and waits included."""
    headers: HeaderTypes
    """Extra headers, merged with those of earlier ``with_options`` calls."""


_OPTION_NAMES = frozenset(ResourceOptions.__annotations__)


class _Declared(Generic[M, ClientT]):
    """What resources and singletons share: the declaration, the client, the options."""

    model: type[M]
    """The model answers are validated into; taken from ``Resource[Model, ...]`` unless
    the class sets it."""
    path: ClassVar[str]
    """The path, relative to the client's ``base_url``: ``"/posts"``."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "model" not in cls.__dict__:
            for base in getattr(cls, "__orig_bases__", ()):
                model = next((arg for arg in get_args(base) if is_model_class(arg)), None)
                if model is not None:
                    cls.model = model
                    break
        elif not is_model_class(cls.__dict__["model"]):
            raise ConfigurationError(
                f"{cls.__name__}.model must be a tether.Model class, got "
                f"{cls.__dict__['model']!r}"
            )
        path = cls.__dict__.get("path")
        if path is not None:
            if not isinstance(path, str) or not path.strip("/ "):
                raise ConfigurationError(
                    f"{cls.__name__}.path must be the collection's path such as '/posts', "
                    f"got {path!r}"
                )
            cls.path = "/" + path.strip().strip("/")

    def __init__(self, client: ClientT, /) -> None:
        cls = type(self)
        if not is_model_class(getattr(cls, "model", None)):
            raise ConfigurationError(
                f"{cls.__name__} has no model: declare it as "
                f"class {cls.__name__}(tether.Resource[YourModel, tether.ClientT])"
            )
        if not isinstance(getattr(cls, "path", None), str):
            raise ConfigurationError(
                f"{cls.__name__} has no path: set path = '/{cls.__name__.lower()}' in the class"
            )
        if not isinstance(client, Client | AsyncClient):
            raise ConfigurationError(
                f"{cls.__name__}(client): expected a tether.Client or tether.AsyncClient, got "
                f"{type(client).__module__}.{type(client).__name__}"
            )
        self._client: ClientT = client
        self._core: Core[M] = Core(cls.model, cls.path, cls.__name__)
        self._options: dict[str, Any] = {}
        self._shell = self._new_shell()

    def _new_shell(self) -> SyncShell[M] | AsyncShell[M]:
        if isinstance(self._client, AsyncClient):
            return AsyncShell(self._client, self._options)
        return SyncShell(self._client, self._options)

    @property
    def client(self) -> ClientT:
        """The client this resource sends its requests with."""
        return self._client

    @property
    def url(self) -> str:
        """The resource's URL (credentials hidden)."""
        return redact_url(str(self._client.base_url).rstrip("/") + self._core.path)

    def with_options(self, **options: Unpack[ResourceOptions]) -> Self:
        """A copy whose every request takes these options (the original is unchanged).

        Example::

            api.posts.with_options(timeout=2, retry=False).get(1)
        """
        unknown = sorted(options.keys() - _OPTION_NAMES)
        if unknown:
            close = difflib.get_close_matches(unknown[0], _OPTION_NAMES, n=1)
            hint = f"did you mean {close[0]!r}?" if close else (
                f"it takes {', '.join(sorted(_OPTION_NAMES))}"
            )
            raise TypeError(
                f"with_options() got an unexpected keyword argument {unknown[0]!r}; {hint}"
            )
        merged = {**self._options, **options}
        if "headers" in options and "headers" in self._options:
            merged["headers"] = {**dict(self._options["headers"]), **dict(options["headers"])}
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy._options = merged
        copy._shell = copy._new_shell()
        return copy

    def __repr__(self) -> str:
        options = "".join(f" {k}={v!r}" for k, v in self._options.items() if k != "headers")
        return (
            f"<{type(self).__name__} {self.url} model={self._core.model.__name__} "
            f"client={type(self._client).__name__}{options}>"
        )


class Resource(_Declared[M, ClientT]):
    """A REST collection (``/posts``, ``/posts/{id}``), declared once for both clients.

    Subclass it with your model and ``tether.ClientT``, set ``path``, and construct it with
    a :class:`tether.Client` (methods return models) or an :class:`tether.AsyncClient`
    (methods are awaited, ``list()`` is used with ``async for``). Every request goes
    through the client, so its retries, rate limits, auth and hooks apply.

    Class attributes: ``path`` (required), ``model`` (taken from the first type argument),
    ``pagination`` (a :class:`tether.Strategy` for :meth:`list`; detected from the first
    response when ``None``).

    A nested collection is a method returning :meth:`nested`.

    Example::

        class Post(tether.Model):
            id: int | None = None
            user_id: int
            title: str

        class Posts(tether.Resource[Post, tether.ClientT]):
            path = "/posts"

        posts = Posts(tether.Client(base_url="http://127.0.0.1:8000"))
        posts.get(1).title
        for post in posts.list(user_id=1): ...
    """

    pagination: ClassVar[Strategy | None] = None
    """How :meth:`list` pages; ``None`` detects it from the first response."""

    @overload
    def get(self: Resource[M, Client], id: ItemID, /) -> M: ...
    @overload
    def get(self: Resource[M, AsyncClient], id: ItemID, /) -> Coroutine[Any, Any, M]: ...
    def get(self, id: ItemID, /) -> M | Coroutine[Any, Any, M]:
        """The item with this id (``GET /posts/{id}``); a 404 raises :class:`tether.NotFound`,
        data that does not fit the model :class:`tether.ResponseValidationError`."""
        return self._shell.one(self._core, "GET", self._core.item_path("get", id), id)

    @overload
    def list(self: Resource[M, Client], *, max_items: int | None = None,
             **filters: Any) -> Listing[M]: ...
    @overload
    def list(self: Resource[M, AsyncClient], *, max_items: int | None = None,
             **filters: Any) -> AsyncListing[M]: ...
    def list(self, *, max_items: int | None = None,
             **filters: Any) -> Listing[M] | AsyncListing[M]:
        """Every item (``GET /posts?...``), page after page as you iterate.

        ``filters`` become query parameters, field names in the API's spelling
        (``user_id=1`` is ``?userId=1``, ``user_id_gte=3`` is ``?userId_gte=3``); a list
        repeats the parameter; other names (``q``, ``_sort``) are sent as given.
        ``max_items`` stops early.
        """
        params = self._core.params("list", filters)
        return self._shell.listing(self._core, params, type(self).pagination, max_items)

    @overload
    def create(self: Resource[M, Client], data: M | Mapping[str, Any] | None = None, /,
               **fields: Any) -> M: ...
    @overload
    def create(self: Resource[M, AsyncClient], data: M | Mapping[str, Any] | None = None, /,
               **fields: Any) -> Coroutine[Any, Any, M]: ...
    def create(self, data: M | Mapping[str, Any] | None = None, /,
               **fields: Any) -> M | Coroutine[Any, Any, M]:
        """Create an item (``POST /posts``) from a model, a dict or keyword fields, and
        return it as the server stored it (with its new id).

        Not retried unless the client's retry policy says ``POST`` is safe to repeat (with
        an idempotency key, for instance).
        """
        body = self._core.body("create", data, fields, partial=False)
        return self._shell.one(self._core, "POST", self._core.path, None, body)

    @overload
    def replace(self: Resource[M, Client], id: ItemID, data: M | Mapping[str, Any] | None = None,
                /, **fields: Any) -> M: ...
    @overload
    def replace(self: Resource[M, AsyncClient], id: ItemID,
                data: M | Mapping[str, Any] | None = None, /,
                **fields: Any) -> Coroutine[Any, Any, M]: ...
    def replace(self, id: ItemID, data: M | Mapping[str, Any] | None = None, /,
                **fields: Any) -> M | Coroutine[Any, Any, M]:
        """Replace the item whole (``PUT /posts/{id}``) and return the stored version."""
        path = self._core.item_path("replace", id)
        body = self._core.body("replace", data, fields, partial=False)
        return self._shell.one(self._core, "PUT", path, id, body)

    @overload
    def update(self: Resource[M, Client], id: ItemID, /, **fields: Any) -> M: ...
    @overload
    def update(self: Resource[M, AsyncClient], id: ItemID, /,
               **fields: Any) -> Coroutine[Any, Any, M]: ...
    def update(self, id: ItemID, /, **fields: Any) -> M | Coroutine[Any, Any, M]:
        """Change some fields (``PATCH /posts/{id}``) and return the updated item."""
        path = self._core.item_path("update", id)
        body = self._core.body("update", None, fields, partial=True)
        return self._shell.one(self._core, "PATCH", path, id, body)

    @overload
    def delete(self: Resource[M, Client], id: ItemID, /) -> None: ...
    @overload
    def delete(self: Resource[M, AsyncClient], id: ItemID, /) -> Coroutine[Any, Any, None]: ...
    def delete(self, id: ItemID, /) -> Coroutine[Any, Any, None] | None:
        """Delete the item (``DELETE /posts/{id}``); a 404 raises :class:`tether.NotFound`."""
        return self._shell.nothing("DELETE", self._core.item_path("delete", id))

    def nested(
        self,
        resource: Callable[[ClientT], _Child],
        parent_id: ItemID,
        /,
        *,
        path: str | None = None,
    ) -> _Child:
        """The collection ``resource`` under one of this collection's items:
        ``/users/1/posts`` for ``users.nested(Posts, 1)``, at ``path`` (default: the last
        part of ``resource.path``) below the item. Options of :meth:`with_options` carry over.

        Example::

            class Users(tether.Resource[User, tether.ClientT]):
                path = "/users"

                def posts(self, user_id: tether.ItemID) -> Posts[tether.ClientT]:
                    return self.nested(Posts, user_id)
        """
        if not (isinstance(resource, type) and issubclass(resource, _Declared)):
            raise ConfigurationError(
                f"{type(self).__name__}.nested(): expected a Resource class, got {resource!r}"
            )
        child: _Declared[Any, Any] = resource(self._client)
        below = (path or child._core.path.rsplit("/", 1)[-1]).strip("/")
        child._core = Core(child._core.model, self._core.child_path(parent_id, below),
                           child._core.label)
        child._options = self._options
        child._shell = child._new_shell()
        return cast(_Child, child)


class Singleton(_Declared[M, ClientT]):
    """One object at a fixed path, such as ``/profile`` or ``/me``: :meth:`get` reads it.

    Declared like a :class:`Resource`, with ``path`` and the model.

    Example::

        class Profile(tether.Singleton[User, tether.ClientT]):
            path = "/profile"

        me = Profile(client).get()
    """

    @overload
    def get(self: Singleton[M, Client]) -> M: ...
    @overload
    def get(self: Singleton[M, AsyncClient]) -> Coroutine[Any, Any, M]: ...
    def get(self) -> M | Coroutine[Any, Any, M]:
        """The object (``GET /profile``), validated into the model."""
        return self._shell.one(self._core, "GET", self._core.path, None)
