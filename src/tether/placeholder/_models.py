"""The sandbox's data as typed models (the fields of ``tether serve``, JSONPlaceholder's)."""

from __future__ import annotations

import tether

__all__ = ["Address", "Album", "Comment", "Company", "Geo", "Photo", "Post", "Todo", "User"]


class Geo(tether.Model):
    """A user's coordinates, as strings (as the API sends them)."""

    lat: str
    lng: str


class Address(tether.Model):
    """A user's postal address."""

    street: str
    suite: str
    city: str
    zipcode: str
    geo: Geo


class Company(tether.Model):
    """Where a user works; ``catch_phrase`` is the API's ``catchPhrase``."""

    name: str
    catch_phrase: str
    bs: str


class User(tether.Model):
    """A user, as in ``GET /users/1`` (and ``GET /profile``)."""

    id: int
    name: str
    username: str
    email: str
    address: Address
    phone: str
    website: str
    company: Company


class Post(tether.Model):
    """A post, as in ``GET /posts/1``; ``user_id`` is the API's ``userId``."""

    user_id: int
    id: int
    title: str
    body: str


class Comment(tether.Model):
    """A comment on a post, as in ``GET /comments/1``."""

    post_id: int
    id: int
    name: str
    email: str
    body: str


class Album(tether.Model):
    """A user's photo album, as in ``GET /albums/1``."""

    user_id: int
    id: int
    title: str


class Photo(tether.Model):
    """A photo in an album, as in ``GET /photos/1``."""

    album_id: int
    id: int
    title: str
    url: str
    thumbnail_url: str


class Todo(tether.Model):
    """A user's todo, as in ``GET /todos/1``."""

    user_id: int
    id: int
    title: str
    completed: bool
