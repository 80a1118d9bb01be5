"""The sandbox's collections, their nested routes and ``/profile``, as tether resources.

Written with tether's public ``Resource``/``Singleton`` API only: a template for a client
of your own API.
"""

from __future__ import annotations

from typing import Generic

import tether
from tether.placeholder._models import Album, Comment, Photo, Post, Todo, User

__all__ = [
    "Albums",
    "Comments",
    "Photos",
    "Placeholder",
    "Posts",
    "Profile",
    "Todos",
    "Users",
]

# The sandbox pages json-server's way (?_page=2&_limit=100, with X-Total-Count), so a
# list() asks for 100 items at a time and knows when it has them all.
_PAGES = tether.PageNumber("_page", "_limit", size=100)


class Comments(tether.Resource[Comment, tether.ClientT]):
    """``/comments``; also ``api.posts.comments(post_id)``."""

    path = "/comments"
    pagination = _PAGES


class Posts(tether.Resource[Post, tether.ClientT]):
    """``/posts``; also ``api.users.posts(user_id)``."""

    path = "/posts"
    pagination = _PAGES

    def comments(self, post_id: tether.ItemID) -> Comments[tether.ClientT]:
        """The post's comments: ``/posts/{post_id}/comments``."""
        return self.nested(Comments, post_id)


class Photos(tether.Resource[Photo, tether.ClientT]):
    """``/photos`` (5,000 of them); also ``api.albums.photos(album_id)``."""

    path = "/photos"
    pagination = _PAGES


class Albums(tether.Resource[Album, tether.ClientT]):
    """``/albums``; also ``api.users.albums(user_id)``."""

    path = "/albums"
    pagination = _PAGES

    def photos(self, album_id: tether.ItemID) -> Photos[tether.ClientT]:
        """The album's photos: ``/albums/{album_id}/photos``."""
        return self.nested(Photos, album_id)


class Todos(tether.Resource[Todo, tether.ClientT]):
    """``/todos``; also ``api.users.todos(user_id)``."""

    path = "/todos"
    pagination = _PAGES


class Users(tether.Resource[User, tether.ClientT]):
    """``/users``, with each user's posts, albums and todos."""

    path = "/users"
    pagination = _PAGES

    def posts(self, user_id: tether.ItemID) -> Posts[tether.ClientT]:
        """The user's posts: ``/users/{user_id}/posts``."""
        return self.nested(Posts, user_id)

    def albums(self, user_id: tether.ItemID) -> Albums[tether.ClientT]:
        """The user's albums: ``/users/{user_id}/albums``."""
        return self.nested(Albums, user_id)

    def todos(self, user_id: tether.ItemID) -> Todos[tether.ClientT]:
        """The user's todos: ``/users/{user_id}/todos``."""
        return self.nested(Todos, user_id)


class Profile(tether.Singleton[User, tether.ClientT]):
    """``/profile``: the user the client's credentials belong to (any of the sandbox's
    auth styles: ``tether.BearerAuth``, ``tether.APIKeyAuth`` in the header or the query,
    ``tether.BasicAuth``, ``tether.OAuth2ClientCredentials``)."""

    path = "/profile"


class Placeholder(Generic[tether.ClientT]):
    """The sandbox's API (``tether serve``), typed, on a client of either kind.

    With a :class:`tether.Client` the methods return models; with a
    :class:`tether.AsyncClient` they are awaited and ``list()`` is used with ``async for``.
    The client's base URL, auth, retries and rate limits apply to every call.

    Example::

        with tether.Client(base_url="http://127.0.0.1:8000") as client:
            api = Placeholder(client)
            api.posts.get(1).title
            [todo.title for todo in api.users.todos(1).list(completed=False)]
    """

    def __init__(self, client: tether.ClientT) -> None:
        self.client: tether.ClientT = client
        """The client every call goes through."""
        self.users: Users[tether.ClientT] = Users(client)
        self.posts: Posts[tether.ClientT] = Posts(client)
        self.comments: Comments[tether.ClientT] = Comments(client)
        self.albums: Albums[tether.ClientT] = Albums(client)
        self.photos: Photos[tether.ClientT] = Photos(client)
        self.todos: Todos[tether.ClientT] = Todos(client)
        self.profile: Profile[tether.ClientT] = Profile(client)

    def __repr__(self) -> str:
        return f"<Placeholder {self.client!r}>"
