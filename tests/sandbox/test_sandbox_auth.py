"""``/profile`` with Bearer, X-API-Key, ?api_key= and Basic; the OAuth2 client-credentials grant."""

from __future__ import annotations

import time

import httpx2
import pytest

from tether.sandbox import (
    DEFAULT_API_KEY,
    DEFAULT_BEARER_TOKEN,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    SandboxConfig,
    SandboxServer,
)
from tether.sandbox._auth import TokenBook, authenticate, basic_credentials


def profile(sandbox: SandboxServer, **kwargs: object) -> httpx2.Response:
    return httpx2.get(f"{sandbox.url}/profile", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "scheme"),
    [
        ({"headers": {"Authorization": f"Bearer {DEFAULT_BEARER_TOKEN}"}}, "bearer"),
        ({"headers": {"X-API-Key": DEFAULT_API_KEY}}, "api-key"),
        ({"params": {"api_key": DEFAULT_API_KEY}}, "api-key"),
        ({"auth": (DEFAULT_USERNAME, DEFAULT_PASSWORD)}, "basic"),
    ],
)
def test_profile_accepts_each_scheme(sandbox: SandboxServer, kwargs: dict[str, object],
                                     scheme: str) -> None:
    response = profile(sandbox, **kwargs)
    assert response.status_code == 200
    assert response.json() == httpx2.get(f"{sandbox.url}/users/1").json()
    assert response.headers["x-authenticated-by"] == scheme


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"headers": {"Authorization": "Bearer wrong"}},
        {"headers": {"X-API-Key": "wrong"}},
        {"params": {"api_key": "wrong"}},
        {"auth": (DEFAULT_USERNAME, "wrong")},
        {"headers": {"Authorization": "Basic !!!notbase64"}},
        {"headers": {"Authorization": "Digest abc"}},
        {"headers": {"Authorization": ""}},
    ],
)
def test_profile_refuses_with_a_challenge(sandbox: SandboxServer,
                                          kwargs: dict[str, object]) -> None:
    response = profile(sandbox, **kwargs)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert "Bearer" in challenge
    assert "Basic" in challenge
    assert response.json()["message"]


def test_unsupported_scheme_points_to_every_accepted_one(sandbox: SandboxServer) -> None:
    message = profile(sandbox, headers={"Authorization": "Digest abc"}).json()["message"]
    assert "'Digest'" in message
    assert "X-API-Key" in message


def token(sandbox: SandboxServer, **form: str) -> httpx2.Response:
    data = {"grant_type": "client_credentials", "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET} | form
    return httpx2.post(f"{sandbox.url}/oauth/token", data=data)


def test_client_credentials_token_works_on_profile(sandbox: SandboxServer) -> None:
    response = token(sandbox)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert response.headers["cache-control"] == "no-store"
    ok = profile(sandbox, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert (ok.status_code, ok.headers["x-authenticated-by"]) == (200, "oauth")


def test_client_credentials_in_basic_header(sandbox: SandboxServer) -> None:
    response = httpx2.post(f"{sandbox.url}/oauth/token", data={"grant_type": "client_credentials"},
                           auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "someone"}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": ""}, 400, "invalid_request"),
    ],
)
def test_token_errors(sandbox: SandboxServer, form: dict[str, str], status: int,
                      error: str) -> None:
    response = token(sandbox, **form)
    assert (response.status_code, response.json()["error"]) == (status, error)


def test_tokens_expire_after_the_configured_ttl(short_ttl: SandboxServer) -> None:
    body = token(short_ttl).json()
    assert body["expires_in"] == 1.0
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert httpx2.get(f"{short_ttl.url}/profile", headers=headers).status_code == 200
    time.sleep(1.2)
    expired = httpx2.get(f"{short_ttl.url}/profile", headers=headers)
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired.headers["www-authenticate"]
    assert "expired" in expired.json()["message"]


def test_credentials_come_from_config_and_environment() -> None:
    config = SandboxConfig.from_env({"TETHER_SANDBOX_API_KEY": "k1",
                                     "TETHER_SANDBOX_PASSWORD": "p1"}, username="me")
    assert (config.api_key, config.password, config.username) == ("k1", "p1", "me")
    assert config.bearer_token == DEFAULT_BEARER_TOKEN
    with pytest.raises(ValueError, match="api_key"):
        SandboxConfig(api_key="")
    with pytest.raises(TypeError, match="no option"):
        SandboxConfig.from_env({}, colour="red")


@pytest.mark.parametrize("ttl", [0, -1.0, float("inf"), float("nan"), "3600", True])
def test_token_ttl_must_be_a_positive_finite_number(ttl: object) -> None:
    # An infinite lifetime would make POST /oauth/token answer "expires_in": Infinity,
    # which is not JSON.
    with pytest.raises(ValueError, match="token_ttl must be a positive, finite number"):
        SandboxConfig(token_ttl=ttl)  # type: ignore[arg-type]


def test_authenticate_is_pure_with_a_fake_clock() -> None:
    config = SandboxConfig()
    book = TokenBook()
    issued = book.issue(now=100.0, ttl=10.0)
    headers = {"authorization": f"Bearer {issued}"}
    assert authenticate(headers, config, book, now=109.9).scheme == "oauth"
    late = authenticate(headers, config, book, now=110.0)
    assert (late.scheme, late.bearer_error) == (None, "invalid_token")
    book.clear()
    assert "not valid" in authenticate(headers, config, book, now=100.0).error


def test_basic_parser() -> None:
    assert basic_credentials("Basic dTpwOmM=") == ("u", "p:c")
    assert basic_credentials("basic  dTpw ") == ("u", "p")
    assert basic_credentials("Basic dXNlcg==") is None  # no colon
    assert basic_credentials("Bearer x") is None
