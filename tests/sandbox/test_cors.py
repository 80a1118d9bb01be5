"""The CORS layer adds what starlette's CORSMiddleware adds, for browsers and scripts."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from tether.sandbox._app import EXPOSED_HEADERS
from tether.sandbox._cors import PublicCORSMiddleware, with_vary_origin


async def _endpoint(request: Request) -> Response:
    response = Response(b"{}", media_type="application/json")
    if request.url.path == "/vary":  # an answer that already varies on other headers
        for name, value in [("Vary", "Accept"), ("X-Other", "1"), ("Vary", "Cookie")]:
            response.headers.append(name, value)
    return response


def _client(layer: Middleware) -> TestClient:
    routes = [Route("/x", _endpoint, methods=["GET", "POST"]),
              Route("/vary", _endpoint, methods=["GET"])]
    return TestClient(Starlette(routes=routes, middleware=[layer]))


OURS = Middleware(PublicCORSMiddleware, expose_headers=EXPOSED_HEADERS)
STARLETTE = Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"],
                       allow_headers=["*"], expose_headers=list(EXPOSED_HEADERS))


@pytest.mark.parametrize(("method", "path", "headers"), [
    ("GET", "/x", {}),
    ("GET", "/vary", {}),
    ("GET", "/x", {"Origin": "http://localhost:3000"}),
    ("GET", "/vary", {"Origin": "https://example.com"}),
    ("OPTIONS", "/x", {"Origin": "https://example.com", "Access-Control-Request-Method": "POST",
                       "Access-Control-Request-Headers": "X-API-Key"}),
    ("OPTIONS", "/x", {}),
])
def test_same_headers_as_starlette(method: str, path: str, headers: dict[str, str]) -> None:
    ours = _client(OURS).request(method, path, headers=headers)
    theirs = _client(STARLETTE).request(method, path, headers=headers)
    assert ours.status_code == theirs.status_code
    assert ours.headers.multi_items() == theirs.headers.multi_items()
    assert ours.content == theirs.content


def test_vary_gains_origin_once_in_the_first_vary_header() -> None:
    assert with_vary_origin([]) == [(b"vary", b"Origin")]
    assert with_vary_origin([(b"vary", b"Accept"), (b"a", b"1"), (b"vary", b"Cookie")]) == [
        (b"vary", b"Accept, Cookie, Origin"), (b"a", b"1")]
