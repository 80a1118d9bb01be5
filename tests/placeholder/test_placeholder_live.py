"""``tether.placeholder`` against a live sandbox: every resource and nested route, sync and
async, with filters, pagination, write round trips, errors and every auth style."""

from __future__ import annotations

import base64
from typing import Any

import pytest

import tether
from tether.placeholder import (
    Album,
    Comment,
    Photo,
    Placeholder,
    Post,
    Todo,
    User,
)
from tether.sandbox import (
    DEFAULT_API_KEY,
    DEFAULT_BEARER_TOKEN,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    SandboxServer,
)

COLLECTIONS = [
    ("users", User, 10),
    ("posts", Post, 100),
    ("comments", Comment, 500),
    ("albums", Album, 100),
    ("photos", Photo, 5000),
    ("todos", Todo, 200),
]

# (parent collection, method, parent id, model, count, the child's parent field)
NESTED = [
    ("users", "posts", 2, Post, 10, "user_id"),
    ("users", "albums", 3, Album, 10, "user_id"),
    ("users", "todos", 4, Todo, 20, "user_id"),
    ("posts", "comments", 7, Comment, 5, "post_id"),
    ("albums", "photos", 9, Photo, 50, "album_id"),
]

# Fields for a new item of each collection, and a change to make to it.
NEW: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "posts": ({"user_id": 1, "title": "t", "body": "b"}, {"title": "changed"}),
    "comments": ({"post_id": 1, "name": "n", "email": "a@b.io", "body": "b"}, {"name": "m"}),
    "albums": ({"user_id": 2, "title": "holiday"}, {"title": "trip"}),
    "photos": (
        {"album_id": 1, "title": "t", "url": "https://x.io/1", "thumbnail_url": "https://x.io/t"},
        {"title": "sunset"},
    ),
    "todos": ({"user_id": 1, "title": "write tests", "completed": False}, {"completed": True}),
    "users": (
        {
            "name": "Ann Lee", "username": "ann", "email": "ann@lee.io", "phone": "1",
            "website": "lee.io",
            "address": {"street": "s", "suite": "1", "city": "c", "zipcode": "z",
                        "geo": {"lat": "1.0", "lng": "2.0"}},
            "company": {"name": "Lee", "catch_phrase": "Hi", "bs": "b"},
        },
        {"phone": "2"},
    ),
}


def _sync_api(sandbox: SandboxServer, **options: Any) -> Placeholder[tether.Client]:
    return Placeholder(tether.Client(base_url=sandbox.url, **options))


# --- sync ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "model", "count"), COLLECTIONS)
def test_each_collection_gets_and_lists_models(
    sandbox: SandboxServer, name: str, model: type[tether.Model], count: int
) -> None:
    api = _sync_api(sandbox)
    resource = getattr(api, name)
    item = resource.get(2)
    assert isinstance(item, model)
    assert item.id == 2
    items = list(resource.list())
    assert [i.id for i in items] == list(range(1, count + 1))
    assert all(isinstance(i, model) for i in items)
    assert items[1] == item


def test_user_nested_objects_are_models(sandbox: SandboxServer) -> None:
    user = _sync_api(sandbox).users.get(1)
    raw = tether.Client(base_url=sandbox.url).get("/users/1").json()
    assert user.address.geo.lat == raw["address"]["geo"]["lat"]
    assert user.company.catch_phrase == raw["company"]["catchPhrase"]
    assert user.model_dump(by_alias=True) == raw


@pytest.mark.parametrize(("parent", "method", "parent_id", "model", "count", "key"), NESTED)
def test_each_nested_route(
    sandbox: SandboxServer, parent: str, method: str, parent_id: int,
    model: type[tether.Model], count: int, key: str,
) -> None:
    children = getattr(getattr(_sync_api(sandbox), parent), method)(parent_id)
    assert children.url == f"{sandbox.url}/{parent}/{parent_id}/{method}"
    items = list(children.list())
    assert len(items) == count
    assert all(isinstance(i, model) and getattr(i, key) == parent_id for i in items)


def test_nested_create_fills_in_the_parent(sandbox: SandboxServer) -> None:
    api = _sync_api(sandbox)
    comment = api.posts.comments(3).create(name="n", email="a@b.io", body="hello")
    assert (comment.post_id, comment.id) == (3, 501)
    assert api.comments.get(501) == comment


