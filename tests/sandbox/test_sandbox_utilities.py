"""``/status/{code}``, ``/delay/{seconds}``, admin endpoints and ``/openapi.json``."""

from __future__ import annotations

import time
from pathlib import Path

import httpx2
import pytest
from openapi_spec_validator import validate

from tether.sandbox import SandboxConfig, SandboxServer, generate, serve_in_thread


@pytest.mark.parametrize("code", [200, 201, 301, 404, 418, 429, 500, 503, 599])
def test_status_returns_that_status(sandbox: SandboxServer, code: int) -> None:
    response = httpx2.get(f"{sandbox.url}/status/{code}")
    assert response.status_code == code
    assert response.json()["status"] == code


def test_status_without_body_and_with_retry_after(sandbox: SandboxServer) -> None:
    assert httpx2.get(f"{sandbox.url}/status/204").content == b""
    response = httpx2.post(f"{sandbox.url}/status/503", params={"retry_after": 7})
    assert (response.status_code, response.headers["retry-after"]) == (503, "7")
    assert "Bearer" in httpx2.get(f"{sandbox.url}/status/401").headers["www-authenticate"]


@pytest.mark.parametrize("code", ["99", "600", "abc", "2000", "-200", "\uff11\uff12\uff13"])
def test_status_rejects_bad_codes(sandbox: SandboxServer, code: str) -> None:
    response = httpx2.get(f"{sandbox.url}/status/{code}")
    assert response.status_code == 400
    assert response.json()["field"] == "code"


@pytest.mark.parametrize("value", ["-1", "1.5", "soon", "99999999"])
def test_status_retry_after_errors_say_what_was_sent(sandbox: SandboxServer, value: str) -> None:
    response = httpx2.get(f"{sandbox.url}/status/503", params={"retry_after": value})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "retry_after"
    assert f"got {value!r}" in body["message"]
    assert "whole number of seconds from 0" in body["message"]


def test_reset_seed_errors_say_what_is_accepted(sandbox: SandboxServer) -> None:
    huge = "9" * 60
    response = httpx2.post(f"{sandbox.url}/_sandbox/reset", params={"seed": huge})
    assert response.status_code == 400
    message = response.json()["message"]
    assert "integer of at most 19 digits" in message
    assert message.endswith("...")  # a huge value is cut short, not echoed whole


def test_delay_waits(sandbox: SandboxServer) -> None:
    started = time.monotonic()
    response = httpx2.get(f"{sandbox.url}/delay/0.3")
    assert response.json() == {"delay": 0.3}
    assert time.monotonic() - started >= 0.29
    with pytest.raises(httpx2.ReadTimeout):
        httpx2.get(f"{sandbox.url}/delay/0.6", timeout=0.1)
    # The abandoned request ends after a reset: it must not count in the new stats.
    sandbox.reset()
    time.sleep(0.8)
    assert sandbox.stats()["total"] == 0


@pytest.mark.parametrize("seconds", ["31", "-1", "nan", "inf", "soon", "1e9"])
def test_delay_is_bounded(sandbox: SandboxServer, seconds: str) -> None:
    response = httpx2.get(f"{sandbox.url}/delay/{seconds}")
    assert response.status_code == 400
    assert "seconds" in response.json()["message"]


def test_health(sandbox: SandboxServer) -> None:
    assert httpx2.get(f"{sandbox.url}/_sandbox/health").json() == {
        "status": "ok", "seed": 1, "db": ":memory:", "collections": {
            "users": 10, "posts": 100, "comments": 500, "albums": 100, "photos": 5000,
            "todos": 200}}


def test_reset_over_http_restores_data_and_counts(sandbox: SandboxServer) -> None:
    httpx2.delete(f"{sandbox.url}/posts/1")
    assert httpx2.post(f"{sandbox.url}/_sandbox/reset").json()["status"] == "reset"
    assert httpx2.get(f"{sandbox.url}/posts/1").status_code == 200
    stats = httpx2.get(f"{sandbox.url}/_sandbox/stats").json()
    assert stats["routes"] == {"GET /posts/{id}": {"200": 1}}
    assert httpx2.post(f"{sandbox.url}/_sandbox/reset", params={"seed": "x"}).status_code == 400


