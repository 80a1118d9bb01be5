"""Every resource route against the live sandbox: reads, writes, nested reads, 404s, 405s."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx2
import pytest
from starlette.routing import Match, Route

from tether.sandbox import COUNTS, SandboxServer, create_app

FIELDS = {
    "posts": ["userId", "id", "title", "body"],
    "comments": ["postId", "id", "name", "email", "body"],
    "albums": ["userId", "id", "title"],
    "photos": ["albumId", "id", "title", "url", "thumbnailUrl"],
    "todos": ["userId", "id", "title", "completed"],
    "users": ["id", "name", "username", "email", "address", "phone", "website", "company"],
}
NEW = {
    "posts": {"userId": 2, "title": "t", "body": "b"},
    "comments": {"postId": 3, "name": "n", "email": "a@b.c", "body": "b"},
    "albums": {"userId": 4, "title": "t"},
    "photos": {"albumId": 5, "title": "t", "url": "https://x/1", "thumbnailUrl": "https://x/2"},
    "todos": {"userId": 6, "title": "t", "completed": True},
    "users": {
        "name": "N", "username": "u", "email": "e@x.org",
        "address": {"street": "s", "suite": "1", "city": "c", "zipcode": "z",
                    "geo": {"lat": "1.0", "lng": "2.0"}},
        "phone": "p", "website": "w", "company": {"name": "c", "catchPhrase": "p", "bs": "b"},
    },
}


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url) as c:
        yield c


@pytest.mark.parametrize("resource", list(COUNTS))
def test_list_has_jsonplaceholder_counts_and_fields(client: httpx2.Client, resource: str) -> None:
    items = client.get(f"/{resource}").json()
    assert len(items) == COUNTS[resource]
    assert [item["id"] for item in items] == list(range(1, COUNTS[resource] + 1))
    assert list(items[0]) == FIELDS[resource]


def test_user_shape(client: httpx2.Client) -> None:
    user = client.get("/users/1").json()
    assert list(user["address"]) == ["street", "suite", "city", "zipcode", "geo"]
    assert list(user["address"]["geo"]) == ["lat", "lng"]
    assert isinstance(user["address"]["geo"]["lat"], str)
    assert float(user["address"]["geo"]["lng"]) == pytest.approx(
        float(user["address"]["geo"]["lng"]))
    assert list(user["company"]) == ["name", "catchPhrase", "bs"]


@pytest.mark.parametrize(
    ("parent", "child", "key", "count"),
    [("posts", "comments", "postId", 5), ("albums", "photos", "albumId", 50),
     ("users", "posts", "userId", 10), ("users", "albums", "userId", 10),
     ("users", "todos", "userId", 20)],
)
def test_nested_routes(client: httpx2.Client, parent: str, child: str, key: str,
                       count: int) -> None:
    items = client.get(f"/{parent}/2/{child}").json()
    assert len(items) == count
    assert {item[key] for item in items} == {2}
    # Nested lists take the same query features.
    assert len(client.get(f"/{parent}/2/{child}", params={"_limit": 2}).json()) == 2
    assert client.get(f"/{parent}/99999/{child}").status_code == 404


def test_nested_post_creates_under_the_parent(client: httpx2.Client) -> None:
    # json-server, and so JSONPlaceholder, accepts POST /posts/1/comments.
    comment = {"name": "n", "email": "a@b.c", "body": "hello"}
    created = client.post("/posts/3/comments", json=comment)
    assert created.status_code == 201
    assert created.json() == {"postId": 3, "id": 501, **comment}
    assert created.headers["location"].endswith("/comments/501")
    assert [c["id"] for c in client.get("/posts/3/comments").json()][-1] == 501
    same = client.post("/users/2/todos", json={"userId": 2, "title": "t", "completed": False})
    assert same.json()["userId"] == 2
    other = client.post("/users/2/todos", json={"userId": 5, "title": "t", "completed": False})
    assert other.status_code == 422
    assert other.json()["field"] == "userId"
    assert client.post("/posts/999/comments", json=comment).status_code == 404
    assert client.post("/posts/3/comments", json={"name": "n"}).status_code == 422


@pytest.mark.parametrize("resource", list(COUNTS))
def test_create_read_replace_patch_delete(client: httpx2.Client, resource: str) -> None:
    created = client.post(f"/{resource}", json=NEW[resource])
    assert created.status_code == 201
    new_id = COUNTS[resource] + 1
    assert created.json()["id"] == new_id
    assert list(created.json()) == FIELDS[resource]
    assert created.headers["location"].endswith(f"/{resource}/{new_id}")
    assert client.get(f"/{resource}/{new_id}").json() == created.json()

    replaced = client.put(f"/{resource}/{new_id}", json=NEW[resource] | {"id": new_id})
    assert replaced.status_code == 200
    assert replaced.json() == created.json()

    first_text_field = next(f for f in FIELDS[resource] if isinstance(NEW[resource].get(f), str))
    patched = client.patch(f"/{resource}/{new_id}", json={first_text_field: "patched"})
    assert patched.status_code == 200
    assert patched.json()[first_text_field] == "patched"
    assert list(patched.json()) == FIELDS[resource]
    assert client.get(f"/{resource}/{new_id}").json()[first_text_field] == "patched"

    deleted = client.delete(f"/{resource}/{new_id}")
    assert (deleted.status_code, deleted.json()) == (200, {})
    assert client.get(f"/{resource}/{new_id}").status_code == 404
    assert client.delete(f"/{resource}/{new_id}").status_code == 404


def test_put_requires_every_field(client: httpx2.Client) -> None:
    response = client.put("/posts/1", json={"title": "only"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"userId", "body"}
    assert client.get("/posts/1").json()["title"] != "only"


def test_patch_merges_nested_objects(client: httpx2.Client) -> None:
    before = client.get("/users/3").json()
    after = client.patch("/users/3", json={"address": {"geo": {"lat": "0.5"}}}).json()
    assert after["address"]["geo"] == {"lat": "0.5", "lng": before["address"]["geo"]["lng"]}
    assert after["address"]["city"] == before["address"]["city"]


def test_patch_null_removes_a_required_field_and_is_refused(client: httpx2.Client) -> None:
    response = client.patch("/todos/1", json={"title": None})
    assert response.status_code == 422
    assert response.json()["field"] == "title"
    # Says why: the patch's null is a removal, and title cannot be removed.
    assert "null removes a field in a PATCH" in response.json()["message"]
    assert client.get("/todos/1").json()["title"]  # unchanged


def test_body_id_must_match_url(client: httpx2.Client) -> None:
    response = client.put("/todos/2", json={"userId": 1, "id": 3, "title": "x",
                                           "completed": False})
    assert response.status_code == 422
    assert response.json()["field"] == "id"


def test_post_ignores_a_client_id_and_assigns_the_next(client: httpx2.Client) -> None:
    response = client.post("/albums", json={"userId": 1, "id": 7, "title": "x"})
    assert response.json()["id"] == 101
    assert client.get("/albums/7").json()["title"] != "x"


def test_ids_are_max_plus_one_after_a_delete(client: httpx2.Client) -> None:
    client.delete("/todos/200")
    assert client.post("/todos", json=NEW["todos"]).json()["id"] == 200


def total(client: httpx2.Client, resource: str, **params: int) -> int:
    response = client.get(f"/{resource}", params={**params, "_page": 1, "_limit": 1})
    return int(response.headers["x-total-count"])


def test_deleting_an_item_deletes_what_belongs_to_it(client: httpx2.Client) -> None:
    assert client.delete("/users/2").status_code == 200
    for resource in ("posts", "albums", "todos"):
        assert total(client, resource, userId=2) == 0
    assert total(client, "posts") == 90
    # Two levels down: user 2's posts 11-20 had comments 51-100, albums 11-20 photos 501-1000.
    assert total(client, "comments") == 450
    assert client.get("/comments/51").status_code == 404
    assert total(client, "photos") == 4500
    # Other users keep theirs.
    assert total(client, "posts", userId=1) == 10
    assert client.delete("/posts/1").status_code == 200
    assert total(client, "comments", postId=1) == 0
    assert total(client, "comments") == 445


def test_writes_to_missing_items_are_404(client: httpx2.Client) -> None:
    assert client.put("/posts/1000", json=NEW["posts"]).status_code == 404
    assert client.patch("/posts/1000", json={"title": "x"}).status_code == 404


def test_unknown_routes_and_methods_are_json(client: httpx2.Client) -> None:
    response = client.get("/nothing/here")
    assert response.status_code == 404
    assert response.json()["error"] == "Not Found"
    response = client.delete("/posts")
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]
    assert response.json()["error"] == "Method Not Allowed"


@pytest.mark.parametrize(("path", "hint"), [
    ("/post/1", "did you mean '/posts/1'?"), ("/Todos", "did you mean '/todos'?"),
    ("/user/1/albums", "did you mean '/users/1/albums'?"),
])
def test_a_misspelt_resource_gets_a_suggestion(client: httpx2.Client, path: str,
                                                hint: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["message"].endswith(hint)


def test_head_is_served(client: httpx2.Client) -> None:
    response = client.head("/posts/1")
    assert response.status_code == 200
    assert response.content == b""


def test_data_is_the_same_for_the_same_seed(sandbox: SandboxServer,
                                            client: httpx2.Client) -> None:
    first = client.get("/comments/17").json()
    sandbox.reset(seed=2)
    other = client.get("/comments/17").json()
    sandbox.reset()
    assert client.get("/comments/17").json() == first
    assert other != first


def test_no_two_routes_match_the_same_path() -> None:
    # create_app orders the routes for speed (resources first), which is only safe while
    # no path could be served by two of them.
    routes = [route for route in create_app().router.routes if isinstance(route, Route)]
    for route in routes:
        for sample in ("1", "x"):
            path = re.sub(r"\{[^}]+\}", sample, route.path)
            scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
            matching = [other.path for other in routes
                        if other.matches(scope)[0] is not Match.NONE]
            assert matching == [route.path], path
