"""Query features and every pagination style over HTTP, including their 400s."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from tether.sandbox import SandboxServer


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url) as c:
        yield c


def get(client: httpx2.Client, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_filters(client: httpx2.Client) -> None:
    assert len(get(client, "/comments", postId=[1, 2])) == 10
    assert {t["completed"] for t in get(client, "/todos", completed="true")} == {True}
    assert [p["id"] for p in get(client, "/posts", id_gte=98)] == [98, 99, 100]
    assert [p["id"] for p in get(client, "/posts", id_lte=2)] == [1, 2]
    assert len(get(client, "/posts", userId=1, id_ne=[1, 2])) == 8
    assert len(get(client, "/users", **{"address.city": get(client, "/users/1")["address"][
        "city"]})) >= 1
    title = get(client, "/posts/5")["title"]
    assert 5 in [p["id"] for p in get(client, "/posts", title_like=f"^{title}$")]
    assert all(title.split()[0] in (p["title"] + p["body"]).lower()
               for p in get(client, "/posts", q=title.split()[0]))


def test_sort_and_slice(client: httpx2.Client) -> None:
    posts = get(client, "/posts", _sort="userId,id", _order="desc,asc", _start=0, _end=3)
    assert [(p["userId"], p["id"]) for p in posts] == [(10, 91), (10, 92), (10, 93)]
    response = client.get("/photos", params={"_start": 4990, "_limit": 50})
    assert [p["id"] for p in response.json()] == list(range(4991, 5001))
    assert response.headers["x-total-count"] == "5000"


def test_filters_combine_with_paging(client: httpx2.Client) -> None:
    response = client.get("/todos", params={"userId": 2, "page": 2, "per_page": 15})
    assert [t["id"] for t in response.json()] == list(range(36, 41))
    assert response.headers["x-total-count"] == "20"
    assert "userId=2" in response.headers["link"]


def test_link_header_urls_are_absolute_and_followable(client: httpx2.Client,
                                                      sandbox: SandboxServer) -> None:
    response = client.get("/comments", params={"_page": 1, "_limit": 200})
    seen = [c["id"] for c in response.json()]
    while "next" in response.links:
        url = response.links["next"]["url"]
        assert url.startswith(sandbox.url)
        response = client.get(url)
        seen += [c["id"] for c in response.json()]
    assert seen == list(range(1, 501))


def test_links_keep_other_parameters_as_sent(client: httpx2.Client) -> None:
    word = get(client, "/posts/1")["title"].split()[0]
    first = client.get(f"/posts?q={word}&_sort=-id&_page=1&_limit=2")
    expected = get(client, "/posts", q=word, _sort="-id")
    following = client.get(first.links["next"]["url"]).json()
    assert first.json() + following == expected[:4]
    assert f"?q={word}&_sort=-id&_page=2&_limit=2" in first.links["next"]["url"]
    spaced = client.get("/posts?title_like=a%20b&_page=1")
    assert "title_like=a%20b&_page=1" in spaced.links["first"]["url"]


def test_offset_style(client: httpx2.Client) -> None:
    response = client.get("/albums", params={"offset": 95, "limit": 10})
    assert [a["id"] for a in response.json()] == [96, 97, 98, 99, 100]
    assert response.headers["x-total-count"] == "100"
    assert "link" not in response.headers


def test_cursor_style(client: httpx2.Client) -> None:
    seen: list[int] = []
    body = get(client, "/posts", cursor="", limit=30)
    for _ in range(10):
        seen += [p["id"] for p in body["data"]]
        if body["next"] is None:
            assert body["next_cursor"] is None
            break
        body = client.get(body["next"]).json()
    assert seen == list(range(1, 101))


def test_json_server_1_style(client: httpx2.Client) -> None:
    body = get(client, "/posts", _page=2, _per_page=25)
    assert {k: v for k, v in body.items() if k != "data"} == {
        "first": 1, "prev": 1, "next": 3, "last": 4, "pages": 4, "items": 100}
    assert [p["id"] for p in body["data"]] == list(range(26, 51))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": -3}, "page"),
        ({"per_page": "lots"}, "per_page"),
        ({"_page": 1, "_limit": 0}, "_limit"),
        ({"_page": 1, "_per_page": 5000}, "_per_page"),
        ({"offset": -1}, "offset"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"page": 1, "offset": 2}, "offset"),
        ({"nosuchfield": 1}, "nosuchfield"),
        ({"_sort": "nosuchfield"}, "_sort"),
        ({"_order": "sideways", "_sort": "id"}, "_order"),
        ({"title_like": "(unclosed"}, "title_like"),
    ],
)
def test_invalid_listing_parameters_are_400(client: httpx2.Client, params: dict[str, Any],
                                            field: str) -> None:
    response = client.get("/posts", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Bad Request"
    assert body["field"] == field
    assert body["message"]


def test_empty_results(client: httpx2.Client) -> None:
    assert get(client, "/posts", userId=999) == []
    response = client.get("/posts", params={"userId": 999, "page": 1, "per_page": 10})
    assert response.json() == []
    assert response.headers["x-total-count"] == "0"
    assert get(client, "/posts", userId=999, _page=1, _per_page=10)["pages"] == 0


def test_embed_children_and_expand_parent(client: httpx2.Client) -> None:
    post = get(client, "/posts/3", _embed="comments")
    assert [c["id"] for c in post["comments"]] == [11, 12, 13, 14, 15]
    comments = get(client, "/comments", postId=3, _expand="post")
    assert {c["post"]["id"] for c in comments} == {3}
    users = get(client, "/users", _embed="todos,albums", _limit=2)
    assert [len(u["todos"]) for u in users] == [20, 20]
    assert [len(u["albums"]) for u in users] == [10, 10]
    assert get(client, "/photos/1", _expand="album")["album"]["id"] == 1
    assert get(client, "/todos/1", cachebuster="1")["id"] == 1
    for path, params in (("/posts", {"_embed": "photos"}), ("/users/1", {"_expand": "x"}),
                         ("/posts/1", {"_embed": "users"})):
        response = client.get(path, params=params)
        assert response.status_code == 400
        assert response.json()["field"] in ("_embed", "_expand")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"_sort": "nope"}, "_sort='nope': 'nope' is not a field here; sort by one of body, id"),
        ({"_sort": "-nope"}, "sort by one of"),
        ({"colour": "red"}, "unknown query parameter 'colour'"),
    ],
)
def test_unknown_field_errors_say_what_the_parameter_does(
    client: httpx2.Client, params: dict[str, Any], expected: str
) -> None:
    message = client.get("/posts", params=params).json()["message"]
    assert expected in message
    # A bad _sort is a sort key, not a filter; a bad filter is not a sort key.
    assert ("filter" in message) == ("_sort" not in params)
