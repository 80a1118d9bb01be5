"""``tether.get`` and friends: one request with tether's defaults, no client to manage."""

from __future__ import annotations

import httpx2
import pytest

import tether
from tether.sandbox import SandboxServer


def test_every_verb_works_at_module_level(sandbox: SandboxServer) -> None:
    url = f"{sandbox.url}/posts"
    assert tether.get(f"{url}/1").json()["id"] == 1
    assert isinstance(tether.get(f"{url}/1"), tether.Response)
    assert tether.get(url, params={"userId": 2}).json()[0]["userId"] == 2
    assert tether.post(url, json={"title": "t", "body": "b", "userId": 1}).status_code == 201
    assert tether.put(f"{url}/1", json={"title": "t", "body": "b", "userId": 1}).json()["id"] == 1
    assert tether.patch(f"{url}/1", json={"title": "x"}).json()["title"] == "x"
    assert tether.delete(f"{url}/1").status_code == 200
    assert tether.head(f"{url}/2").status_code == 200
    assert tether.options(url, raise_for_status=False).status_code < 500
    assert tether.request("GET", f"{url}/3").json()["id"] == 3
    with tether.stream("GET", f"{url}/4") as response:
        assert b'"id":4' in response.read()


def test_module_level_calls_raise_tethers_typed_errors(sandbox: SandboxServer) -> None:
    with pytest.raises(tether.NotFound) as caught:
        tether.get(f"{sandbox.url}/posts/999")
    assert str(caught.value).startswith(f"404 Not Found for GET {sandbox.url}/posts/999")
    assert tether.get(f"{sandbox.url}/posts/999", raise_for_status=False).status_code == 404
    with pytest.raises(tether.NotFound), tether.stream("GET", f"{sandbox.url}/posts/999"):
        pass


def test_module_level_calls_retry_by_default(sandbox: SandboxServer) -> None:
    with (
        tether.retry_testing_mode(),
        sandbox.faults(route="GET /todos/1", kind="status", status=503, times=1),
    ):
        response = tether.get(f"{sandbox.url}/todos/1")
    assert len(tether.attempts_of(response)) == 2


def test_module_level_calls_keep_the_timeout_rule() -> None:
    with pytest.raises(tether.ConfigurationError, match="timeout=None"):
        tether.get("http://127.0.0.1:9/", timeout=None)


def test_a_path_at_module_level_says_to_give_a_full_url() -> None:
    with pytest.raises(httpx2.UnsupportedProtocol, match="'/posts/1' is a path, not a full URL"):
        tether.get("/posts/1")
