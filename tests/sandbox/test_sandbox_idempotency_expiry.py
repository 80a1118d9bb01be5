"""An idempotency key never replays an item that no longer exists, though ids are reused."""

from __future__ import annotations

import sqlite3

import httpx2

from tether.sandbox import SandboxConfig, serve_in_thread

TODO = {"userId": 1, "title": "pay invoice 7", "completed": False}


def _post(url: str, key: str, body: dict[str, object] = TODO) -> httpx2.Response:
    return httpx2.post(f"{url}/todos", json=body, headers={"Idempotency-Key": key})


def test_deleting_the_item_forgets_its_key(sandbox) -> None:
    first = _post(sandbox.url, "k1")
    created = first.json()["id"]
    assert httpx2.delete(f"{sandbox.url}/todos/{created}").status_code == 200
    # The next POST reuses the id (max + 1), for another item.
    other = httpx2.post(f"{sandbox.url}/todos",
                        json={**TODO, "title": "someone else's"}).json()
    assert other["id"] == created
    again = _post(sandbox.url, "k1")
    assert "Idempotent-Replayed" not in again.headers
    assert again.status_code == 201
    assert again.json()["id"] == created + 1
    assert again.json()["title"] == TODO["title"]
    # Every replay from now on describes that live item.
    replay = _post(sandbox.url, "k1")
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == httpx2.get(f"{sandbox.url}/todos/{created + 1}").json()


def test_deleting_a_parent_forgets_the_keys_of_its_children(sandbox) -> None:
    post = httpx2.post(f"{sandbox.url}/posts", json={"userId": 1, "title": "t", "body": "b"})
    post_id = post.json()["id"]
    comment = {"postId": post_id, "name": "n", "email": "e@example.com", "body": "b"}
    made = httpx2.post(f"{sandbox.url}/comments", json=comment,
                       headers={"Idempotency-Key": "c1"})
    assert made.status_code == 201
    assert httpx2.delete(f"{sandbox.url}/posts/{post_id}").status_code == 200
    again = httpx2.post(f"{sandbox.url}/comments", json=comment,
                        headers={"Idempotency-Key": "c1"})
    # The parent is gone: a fresh validation says so instead of a replay of a dead comment.
    assert again.status_code == 422
    assert "Idempotent-Replayed" not in again.headers


def test_keys_of_items_still_there_replay_as_before(sandbox) -> None:
    first = _post(sandbox.url, "k2")
    httpx2.delete(f"{sandbox.url}/todos/1")  # another item
    replay = _post(sandbox.url, "k2")
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()


def test_a_database_from_before_the_item_column_is_upgraded(tmp_path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE idempotency (resource TEXT NOT NULL, key TEXT NOT NULL,"
                 " fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,"
                 " location TEXT, PRIMARY KEY (resource, key))")
    conn.commit()
    conn.close()
    with serve_in_thread(SandboxConfig(db=str(path))) as server:
        first = _post(server.url, "k3")
        httpx2.delete(f"{server.url}/todos/{first.json()['id']}")
        assert "Idempotent-Replayed" not in _post(server.url, "k3").headers
