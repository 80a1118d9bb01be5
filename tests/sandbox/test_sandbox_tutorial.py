"""Tutorial-style code (plain httpx2) behaves against the sandbox as it does against
JSONPlaceholder; the ``sandbox`` fixture resets between tests."""

from __future__ import annotations

import httpx2

from tether.sandbox import SandboxServer


def test_get_todo(sandbox: SandboxServer) -> None:
    response = httpx2.get(f"{sandbox.url}/todos/1")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert list(response.json()) == ["userId", "id", "title", "completed"]


def test_unknown_todo_is_404_json(sandbox: SandboxServer) -> None:
    response = httpx2.get(f"{sandbox.url}/todos/9999")
    assert response.status_code == 404
    assert response.json()["error"] == "Not Found"


def test_filter_by_user(sandbox: SandboxServer) -> None:
    posts = httpx2.get(f"{sandbox.url}/posts", params={"userId": 1}).json()
    assert len(posts) == 10
    assert {p["userId"] for p in posts} == {1}


def test_post_returns_next_id_and_stores(sandbox: SandboxServer) -> None:
    body = {"title": "foo", "body": "bar", "userId": 1}
    response = httpx2.post(f"{sandbox.url}/posts", json=body)
    assert response.status_code == 201
    assert response.json() == {"userId": 1, "id": 101, "title": "foo", "body": "bar"}
    assert response.headers["location"] == f"{sandbox.url}/posts/101"
    assert httpx2.get(f"{sandbox.url}/posts/101").json()["title"] == "foo"


def test_reset_between_tests_forgets_the_post_above(sandbox: SandboxServer) -> None:
    assert httpx2.get(f"{sandbox.url}/posts/101").status_code == 404
    assert httpx2.post(f"{sandbox.url}/posts",
                       json={"title": "a", "body": "b", "userId": 2}).json()["id"] == 101


def test_page_loop_returns_every_post(sandbox: SandboxServer) -> None:
    seen: list[int] = []
    with httpx2.Client(base_url=sandbox.url) as client:
        for page in range(1, 50):
            batch = client.get("/posts", params={"page": page, "per_page": 20}).json()
            if not batch:
                break
            seen += [post["id"] for post in batch]
    assert seen == list(range(1, 101))
    assert page == 6


def test_stats_count_requests_since_reset(sandbox: SandboxServer) -> None:
    httpx2.get(f"{sandbox.url}/posts/1")
    httpx2.get(f"{sandbox.url}/posts/1")
    httpx2.get(f"{sandbox.url}/posts/0")
    stats = sandbox.stats()
    assert stats["total"] == 3
    assert stats["routes"]["GET /posts/{id}"] == {"200": 2, "404": 1}
    sandbox.reset()
    assert sandbox.stats()["total"] == 0
