"""A key sent as ``?api_key=`` authenticates and is never echoed back."""

from __future__ import annotations

import httpx2

from tether.sandbox import DEFAULT_API_KEY


def test_list_routes_accept_the_key_in_the_query(sandbox) -> None:
    response = httpx2.get(f"{sandbox.url}/posts", params={"userId": 2, "api_key": "x"})
    assert response.status_code == 200
    assert {post["userId"] for post in response.json()} == {2}


def test_links_never_carry_the_key(sandbox) -> None:
    response = httpx2.get(f"{sandbox.url}/comments",
                          params={"_page": 2, "_limit": 5, "api_key": DEFAULT_API_KEY})
    assert response.status_code == 200
    link = response.headers["link"]
    assert DEFAULT_API_KEY not in link
    assert "api_key" not in link
    assert "_page=3" in link


def test_the_key_in_the_query_still_authenticates(sandbox) -> None:
    response = httpx2.get(f"{sandbox.url}/profile", params={"api_key": DEFAULT_API_KEY})
    assert response.headers["x-authenticated-by"] == "api-key"
