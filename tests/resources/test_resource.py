"""Declaring resources and what they do at run time, against a live sandbox."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

import tether
from tether.sandbox import SandboxServer


class Todo(tether.Model):
    user_id: int
    id: int | None = None
    title: str
    completed: bool


class User(tether.Model):
    id: int
    name: str


class Todos(tether.Resource[Todo, tether.ClientT]):
    path = "todos/"


class Users(tether.Resource[User, tether.ClientT]):
    path = "/users"

    def todos(self, user_id: tether.ItemID) -> Todos[tether.ClientT]:
        return self.nested(Todos, user_id)


def test_declaration_takes_model_and_path_from_the_class() -> None:
    assert Todos.model is Todo
    assert Todos.path == "/todos"

    class Explicit(tether.Resource[Any, tether.ClientT]):
        model = User
        path = "/people"

    assert Explicit.model is User


def test_bad_declarations_are_explained() -> None:
    with pytest.raises(tether.ConfigurationError, match=r"Bad\.path must be the collection"):
        class Bad(tether.Resource[Todo, tether.ClientT]):
            path = ""

    class NoPath(tether.Resource[Todo, tether.ClientT]):
        pass

    with pytest.raises(tether.ConfigurationError, match=r"NoPath has no path: set path = "):
        NoPath(tether.Client())

    class Bare(tether.Resource):  # type: ignore[type-arg]
        path = "/x"

    with pytest.raises(tether.ConfigurationError, match=r"Bare has no model"):
        Bare(tether.Client())
    with pytest.raises(tether.ConfigurationError, match=r"expected a tether.Client or "
                                                         r"tether.AsyncClient, got httpx2"):
        Todos(httpx2.Client())  # type: ignore[type-var]


def test_repr_url_and_with_options(sandbox: SandboxServer) -> None:
    seen: list[httpx2.Request] = []
    with tether.Client(base_url=sandbox.url, event_hooks={"request": [seen.append]}) as client:
        users = Users(client)
        assert repr(users) == f"<Users {sandbox.url}/users model=User client=Client>"
        quick = users.with_options(timeout=2.5, headers={"X-Trace": "a"}, retry=False)
        tagged = quick.with_options(headers={"X-Other": "b"}, deadline=5)
        assert "timeout=2.5" in repr(tagged)
        assert "deadline=5" in repr(tagged)
        assert [t.id for t in tagged.todos(1).list(max_items=2)] == [1, 2]
        users.get(1)
    assert seen[0].headers["X-Trace"] == "a"
    assert seen[0].headers["X-Other"] == "b"
    assert seen[0].extensions["timeout"]["read"] == 2.5
    assert seen[0].url.path == "/users/1/todos"
    assert "X-Trace" not in seen[1].headers
    with pytest.raises(TypeError, match=r"'timout'; did you mean 'timeout'\?"):
        users.with_options(timout=1)  # type: ignore[call-arg]


def test_nested_path_and_refusals(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        users = Users(client)
        todos = users.todos(3)
        assert todos.url == f"{sandbox.url}/users/3/todos"
        assert {t.user_id for t in todos.list()} == {3}
        assert users.nested(Todos, 2, path="todos").url == f"{sandbox.url}/users/2/todos"
        with pytest.raises(tether.ConfigurationError, match=r"Users\.nested\(id\)"):
            users.todos(None)  # type: ignore[arg-type]
        with pytest.raises(tether.ConfigurationError, match=r"expected a Resource class"):
            users.nested(dict, 1)  # type: ignore[arg-type]


def test_create_from_a_model_and_errors_pass_through(sandbox: SandboxServer) -> None:
    # raise_for_status=False on the client does not turn a resource's 404 into data.
    with tether.Client(base_url=sandbox.url, raise_for_status=False) as client:
        todos = Todos(client)
        created = todos.create(Todo(user_id=2, title="new", completed=False))
        assert (created.id, created.user_id) == (201, 2)
        with pytest.raises(tether.NotFound) as caught:
            todos.get(9999)
        assert caught.value.body["message"] == "todos 9999 does not exist"


def test_list_validation_error_names_the_item(sandbox: SandboxServer) -> None:
    class Wrong(tether.Model):
        id: int
        completed: str

    class WrongTodos(tether.Resource[Wrong, tether.ClientT]):
        path = "/todos"

    with tether.Client(base_url=sandbox.url) as client:
        listing = WrongTodos(client).list(userId=2)
        with pytest.raises(tether.ResponseValidationError) as caught:
            next(listing)
    error = caught.value
    assert (error.resource, error.id, error.field) == ("todos", 21, "completed")
    assert isinstance(error.value, bool)
    assert error.response.url.params["userId"] == "2"


def test_list_max_items_and_the_paginator(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        listing = Todos(client).list(completed=True, max_items=3)
        assert len(list(listing)) == 3
        assert listing.paginator.stop_reason is not None
        assert "Listing of Todo" in repr(listing)


async def test_async_listing_slips_and_early_exit(sandbox: SandboxServer) -> None:
    async with tether.AsyncClient(base_url=sandbox.url) as client:
        todos = Todos(client)
        listing = todos.list()
        with pytest.raises(TypeError, match="async for"):
            iter(listing)  # type: ignore[call-overload]
        with pytest.raises(TypeError, match="not awaited"):
            await listing  # type: ignore[misc]
        async with todos.list() as todo_items:
            async for todo in todo_items:
                assert todo.id == 1
                break
        assert (await todos.get(5)).id == 5
        assert (await todos.update(5, title="x")).title == "x"


def test_singleton(sandbox: SandboxServer) -> None:
    class Me(tether.Singleton[User, tether.ClientT]):
        path = "/profile"

    auth = tether.BearerAuth(tether.sandbox.DEFAULT_BEARER_TOKEN)
    with tether.Client(base_url=sandbox.url, auth=auth) as client:
        me = Me(client).get()
    assert isinstance(me, User)
    assert me.id == 1


async def test_async_validation_errors_name_the_field(sandbox: SandboxServer) -> None:
    class Wrong(tether.Model):
        id: int
        title: int

    class WrongTodos(tether.Resource[Wrong, tether.ClientT]):
        path = "/todos"

    async with tether.AsyncClient(base_url=sandbox.url) as client:
        with pytest.raises(tether.ResponseValidationError) as caught:
            await WrongTodos(client).get(8)
        assert (caught.value.id, caught.value.field) == (8, "title")
        with pytest.raises(tether.ResponseValidationError) as caught:
            [todo async for todo in WrongTodos(client).list(userId=3)]
    assert (caught.value.resource, caught.value.id, caught.value.field) == ("todos", 41, "title")
    assert caught.value.response.request.url.params["userId"] == "3"