def test_filters(sandbox: SandboxServer) -> None:
    api = _sync_api(sandbox)
    done = list(api.todos.list(user_id=2, completed=True))
    assert done
    assert all(t.user_id == 2 and t.completed for t in done)
    assert {p.user_id for p in api.posts.list(user_id=[1, 3])} == {1, 3}
    assert [p.id for p in api.posts.list(id_gte=98)] == [98, 99, 100]
    assert [p.id for p in api.posts.list(_sort="id", _order="desc", max_items=3)] == [100, 99, 98]
    by_city = list(api.users.list(**{"address.city": api.users.get(1).address.city}))
    assert 1 in [u.id for u in by_city]
    with pytest.raises(tether.BadRequest, match="colour"):
        list(api.posts.list(colour="red"))


def test_five_thousand_photos_in_pages_of_a_hundred(sandbox: SandboxServer) -> None:
    photos = _sync_api(sandbox).photos.list()
    ids = [photo.id for photo in photos]
    assert ids == list(range(1, 5001))
    assert photos.paginator.stop_reason == "all 5000 items received"
    assert sandbox.stats()["routes"]["GET /photos"] == {"200": 50}


@pytest.mark.parametrize("name", list(NEW))
def test_create_replace_update_delete_round_trip(sandbox: SandboxServer, name: str) -> None:
    resource = getattr(_sync_api(sandbox), name)
    fields, change = NEW[name]
    created = resource.create(**fields)
    assert created.id == dict(COLLECTIONS_COUNT)[name] + 1
    assert resource.get(created.id) == created
    replaced = resource.replace(created.id, created.model_copy(update=change))
    assert replaced == created.model_copy(update=change)
    again = resource.update(created.id, **fields)
    assert again == created
    assert resource.delete(created.id) is None
    with pytest.raises(tether.NotFound):
        resource.get(created.id)


COLLECTIONS_COUNT = [(name, count) for name, _, count in COLLECTIONS]


def test_replace_and_create_from_a_dict(sandbox: SandboxServer) -> None:
    api = _sync_api(sandbox)
    post = api.posts.replace(5, {"userId": 2, "title": "new", "body": "text"})
    assert (post.id, post.user_id, post.title) == (5, 2, "new")
    assert api.posts.create({"user_id": 1, "title": "x", "body": "y"}).id == 101


def test_missing_items_are_not_found(sandbox: SandboxServer) -> None:
    api = _sync_api(sandbox)
    for call in (
        lambda: api.posts.get(9999),
        lambda: api.todos.update(9999, completed=True),
        lambda: api.albums.replace(9999, user_id=1, title="t"),
        lambda: api.comments.delete(9999),
        lambda: list(api.users.posts(99).list()),
    ):
        with pytest.raises(tether.NotFound) as caught:
            call()
        assert caught.value.status_code == 404


def test_server_side_validation_names_the_field(sandbox: SandboxServer) -> None:
    api = _sync_api(sandbox)
    with pytest.raises(tether.UnprocessableEntity) as caught:
        api.todos.create(user_id=1, title="x", completed="yes")
    assert caught.value.body["field"] == "completed"
    with pytest.raises(tether.UnprocessableEntity) as caught:
        api.posts.create(user_id=99, title="x", body="y")
    assert caught.value.body["field"] == "userId"


def test_data_that_does_not_fit_the_model_names_the_field(sandbox: SandboxServer) -> None:
    # A client whose model disagrees with the server: the sandbox's post title is a str.
    class StrictPost(tether.Model):
        id: int
        title: int

    class StrictPosts(tether.Resource[StrictPost, tether.ClientT]):
        path = "/posts"

    with tether.Client(base_url=sandbox.url) as client:
        with pytest.raises(tether.ResponseValidationError) as caught:
            StrictPosts(client).get(4)
        title = client.get("/posts/4").json()["title"]
    error = caught.value
    assert (error.resource, error.id, error.field, error.value) == ("posts", 4, "title", title)
    assert f"posts/4: field 'title' is {title!r}" in str(error)
    assert error.response.status_code == 200
    assert error.response.json()["title"] == title


