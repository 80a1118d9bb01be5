"""Typical user code of typed resources, checked by ``mypy --strict tests/typing`` (part of
``make test``): ``assert_type`` fails the check unless the model types flow through
``get``, ``list``, ``async for``, nested routes and ``create``/``replace``/``update``. Lines
marked ``type: ignore[...]`` must stay errors: with ``--strict`` an ignore that is no longer
needed is itself an error, so these prove misuse is caught.

Never run; only type-checked (pytest does not collect it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, assert_type

import tether
from tether.placeholder import (
    Album,
    Comment,
    Comments,
    Photo,
    Placeholder,
    Post,
    Posts,
    Todo,
    User,
)


# A resource of one's own, declared once for both clients.
class Note(tether.Model):
    id: int
    author_id: int
    text: str


class Notes(tether.Resource[Note, tether.ClientT]):
    path = "/notes"


def sync_code(url: str) -> None:
    with tether.Client(base_url=url) as client:
        api = Placeholder(client)
        assert_type(api, Placeholder[tether.Client])
        assert_type(api.posts, Posts[tether.Client])

        post = api.posts.get(1)
        assert_type(post, Post)
        assert_type(post.user_id, int)
        assert_type(api.users.get(1).address.geo.lat, str)

        listing = api.posts.list(user_id=1)
        assert_type(listing, tether.Listing[Post])
        for item in listing:
            assert_type(item, Post)
        assert_type(list(api.todos.list(completed=True)), list[Todo])

        assert_type(api.posts.comments(post.id), Comments[tether.Client])
        for comment in api.posts.comments(post.id).list():
            assert_type(comment, Comment)
        assert_type(next(api.albums.photos(1).list()), Photo)
        assert_type(api.users.albums(1).get(1), Album)

        assert_type(api.posts.create(user_id=1, title="t", body="b"), Post)
        assert_type(api.posts.replace(1, post), Post)
        assert_type(api.posts.update(1, title="new"), Post)
        assert_type(api.posts.delete(1), None)
        assert_type(api.profile.get(), User)
        assert_type(api.posts.with_options(timeout=2).get(1), Post)

        notes = Notes(client)
        assert_type(notes.get(1).text, str)
        for note in notes.list(author_id=3):
            assert_type(note, Note)

        api.posts.get(1.5)  # type: ignore[arg-type]
        api.posts.create(api.users.get(1))  # type: ignore[arg-type]
        print(api.posts.get(1).titel)  # type: ignore[attr-defined]
        api.posts.with_options(timout=2)  # type: ignore[call-arg]


async def async_code(url: str) -> None:
    async with tether.AsyncClient(base_url=url) as client:
        api = Placeholder(client)
        assert_type(api, Placeholder[tether.AsyncClient])

        pending = api.posts.get(1)
        _ = assert_type(pending, Coroutine[Any, Any, Post])
        post = await pending
        assert_type(post, Post)

        listing = api.photos.list(album_id=1)
        assert_type(listing, tether.AsyncListing[Photo])
        async for photo in listing:
            assert_type(photo, Photo)
        async for comment in api.posts.comments(post.id).list():
            assert_type(comment, Comment)
        assert_type([todo async for todo in api.users.todos(1).list()], list[Todo])
        async with asyncio.TaskGroup() as group:
            task = group.create_task(api.posts.get(2))
        assert_type(task.result(), Post)

        assert_type(await api.todos.update(1, completed=True), Todo)
        assert_type(await api.profile.get(), User)
        assert_type(await Notes(client).get(1), Note)

        # Sync habits on the async client are type errors.
        print(api.posts.get(1).title)  # type: ignore[attr-defined]
        for _ in api.posts.list():  # type: ignore[attr-defined]
            pass


def sync_habits_are_caught(client: tether.Client) -> None:
    api = Placeholder(client)

    async def wrong() -> None:
        await api.posts.get(1)  # type: ignore[misc]
        async for _ in api.posts.list():  # type: ignore[attr-defined]
            pass

    Placeholder(object())  # type: ignore[type-var]
