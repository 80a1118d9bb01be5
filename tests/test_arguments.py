"""Malformed headers, params and cookies are named, with what to write instead."""

from __future__ import annotations

from typing import Any

import pytest

import tether
from tether.sandbox import SandboxServer


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"headers": [1, 2]},
            "headers=[1, 2]: item 0 is 1 (an int), not a (name, value) pair; write headers as "
            "{'Accept': 'application/json'} or [('Accept', 'application/json')]",
        ),
        ({"headers": "Accept: json"}, "headers='Accept: json': 'Accept: json' (a str) is not"),
        ({"params": [1, 2]}, "params=[1, 2]: item 0 is 1 (an int), not a (name, value) pair"),
        ({"params": 5}, "params=5: 5 (an int) is neither a mapping nor a list of pairs"),
    ],
)
def test_a_malformed_argument_is_named(
    sandbox: SandboxServer, kwargs: dict[str, Any], message: str
) -> None:
    with (
        tether.Client(base_url=sandbox.url) as client,
        pytest.raises(tether.ConfigurationError) as caught,
    ):
        client.get("/posts/1", **kwargs)
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, TypeError)  # what httpx2 raised, still catchable as such
    assert caught.value.__cause__ is None


def test_the_constructor_names_malformed_headers_and_cookies_too() -> None:
    with pytest.raises(tether.ConfigurationError, match=r"headers=\[1, 2\]: item 0 is 1"):
        tether.Client(headers=[1, 2])  # type: ignore[list-item]
    with pytest.raises(tether.ConfigurationError) as caught:
        tether.Client(cookies=[("a",)])  # type: ignore[list-item]
    assert str(caught.value) == (
        "cookies=[('a',)]: item 0 is ('a',) (a tuple), not a (name, value) pair; write "
        "cookies as {'session': 'abc'} or an httpx2.Cookies"
    )


async def test_the_async_client_names_malformed_headers(sandbox: SandboxServer) -> None:
    async with tether.AsyncClient(base_url=sandbox.url) as client:
        with pytest.raises(tether.ConfigurationError, match=r"headers=\[1, 2\]: item 0 is 1"):
            await client.get("/posts/1", headers=[1, 2])  # type: ignore[list-item]


def test_well_formed_arguments_in_every_shape_still_work(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        assert client.get("/posts", params=[("userId", 1)], headers=[("A", "b")]).json()
        assert client.get("/posts", params="userId=1").json()
    with tether.Client(base_url=sandbox.url, cookies=[("c", "d")]) as client:
        assert client.get("/posts/1").json()
