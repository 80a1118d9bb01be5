"""What tutorials written for JSONPlaceholder rely on beyond the routes themselves:
trailing slashes and CORS for pages in a browser."""

from __future__ import annotations

import httpx2
import pytest

from tether.sandbox import SandboxServer

ORIGIN = {"Origin": "http://localhost:3000"}


@pytest.mark.parametrize(("path", "expected"), [("/posts/1/", 1), ("/posts/1/comments/", 5)])
def test_trailing_slash_is_served_not_redirected(
    sandbox: SandboxServer, path: str, expected: int
) -> None:
    # httpx2 does not follow redirects by default: a 307 would leave an empty body.
    response = httpx2.get(f"{sandbox.url}{path}")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"] if isinstance(body, dict) else len(body)) == expected


def test_post_with_a_trailing_slash_creates(sandbox: SandboxServer) -> None:
    created = httpx2.post(f"{sandbox.url}/posts/", json={"userId": 1, "title": "t", "body": "b"})
    assert created.status_code == 201
    assert created.json()["id"] == 101
    assert sandbox.stats()["routes"]["POST /posts"] == {"201": 1}


def test_cors_preflight_and_exposed_headers(sandbox: SandboxServer) -> None:
    preflight = httpx2.options(
        f"{sandbox.url}/posts",
        headers={**ORIGIN, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    page = httpx2.get(f"{sandbox.url}/posts", params={"_page": 1}, headers=ORIGIN)
    assert page.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip().lower() for h in page.headers["access-control-expose-headers"].split(",")}
    assert {"link", "x-total-count", "x-ratelimit-remaining", "retry-after"} <= exposed


def test_cors_preflight_is_neither_limited_nor_faulted(sandbox: SandboxServer) -> None:
    # A gateway answers preflights; the browser then meets limits and faults for real.
    sandbox.set_limits("1/min")
    sandbox.set_faults(kind="status", status=503)
    headers = {**ORIGIN, "Access-Control-Request-Method": "GET"}
    statuses = [httpx2.options(f"{sandbox.url}/todos", headers=headers).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert httpx2.get(f"{sandbox.url}/todos/1", headers=ORIGIN).status_code == 503
