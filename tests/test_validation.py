"""``response.json(model=)``, ``parse_json(model=)`` and ``paginate(model=)``: the data as
models, with the same error as typed resources when it does not fit."""

from __future__ import annotations

import pytest

import tether
from tether.sandbox import SandboxServer


class Post(tether.Model):
    id: int
    user_id: int
    title: str


class Strict(tether.Model):
    id: int
    title: int


def test_json_with_a_model_gives_the_model(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        response = client.get("/posts/1")
        post = response.json(model=Post)
        assert isinstance(post, Post)
        assert (post.id, post.user_id) == (1, 1)
        assert tether.parse_json(response, model=Post) == post


def test_a_body_that_does_not_fit_names_the_field(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        response = client.get("/posts/1")
    with pytest.raises(tether.ResponseValidationError) as caught:
        response.json(model=Strict)
    error = caught.value
    assert str(error).startswith(
        "posts/1: field 'title' is '"
    ), str(error)
    assert (
        f"which does not fit Strict (Input should be a valid integer, unable to parse string "
        f"as an integer) in the answer to GET {sandbox.url}/posts/1"
    ) in str(error)
    assert (error.resource, error.id, error.field) == ("posts/1", 1, "title")
    assert error.response is response


def test_a_list_where_an_object_was_expected_shows_the_body(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        response = client.get("/posts", params={"userId": 1})
    with pytest.raises(tether.ResponseValidationError) as caught:
        response.json(model=Post)
    assert str(caught.value).startswith("posts: the body is [{")
    assert "which does not fit Post" in str(caught.value)
    assert "; body: [{" in str(caught.value)


def test_a_model_that_is_not_a_model_class_is_refused(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        response = client.get("/posts/1")
    with pytest.raises(tether.ConfigurationError) as caught:
        tether.parse_json(response, model=dict)  # type: ignore[type-var]
    assert str(caught.value) == (
        "parse_json(model=...): expected a pydantic model class such as a tether.Model "
        "subclass (class Post(tether.Model): ...), got <class 'dict'>"
    )


def test_paginate_with_a_model_hands_out_models(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        posts = list(client.paginate("/posts", params={"_page": 1, "_limit": 30}, model=Post))
        assert len(posts) == 100
        assert all(isinstance(post, Post) for post in posts)
        pages = client.paginate("/posts", params={"_page": 1, "_limit": 50}, model=Post).pages()
        assert isinstance(next(iter(pages)).items[0], Post)


async def test_async_paginate_with_a_model(sandbox: SandboxServer) -> None:
    async with tether.AsyncClient(base_url=sandbox.url) as client:
        pager = client.paginate("/posts", params={"_page": 1, "_limit": 40}, model=Post)
        posts = [post async for post in pager]
    assert [post.id for post in posts] == list(range(1, 101))


def test_paginate_names_the_item_that_does_not_fit(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        pager = client.paginate("/posts", params={"_page": 1, "_limit": 10}, model=Strict)
        with pytest.raises(tether.ResponseValidationError) as caught:
            next(iter(pager))
    assert str(caught.value).startswith("posts/1: field 'title' is '")
    assert caught.value.id == 1


def test_paginate_refuses_a_model_that_is_not_one(sandbox: SandboxServer) -> None:
    with (
        tether.Client(base_url=sandbox.url) as client,
        pytest.raises(tether.ConfigurationError, match=r"paginate\(model=...\): expected a"),
    ):
        client.paginate("/posts", model="Post")
