"""Every auth mode against the sandbox's ``/profile`` and ``/oauth/token``, sync and async."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import httpx2
import pytest

import tether
from tether.sandbox import (
    DEFAULT_API_KEY,
    DEFAULT_BEARER_TOKEN,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    SandboxServer,
)

Profile = Callable[..., Awaitable[tether.Response]]


@pytest.fixture(params=["sync", "async"])
def profile(request: pytest.FixtureRequest, sandbox: SandboxServer) -> Profile:
    """GET /profile (or another path) with ``auth`` on a fresh sync or async client."""

    async def get(auth: Any, path: str = "/profile", base_url: str | None = None) -> Any:
        options = {"base_url": base_url or sandbox.url, "auth": auth, "retry": False}
        if request.param == "sync":
            with tether.Client(**options) as client:
                return client.get(path)
        async with tether.AsyncClient(**options) as client:
            return await client.get(path)

    return get


def _oauth(url: str, **options: Any) -> tether.OAuth2ClientCredentials:
    return tether.OAuth2ClientCredentials(
        f"{url}/oauth/token", DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, **options
    )


# -- good, missing, wrong -----------------------------------------------------------------


async def test_no_credentials_is_unauthorized(profile: Profile) -> None:
    with pytest.raises(tether.Unauthorized) as info:
        await profile(None)
    assert "credentials are required" in str(info.value)


@pytest.mark.parametrize(
    ("auth", "scheme"),
    [
        (tether.APIKeyAuth(DEFAULT_API_KEY), "api-key"),
        (tether.BearerAuth(DEFAULT_BEARER_TOKEN), "bearer"),
        (tether.BasicAuth(DEFAULT_USERNAME, DEFAULT_PASSWORD), "basic"),
        ((DEFAULT_USERNAME, DEFAULT_PASSWORD), "basic"),
    ],
    ids=["api-key", "bearer", "basic", "basic-tuple"],
)
async def test_good_credentials(profile: Profile, auth: Any, scheme: str) -> None:
    response = await profile(auth)
    assert response.headers["x-authenticated-by"] == scheme
    assert response.json()["id"] == 1


@pytest.mark.parametrize(
    "auth",
    [
        tether.APIKeyAuth("not-the-key"),
        tether.BearerAuth("not-the-token"),
        tether.BasicAuth(DEFAULT_USERNAME, "not-the-password"),
    ],
    ids=["api-key", "bearer", "basic"],
)
async def test_wrong_credentials(profile: Profile, auth: Any) -> None:
    with pytest.raises(tether.Unauthorized) as info:
        await profile(auth)
    assert "not valid" in str(info.value)


async def test_api_key_in_a_custom_header_reaches_the_server(profile: Profile) -> None:
    # The sandbox reads X-API-Key only, so a differently named header counts as missing.
    with pytest.raises(tether.Unauthorized):
        await profile(tether.APIKeyAuth(DEFAULT_API_KEY, name="X-Other-Key"))


async def test_api_key_in_the_query(profile: Profile) -> None:
    auth = tether.APIKeyAuth("k-42", name="appid", location="query")
    response = await profile(auth, "/status/200")
    assert response.request.url.params["appid"] == "k-42"
    assert "x-api-key" not in response.request.headers


# -- OAuth2 client credentials -------------------------------------------------------------


async def test_oauth_fetches_once_and_reuses_the_token(
    profile: Profile, sandbox: SandboxServer
) -> None:
    auth = _oauth(sandbox.url)
    for _ in range(3):
        response = await profile(auth)
        assert response.headers["x-authenticated-by"] == "oauth"
    assert auth.fetches == 1
    assert sandbox.stats()["by_status"] == {"200": 4}


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
async def test_oauth_both_ways_to_send_the_secret(
    profile: Profile, sandbox: SandboxServer, method: Any
) -> None:
    auth = _oauth(sandbox.url, auth_method=method)
    assert (await profile(auth)).headers["x-authenticated-by"] == "oauth"


async def test_oauth_relative_token_url_follows_base_url(
    profile: Profile, sandbox: SandboxServer
) -> None:
    auth = tether.OAuth2ClientCredentials("/oauth/token", DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    assert (await profile(auth)).status_code == 200


async def test_oauth_wrong_secret_raises_from_the_token_endpoint(
    profile: Profile, sandbox: SandboxServer
) -> None:
    auth = tether.OAuth2ClientCredentials(
        f"{sandbox.url}/oauth/token", DEFAULT_CLIENT_ID, "wrong-secret"
    )
    with pytest.raises(tether.Unauthorized) as info:
        await profile(auth)
    assert info.value.url == f"{sandbox.url}/oauth/token"
    assert info.value.body["error"] == "invalid_client"
    assert auth.fetches == 0


async def test_oauth_refreshes_before_expiry(profile: Profile, short_ttl: SandboxServer) -> None:
    short_ttl.reset()
    auth = _oauth(short_ttl.url)
    await profile(auth, base_url=short_ttl.url)
    # With a 1 s lifetime the margin is half of it: a new token after 0.5 s, before the
    # server would refuse the old one.
    await asyncio.sleep(0.6)
    response = await profile(auth, base_url=short_ttl.url)
    assert response.headers["x-authenticated-by"] == "oauth"
    assert auth.fetches == 2
    assert short_ttl.stats()["by_status"] == {"200": 4}


async def test_oauth_refetches_once_on_401(profile: Profile, short_ttl: SandboxServer) -> None:
    short_ttl.reset()
    # No margin, so the client believes its token is good until the second it expires.
    auth = _oauth(short_ttl.url, refresh_margin=0, clock=lambda: 0.0)
    await profile(auth, base_url=short_ttl.url)
    await asyncio.sleep(1.1)
    response = await profile(auth, base_url=short_ttl.url)
    assert response.status_code == 200
    assert auth.fetches == 2
    # token, profile, profile refused as expired, token, profile again
    assert short_ttl.stats()["by_status"] == {"200": 4, "401": 1}


async def test_oauth_gives_up_after_one_refetch(profile: Profile, sandbox: SandboxServer) -> None:
    auth = _oauth(sandbox.url)
    # A path that always answers 401: one refetch, then the 401 goes to the caller.
    with pytest.raises(tether.Unauthorized):
        await profile(auth, "/status/401")
    assert auth.fetches == 2


def test_oauth_threads_share_one_fetch(sandbox: SandboxServer) -> None:
    auth = _oauth(sandbox.url)
    statuses: list[int] = []
    with tether.Client(base_url=sandbox.url, auth=auth) as client:
        barrier = threading.Barrier(6)

        def worker() -> None:
            barrier.wait()
            statuses.append(client.get("/profile").status_code)

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert statuses == [200] * 6
    assert auth.fetches == 1


async def test_oauth_tasks_share_one_fetch(sandbox: SandboxServer) -> None:
    auth = _oauth(sandbox.url)
    async with tether.AsyncClient(base_url=sandbox.url, auth=auth) as client:
        responses = await asyncio.gather(*(client.get("/profile") for _ in range(6)))
    assert [r.status_code for r in responses] == [200] * 6
    assert auth.fetches == 1


def _token_endpoint(body: bytes, status: int = 200, content_type: str = "application/json") -> Any:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/token":
            return httpx2.Response(status, content=body, headers={"content-type": content_type})
        return httpx2.Response(200, json={"auth": request.headers.get("authorization")})

    return httpx2.MockTransport(handler)


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        (b'{"token_type": "bearer"}', tether.TokenError, "without an access_token"),
        (b'{"access_token": "x", "token_type": "mac"}', tether.TokenError, "only Bearer"),
        (b"<html>login</html>", tether.JSONDecodeError, "not valid JSON"),
        (b"[1, 2]", tether.TokenError, "got list"),
    ],
)
def test_oauth_unusable_token_responses(body: bytes, error: type[Exception], message: str) -> None:
    auth = tether.OAuth2ClientCredentials("http://api.test/token", "id", "secret")
    with (
        tether.Client(transport=_token_endpoint(body), auth=auth) as client,
        pytest.raises(error, match=message),
    ):
        client.get("http://api.test/data")


def test_oauth_token_without_expiry_is_kept() -> None:
    auth = tether.OAuth2ClientCredentials("http://api.test/token", "id", "secret")
    transport = _token_endpoint(b'{"access_token": "tok-1"}')
    with tether.Client(transport=transport, auth=auth) as client:
        for _ in range(3):
            assert client.get("http://api.test/data").json() == {"auth": "Bearer tok-1"}
    assert auth.fetches == 1


def test_oauth_token_request_carries_the_call_timeout() -> None:
    seen: list[Any] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.extensions.get("timeout"))
        if request.url.path == "/token":
            return httpx2.Response(200, json={"access_token": "t", "expires_in": 60})
        return httpx2.Response(200)

    auth = tether.OAuth2ClientCredentials("http://api.test/token", "id", "secret")
    with tether.Client(transport=httpx2.MockTransport(handler), auth=auth, timeout=3) as c:
        c.get("http://api.test/data")
    assert seen[0] == seen[1] == httpx2.Timeout(3).as_dict()


# -- from_env -----------------------------------------------------------------------------


def test_from_env_reads_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_KEY", "k-1\n")
    monkeypatch.setenv("T_USER", "u")
    monkeypatch.setenv("T_PASS", "p")
    monkeypatch.setenv("T_ID", "cid")
    assert tether.APIKeyAuth.from_env("T_KEY")._key == "k-1"
    assert tether.BearerAuth.from_env("T_KEY")._header == "Bearer k-1"
    assert tether.BasicAuth.from_env("T_USER", "T_PASS").username == "u"
    oauth = tether.OAuth2ClientCredentials.from_env("http://x/token", "T_ID", "T_KEY", "read")
    assert (oauth.client_id, oauth.scope) == ("cid", "read")


@pytest.mark.parametrize(
    "build",
    [
        lambda: tether.APIKeyAuth.from_env("T_MISSING"),
        lambda: tether.BearerAuth.from_env("T_MISSING"),
        lambda: tether.BasicAuth.from_env("T_PRESENT", "T_MISSING"),
        lambda: tether.OAuth2ClientCredentials.from_env("http://x/t", "T_PRESENT", "T_MISSING"),
    ],
    ids=["api-key", "bearer", "basic", "oauth"],
)
@pytest.mark.parametrize("value", [None, "", "  "])
def test_from_env_names_the_missing_variable(
    monkeypatch: pytest.MonkeyPatch, build: Callable[[], object], value: str | None
) -> None:
    monkeypatch.setenv("T_PRESENT", "x")
    if value is None:
        monkeypatch.delenv("T_MISSING", raising=False)
    else:
        monkeypatch.setenv("T_MISSING", value)
    with pytest.raises(tether.MissingCredentialError, match="T_MISSING") as info:
        build()
    assert info.value.variable == "T_MISSING"
    assert isinstance(info.value, LookupError)
    assert "export T_MISSING=" in str(info.value)


@pytest.mark.parametrize(
    "build",
    [
        lambda: tether.APIKeyAuth(""),
        lambda: tether.APIKeyAuth("k", location="cookie"),  # type: ignore[arg-type]
        lambda: tether.APIKeyAuth("k", name=" "),
        lambda: tether.BearerAuth("a\nb"),
        lambda: tether.BasicAuth("a:b", "p"),
        lambda: tether.OAuth2ClientCredentials("http://x/t", "id", "s", refresh_margin=-1),
        lambda: tether.OAuth2ClientCredentials("http://x/t", "id", "s", auth_method="jwt"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_are_refused_early(build: Callable[[], object]) -> None:
    with pytest.raises(tether.ConfigurationError):
        build()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: tether.APIKeyAuth("k", name="X API Key"), r"'X API Key' is not a valid header"),
        (lambda: tether.APIKeyAuth("k", name="X-Key:"), r"not a valid header name"),
        (lambda: tether.BearerAuth("Bearer abc"), r"pass the token alone"),
        (lambda: tether.BearerAuth.from_env(None), r"from_env\(\) takes the name of an"),  # type: ignore[arg-type]
        (lambda: tether.APIKeyAuth.from_env(""), r"APIKeyAuth.from_env\(\) takes the name"),
        (lambda: tether.OAuth2ClientCredentials(None, "id", "s"), r"token_url must be"),  # type: ignore[arg-type]
        (lambda: tether.OAuth2ClientCredentials("", "id", "s"), r"token_url must be"),
        (lambda: tether.OAuth2ClientCredentials("/t", "id", "s", scope=5), r"scope must be"),  # type: ignore[arg-type]
        (
            lambda: tether.OAuth2ClientCredentials("/t", "id", "s", refresh_margin="60"),  # type: ignore[arg-type]
            r"refresh_margin must be zero or more seconds, got '60'",
        ),
        (lambda: tether.BasicAuth(None, "p"), r"username must be a string .*NoneType"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_name_what_was_wrong(build: Callable[[], object], message: str) -> None:
    with pytest.raises(tether.ConfigurationError, match=message):
        build()


def test_api_key_names_default_by_location() -> None:
    request = httpx2.Request("GET", "https://api.example/x")
    header = next(tether.APIKeyAuth("k").auth_flow(request))
    assert header.headers["X-API-Key"] == "k"
    query = next(tether.APIKeyAuth("k", location="query").auth_flow(request))
    assert query.url.params["api_key"] == "k"


def test_api_key_query_names_may_be_any_parameter() -> None:
    auth = tether.APIKeyAuth("k", name="api key", location="query")
    request = next(auth.auth_flow(httpx2.Request("GET", "https://api.example/x")))
    assert request.url.params["api key"] == "k"


def test_oauth_scopes_as_a_list_are_joined_by_spaces() -> None:
    auth = tether.OAuth2ClientCredentials("/t", "id", "s", scope=["read", "write"])
    assert auth.scope == "read write"
    token_request = next(auth.auth_flow(httpx2.Request("GET", "https://api.example/x")))
    assert b"scope=read+write" in token_request.read()


def test_reprs_hide_secrets() -> None:
    objects = [
        tether.APIKeyAuth("k-secret-1"),
        tether.BearerAuth("k-secret-2"),
        tether.BasicAuth("me", "k-secret-3"),
        tether.OAuth2ClientCredentials("http://x/t", "my-app", "k-secret-4", "read"),
    ]
    texts = [repr(obj) for obj in objects]
    assert texts == [
        "APIKeyAuth('[REDACTED]', name='X-API-Key', location='header')",
        "BearerAuth('[REDACTED]')",
        "BasicAuth(username='me', password='[REDACTED]')",
        "OAuth2ClientCredentials(token_url='http://x/t', client_id='my-app', "
        "client_secret='[REDACTED]', scope='read')",
    ]


# -- redirects ----------------------------------------------------------------------------


def _redirecting(seen: dict[str, httpx2.Headers]) -> httpx2.MockTransport:
    # The sandbox has no redirect route, so a mock plays two origins.
    def handler(request: httpx2.Request) -> httpx2.Response:
        seen[f"{request.url.scheme}://{request.url.host}"] = request.headers
        if request.url.path == "/away":
            return httpx2.Response(302, headers={"location": "http://other.test/landing"})
        if request.url.path == "/here":
            return httpx2.Response(302, headers={"location": "/landing"})
        if request.url.path == "/secure":
            return httpx2.Response(302, headers={"location": "https://api.test/landing"})
        return httpx2.Response(200)

    return httpx2.MockTransport(handler)


@pytest.mark.parametrize(
    "auth",
    [tether.APIKeyAuth("k-1"), tether.BearerAuth("t-1"), tether.APIKeyAuth("k", name="Api-Key")],
    ids=["x-api-key", "bearer", "api-key-header"],
)
def test_credentials_do_not_follow_a_redirect_to_another_origin(auth: httpx2.Auth) -> None:
    seen: dict[str, httpx2.Headers] = {}
    with tether.Client(transport=_redirecting(seen), auth=auth, follow_redirects=True) as client:
        client.get("http://api.test/away", headers={"X-Custom-Token": "c-1", "X-Plain": "p"})
    first, second = seen["http://api.test"], seen["http://other.test"]
    assert {"authorization", "x-api-key", "api-key"} & set(first)
    assert not {"authorization", "x-api-key", "api-key", "x-custom-token"} & set(second)
    assert second["x-plain"] == "p"


@pytest.mark.parametrize("path", ["/here", "/secure"])
def test_credentials_follow_same_origin_and_https_upgrade(path: str) -> None:
    seen: dict[str, httpx2.Headers] = {}
    auth = tether.APIKeyAuth("k-1")
    with tether.Client(transport=_redirecting(seen), auth=auth, follow_redirects=True) as client:
        client.get(f"http://api.test{path}")
    last = seen["https://api.test" if path == "/secure" else "http://api.test"]
    assert last["x-api-key"] == "k-1"


async def test_async_redirect_strips_credentials() -> None:
    seen: dict[str, httpx2.Headers] = {}
    async with tether.AsyncClient(
        transport=_redirecting(seen), auth=tether.APIKeyAuth("k-1"), follow_redirects=True
    ) as client:
        await client.get("http://api.test/away")
    assert "x-api-key" not in seen["http://other.test"]


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_token_endpoint_down_is_named_in_the_error(mode: str) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/token":
            raise httpx2.ConnectError("connection refused", request=request)
        return httpx2.Response(200)

    auth = tether.OAuth2ClientCredentials("/token", "id", "s3cr3t-client")
    options: dict[str, Any] = {"transport": httpx2.MockTransport(handler), "auth": auth}
    url = "https://api.example/data?api_key=k-s3cr3t"

    async def call() -> None:
        if mode == "sync":
            with tether.Client(**options) as client:
                client.get(url, retry=False)
        else:
            async with tether.AsyncClient(**options) as aclient:
                await aclient.get(url, retry=False)

    with pytest.raises(httpx2.ConnectError) as caught:
        await call()
    # retry=False holds for the token request the call needed: one attempt, no history.
    (note,) = caught.value.__notes__
    assert note.startswith("tether: this error came from POST https://api.example/token")
    assert "GET https://api.example/data?api_key=[REDACTED]" in note
    assert "s3cr3t" not in note


def test_basic_auth_with_a_key_as_user_name_and_no_password() -> None:
    auth = tether.BasicAuth("sk_test_s3cr3t", "")
    request = next(auth.auth_flow(httpx2.Request("GET", "https://api.example/x")))
    assert request.headers["authorization"] == "Basic c2tfdGVzdF9zM2NyM3Q6"
    assert "s3cr3t" not in repr(auth)
    with pytest.raises(tether.ConfigurationError, match="both are empty"):
        tether.BasicAuth("", "")


def test_from_env_names_a_variable_holding_two_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_TWO_LINES", "tok-1\ntok-2")
    with pytest.raises(tether.ConfigurationError, match="environment variable T_TWO_LINES") as e:
        tether.BearerAuth.from_env("T_TWO_LINES")
    assert "tok-" not in str(e.value)