def test_stats_name_route_templates_and_statuses(sandbox: SandboxServer) -> None:
    httpx2.get(f"{sandbox.url}/users/1/todos")
    httpx2.get(f"{sandbox.url}/status/503")
    httpx2.get(f"{sandbox.url}/no/such/path")
    httpx2.put(f"{sandbox.url}/posts")
    stats = sandbox.stats()
    assert stats["routes"] == {
        "GET /users/{id}/todos": {"200": 1},
        "GET /status/{code}": {"503": 1},
        "GET (unmatched)": {"404": 1},
        "PUT /posts": {"405": 1},
    }
    assert stats["by_status"] == {"200": 1, "404": 1, "405": 1, "503": 1}
    assert stats["total"] == 4


def test_openapi_document_is_valid_and_names_every_operation(sandbox: SandboxServer) -> None:
    document = httpx2.get(f"{sandbox.url}/openapi.json").json()
    validate(document)  # raises with the first problem found
    operations = [
        operation
        for item in document["paths"].values()
        for method, operation in item.items()
        if method != "parameters"
    ]
    ids = [operation["operationId"] for operation in operations]
    assert len(ids) == len(set(ids))
    assert document["paths"]["/posts/{id}/comments"]["get"]["operationId"] == (
        "get_posts_id_comments")
    # /status/{code} answers any method, and says so.
    assert {"get", "post", "put", "patch", "delete"} <= set(document["paths"]["/status/{code}"])


def test_index_points_to_everything(sandbox: SandboxServer) -> None:
    index = httpx2.get(f"{sandbox.url}/").json()
    assert index["resources"]["todos"] == f"{sandbox.url}/todos"
    assert set(index["resources"]) == {"posts", "comments", "albums", "photos", "users", "todos"}
    assert httpx2.get(index["openapi"]).json()["openapi"].startswith("3.1")


def test_openapi_describes_every_route(sandbox: SandboxServer) -> None:
    document = httpx2.get(f"{sandbox.url}/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": sandbox.url}]
    from tether.sandbox import create_app

    templates = {getattr(r, "path", "") for r in create_app().routes}
    assert templates <= set(document["paths"])
    assert {"Post", "User", "Geo", "Error"} <= set(document["components"]["schemas"])
    assert document["components"]["schemas"]["Todo"]["properties"]["completed"]["type"] == (
        "boolean")


def test_an_existing_database_keeps_its_seed_for_health_and_reset(tmp_path: Path) -> None:
    db = str(tmp_path / "sb.db")
    with serve_in_thread(SandboxConfig(db=db, seed=1)):
        pass
    seed_1_title = generate(1)["todos"][0]["title"]
    with serve_in_thread(SandboxConfig(db=db, seed=5)) as server:
        # The server reports the configuration in force, not the one asked for.
        assert server.config.seed == 1
        health = httpx2.get(f"{server.url}/_sandbox/health").json()
        assert health["seed"] == 1
        assert httpx2.get(f"{server.url}/todos/1").json()["title"] == seed_1_title
        assert httpx2.post(f"{server.url}/_sandbox/reset").json()["seed"] == 1
        assert httpx2.get(f"{server.url}/todos/1").json()["title"] == seed_1_title
        assert httpx2.post(f"{server.url}/_sandbox/reset", params={"seed": 5}).json() == {
            "status": "reset", "seed": 5}
        assert httpx2.get(f"{server.url}/_sandbox/health").json()["seed"] == 5
        assert httpx2.get(f"{server.url}/todos/1").json()["title"] == generate(5)["todos"][0][
            "title"]
    # The file now holds seed-5 data, and keeps it at the next start.
    with serve_in_thread(SandboxConfig(db=db)) as server:
        assert httpx2.get(f"{server.url}/_sandbox/health").json()["seed"] == 5