def test_each_auth_style_on_profile(sandbox: SandboxServer) -> None:
    styles: list[Any] = [
        tether.BearerAuth(DEFAULT_BEARER_TOKEN),
        tether.APIKeyAuth(DEFAULT_API_KEY),
        tether.APIKeyAuth(DEFAULT_API_KEY, location="query"),
        tether.BasicAuth(DEFAULT_USERNAME, DEFAULT_PASSWORD),
        tether.OAuth2ClientCredentials("/oauth/token", DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
    ]
    for auth in styles:
        with tether.Client(base_url=sandbox.url, auth=auth) as client:
            profile = Placeholder(client).profile.get()
        assert isinstance(profile, User)
        assert profile.id == 1
    counts = sandbox.stats()["routes"]["GET /profile"]
    assert counts == {"200": len(styles)}
    with tether.Client(base_url=sandbox.url) as client, pytest.raises(tether.Unauthorized):
        Placeholder(client).profile.get()
    wrong = base64.b64encode(b"tether:wrong").decode()
    headers = {"Authorization": f"Basic {wrong}"}
    with (
        tether.Client(base_url=sandbox.url, headers=headers) as client,
        pytest.raises(tether.Unauthorized),
    ):
        Placeholder(client).profile.get()


# --- async --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "model", "count"), COLLECTIONS)
async def test_async_each_collection(
    sandbox: SandboxServer, name: str, model: type[tether.Model], count: int
) -> None:
    async with tether.AsyncClient(base_url=sandbox.url) as client:
        resource = getattr(Placeholder(client), name)
        item = await resource.get(3)
        assert isinstance(item, model)
        ids = [i.id async for i in resource.list()]
    assert ids == list(range(1, count + 1))


@pytest.mark.parametrize(("parent", "method", "parent_id", "model", "count", "key"), NESTED)
async def test_async_each_nested_route(
    sandbox: SandboxServer, parent: str, method: str, parent_id: int,
    model: type[tether.Model], count: int, key: str,
) -> None:
    async with tether.AsyncClient(base_url=sandbox.url) as client:
        children = getattr(getattr(Placeholder(client), parent), method)(parent_id)
        items = [i async for i in children.list()]
    assert len(items) == count
    assert all(isinstance(i, model) and getattr(i, key) == parent_id for i in items)


async def test_async_filters_and_photos(sandbox: SandboxServer) -> None:
    async with tether.AsyncClient(base_url=sandbox.url) as client:
        api = Placeholder(client)
        open_todos = [t async for t in api.users.todos(5).list(completed=False)]
        assert open_todos
        assert all(t.user_id == 5 and not t.completed for t in open_todos)
        photos = api.photos.list()
        ids = [photo.id async for photo in photos]
    assert ids == list(range(1, 5001))
    assert sandbox.stats()["routes"]["GET /photos"] == {"200": 50}


@pytest.mark.parametrize("name", list(NEW))
async def test_async_round_trip(sandbox: SandboxServer, name: str) -> None:
    fields, change = NEW[name]
    async with tether.AsyncClient(base_url=sandbox.url) as client:
        resource = getattr(Placeholder(client), name)
        created = await resource.create(**fields)
        assert await resource.get(created.id) == created
        replaced = await resource.replace(created.id, created.model_copy(update=change))
        assert replaced == created.model_copy(update=change)
        assert await resource.update(created.id, **fields) == created
        await resource.delete(created.id)
        with pytest.raises(tether.NotFound):
            await resource.get(created.id)


async def test_async_errors(sandbox: SandboxServer) -> None:
    async with tether.AsyncClient(base_url=sandbox.url) as client:
        api = Placeholder(client)
        with pytest.raises(tether.NotFound):
            await api.photos.get(5001)
        with pytest.raises(tether.NotFound):
            [p async for p in api.albums.photos(101).list()]
        with pytest.raises(tether.UnprocessableEntity) as caught:
            await api.albums.create(user_id=1, title=3)
        assert caught.value.body["field"] == "title"
        with pytest.raises(tether.Unauthorized):
            await api.profile.get()


async def test_async_each_auth_style_on_profile(sandbox: SandboxServer) -> None:
    styles: list[Any] = [
        tether.BearerAuth(DEFAULT_BEARER_TOKEN),
        tether.APIKeyAuth(DEFAULT_API_KEY),
        tether.APIKeyAuth(DEFAULT_API_KEY, location="query"),
        tether.BasicAuth(DEFAULT_USERNAME, DEFAULT_PASSWORD),
        tether.OAuth2ClientCredentials("/oauth/token", DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
    ]
    for auth in styles:
        async with tether.AsyncClient(base_url=sandbox.url, auth=auth) as client:
            profile = await Placeholder(client).profile.get()
        assert profile.id == 1
    assert sandbox.stats()["routes"]["GET /profile"] == {"200": len(styles)}
