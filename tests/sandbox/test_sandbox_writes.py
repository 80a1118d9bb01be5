"""Concurrent writers lose nothing; Idempotency-Key replays the first POST's answer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2

from tether.sandbox import SandboxConfig, SandboxServer, serve_in_thread

BODY = {"userId": 1, "title": "once", "completed": False}


def test_fifty_concurrent_writers_lose_nothing(sandbox: SandboxServer) -> None:
    def write(n: int) -> int:
        with httpx2.Client(base_url=sandbox.url) as client:
            created = client.post("/todos", json={"userId": n % 10 + 1, "title": f"w{n}",
                                                  "completed": False})
            assert created.status_code == 201
            patched = client.patch(f"/todos/{n + 1}", json={"title": f"p{n}"})
            assert patched.status_code == 200
            return int(created.json()["id"])

    with ThreadPoolExecutor(50) as pool:
        new_ids = list(pool.map(write, range(50)))
    assert sorted(new_ids) == list(range(201, 251))
    todos = httpx2.get(f"{sandbox.url}/todos").json()
    assert len(todos) == 250
    assert {t["title"] for t in todos if t["id"] > 200} == {f"w{n}" for n in range(50)}
    assert {t["title"] for t in todos if t["id"] <= 50} == {f"p{n}" for n in range(50)}


def test_repeated_idempotency_key_returns_the_first_result(sandbox: SandboxServer) -> None:
    headers = {"Idempotency-Key": "order-42"}
    first = httpx2.post(f"{sandbox.url}/todos", json=BODY, headers=headers)
    again = httpx2.post(f"{sandbox.url}/todos", json=BODY, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(httpx2.get(f"{sandbox.url}/todos").json()) == 201


def test_keys_are_per_resource_and_per_key(sandbox: SandboxServer) -> None:
    headers = {"Idempotency-Key": "k"}
    a = httpx2.post(f"{sandbox.url}/todos", json=BODY, headers=headers).json()
    b = httpx2.post(f"{sandbox.url}/albums", json={"userId": 1, "title": "x"},
                    headers=headers).json()
    c = httpx2.post(f"{sandbox.url}/todos", json=BODY,
                    headers={"Idempotency-Key": "other"}).json()
    assert (a["id"], b["id"], c["id"]) == (201, 101, 202)


def test_same_key_with_another_body_is_refused(sandbox: SandboxServer) -> None:
    headers = {"Idempotency-Key": "k2"}
    httpx2.post(f"{sandbox.url}/todos", json=BODY, headers=headers)
    response = httpx2.post(f"{sandbox.url}/todos", json=BODY | {"title": "changed"},
                           headers=headers)
    assert response.status_code == 422
    assert response.json()["field"] == "Idempotency-Key"


def test_failed_requests_are_not_remembered(sandbox: SandboxServer) -> None:
    headers = {"Idempotency-Key": "k3"}
    assert httpx2.post(f"{sandbox.url}/todos", json={"title": 1},
                       headers=headers).status_code == 422
    assert httpx2.post(f"{sandbox.url}/todos", json=BODY, headers=headers).status_code == 201


def test_concurrent_retries_with_one_key_create_one_item(sandbox: SandboxServer) -> None:
    def send(_: int) -> int:
        response = httpx2.post(f"{sandbox.url}/todos", json=BODY,
                               headers={"Idempotency-Key": "race"})
        return int(response.json()["id"])

    with ThreadPoolExecutor(20) as pool:
        assert set(pool.map(send, range(20))) == {201}
    assert len(httpx2.get(f"{sandbox.url}/todos").json()) == 201


def test_reset_forgets_keys(sandbox: SandboxServer) -> None:
    headers = {"Idempotency-Key": "k4"}
    httpx2.post(f"{sandbox.url}/todos", json=BODY, headers=headers)
    sandbox.reset()
    again = httpx2.post(f"{sandbox.url}/todos", json=BODY, headers=headers)
    assert "idempotent-replayed" not in again.headers
    assert again.json()["id"] == 201


def test_concurrent_writers_on_a_file_database_survive_a_restart(tmp_path: Path) -> None:
    config = SandboxConfig(db=str(tmp_path / "writes.db"))
    with serve_in_thread(config) as server:
        def write(n: int) -> int:
            response = httpx2.post(f"{server.url}/comments", json={
                "postId": n % 100 + 1, "name": f"c{n}", "email": "a@b.c", "body": "x"})
            assert response.status_code == 201
            return int(response.json()["id"])

        with ThreadPoolExecutor(50) as pool:
            assert sorted(pool.map(write, range(50))) == list(range(501, 551))
    with serve_in_thread(config) as server:
        comments = httpx2.get(f"{server.url}/comments", params={"id_gte": 501}).json()
        assert sorted(c["name"] for c in comments) == sorted(f"c{n}" for n in range(50))
