"""Code written for httpx2 keeps working when its client becomes a tether client."""

from __future__ import annotations

import json

import httpx2
import pytest

import tether
from tether.sandbox import SandboxServer


def test_except_httpx2_status_error_still_catches(sandbox: SandboxServer) -> None:
    caught: list[httpx2.HTTPStatusError] = []
    with tether.Client(base_url=sandbox.url) as client:
        try:
            client.get("/posts/9999")
        except httpx2.HTTPStatusError as error:
            caught.append(error)
        with pytest.raises(httpx2.HTTPError):
            client.get("/status/400")
    assert len(caught) == 1
    assert caught[0].response.status_code == 404
    assert caught[0].request.url == f"{sandbox.url}/posts/9999"


def test_raise_for_status_pattern_with_checks_switched_off(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url, raise_for_status=False) as client:
        response = client.get("/posts/9999")
        assert response.is_error
        with pytest.raises(httpx2.HTTPStatusError) as info:
            response.raise_for_status()
        assert isinstance(info.value, tether.NotFound)
        assert client.get("/posts/1").raise_for_status().json()["id"] == 1


def test_raise_for_status_on_a_redirect_keeps_httpx2_behaviour() -> None:
    transport = httpx2.MockTransport(
        lambda request: httpx2.Response(302, headers={"location": "/elsewhere"})
    )
    with tether.Client(transport=transport) as client:
        response = client.get("http://api.test/")
        assert response.status_code == 302
        with pytest.raises(httpx2.HTTPStatusError) as info:
            response.raise_for_status()
        assert not isinstance(info.value, tether.APIError)


def test_event_hooks_run(sandbox: SandboxServer) -> None:
    seen: list[str] = []

    def on_request(request: httpx2.Request) -> None:
        seen.append(f"> {request.method} {request.url.path}")

    def on_response(response: httpx2.Response) -> None:
        seen.append(f"< {response.status_code}")

    hooks = {"request": [on_request], "response": [on_response]}
    with tether.Client(base_url=sandbox.url, event_hooks=hooks) as client:
        client.get("/todos/1")
    assert seen == ["> GET /todos/1", "< 200"]


def test_response_hook_calling_raise_for_status(sandbox: SandboxServer) -> None:
    def check(response: httpx2.Response) -> None:
        response.read()
        response.raise_for_status()

    hooks = {"response": [check]}
    with (
        tether.Client(base_url=sandbox.url, event_hooks=hooks, raise_for_status=False) as c,
        pytest.raises(tether.NotFound),
    ):
        c.get("/users/99")


def test_custom_transport_and_mock_transport() -> None:
    calls: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(str(request.url))
        return httpx2.Response(200, json={"hello": "world"})

    with tether.Client(transport=httpx2.MockTransport(handler)) as client:
        response = client.get("http://api.test/greeting", params={"a": "1"})
    assert response.json() == {"hello": "world"}
    assert isinstance(response, tether.Response)
    assert calls == ["http://api.test/greeting?a=1"]


async def test_mock_transport_on_the_async_client() -> None:
    transport = httpx2.MockTransport(lambda request: httpx2.Response(201, json=[1, 2]))
    async with tether.AsyncClient(transport=transport) as client:
        response = await client.post("http://api.test/items", json={"x": 1})
    assert response.status_code == 201
    assert response.json() == [1, 2]


def test_subclassed_transport_wrapping_the_default(sandbox: SandboxServer) -> None:
    class Counting(httpx2.HTTPTransport):
        count = 0

        def handle_request(self, request: httpx2.Request) -> httpx2.Response:
            Counting.count += 1
            return super().handle_request(request)

    with tether.Client(base_url=sandbox.url, transport=Counting()) as client:
        client.get("/posts/1")
        client.get("/posts/2")
    assert Counting.count == 2


def test_mounts_route_through_the_same_stack(sandbox: SandboxServer) -> None:
    mocked = httpx2.MockTransport(lambda request: httpx2.Response(503))
    with tether.Client(
        base_url=sandbox.url, mounts={"http://mocked.test": mocked}, retry=False
    ) as client:
        assert client.get("/posts/1").status_code == 200
        with pytest.raises(tether.ServerError):
            client.get("http://mocked.test/x")


def test_json_errors_remain_json_decode_and_value_errors() -> None:
    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, text="not json"))
    with tether.Client(transport=transport) as client:
        response = client.get("http://api.test/")
    with pytest.raises(json.JSONDecodeError):
        response.json()
    with pytest.raises(ValueError, match="not valid JSON"):
        response.json()


def test_build_request_and_send(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        request = client.build_request("GET", "/comments", params={"postId": 1})
        response = client.send(request)
    assert len(response.json()) == 5


def test_is_an_httpx2_client() -> None:
    assert issubclass(tether.Client, httpx2.Client)
    assert issubclass(tether.AsyncClient, httpx2.AsyncClient)
    assert issubclass(tether.Response, httpx2.Response)
    assert issubclass(tether.APIError, httpx2.HTTPStatusError)


def test_context_manager_rules_are_httpx2_rules() -> None:
    client = tether.Client()
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client.get("http://api.test/")
