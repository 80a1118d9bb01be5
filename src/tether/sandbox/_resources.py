"""The six resources: their validation models, field order, parents and nested routes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MAX_ID", "RESOURCES", "Resource", "field_paths"]

MAX_ID = 2**63 - 1
"""Largest id SQLite can store; larger ids in URLs or bodies are answered without a query."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class _Model(BaseModel):
    # strict: "1" is not a userId and 1 is not a title; forbid: a typo in a field name is
    # an error the client hears about instead of data silently dropped.
    model_config = ConfigDict(extra="forbid", strict=True)


class Geo(_Model):
    lat: str
    lng: str


class Address(_Model):
    street: str
    suite: str
    city: str
    zipcode: str
    geo: Geo


class Company(_Model):
    name: str
    catchPhrase: str  # noqa: N815 - JSONPlaceholder's field name
    bs: str


class User(_Model):
    """A user, as in ``GET /users/1``."""

    id: Id | None = None
    name: str
    username: str
    email: str
    address: Address
    phone: str
    website: str
    company: Company


class Post(_Model):
    """A post, as in ``GET /posts/1``."""

    userId: Id  # noqa: N815
    id: Id | None = None
    title: str
    body: str


class Comment(_Model):
    """A comment, as in ``GET /comments/1``."""

    postId: Id  # noqa: N815
    id: Id | None = None
    name: str
    email: str
    body: str


class Album(_Model):
    """An album, as in ``GET /albums/1``."""

    userId: Id  # noqa: N815
    id: Id | None = None
    title: str


class Photo(_Model):
    """A photo, as in ``GET /photos/1``."""

    albumId: Id  # noqa: N815
    id: Id | None = None
    title: str
    url: str
    thumbnailUrl: str  # noqa: N815


class Todo(_Model):
    """A todo, as in ``GET /todos/1``."""

    userId: Id  # noqa: N815
    id: Id | None = None
    title: str
    completed: bool


@dataclass(frozen=True)
class Resource:
    """One collection of the API."""

    name: str
    model: type[BaseModel]
    parent: tuple[str, str] | None
    """``(foreign key field, parent resource)``, e.g. ``("userId", "users")``."""
    children: tuple[str, ...]
    """Resources readable under ``/{name}/{id}/{child}``."""

    @property
    def fields(self) -> tuple[str, ...]:
        """Top-level field names in JSONPlaceholder's order."""
        return tuple(self.model.model_fields)

    def order(self, item: dict[str, Any]) -> dict[str, Any]:
        """``item`` with its keys in the canonical order (validated items have no others)."""
        return {name: item[name] for name in self.fields if name in item}


RESOURCES: dict[str, Resource] = {
    "posts": Resource("posts", Post, ("userId", "users"), ("comments",)),
    "comments": Resource("comments", Comment, ("postId", "posts"), ()),
    "albums": Resource("albums", Album, ("userId", "users"), ("photos",)),
    "photos": Resource("photos", Photo, ("albumId", "albums"), ()),
    "users": Resource("users", User, None, ("posts", "albums", "todos")),
    "todos": Resource("todos", Todo, ("userId", "users"), ()),
}


def _paths(model: type[BaseModel], prefix: str) -> Iterator[str]:
    for name, info in model.model_fields.items():
        path = prefix + name
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _paths(annotation, path + ".")
        else:
            yield path


def field_paths(resource: Resource) -> frozenset[str]:
    """Every leaf field of ``resource``, nested ones dotted (``address.geo.lat``)."""
    return frozenset(_paths(resource.model, ""))
