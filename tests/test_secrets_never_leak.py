"""No credential ever appears in a log line, exception text, event or repr.

Every auth mode is exercised against the sandbox with logging at DEBUG for every logger
(tether's, httpx2's, httpcore2's); everything that could be shown to a person is collected
and searched for each secret, in plain and in encoded forms.
"""

from __future__ import annotations

import base64
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

import tether
from tether.sandbox import SandboxConfig, SandboxServer, serve_in_thread

# Distinctive credentials, so a match can only be a leak (the default password "sandbox"
# also appears in the server's realm).
DEFAULT_API_KEY = "key-4b1d9e"
DEFAULT_BEARER_TOKEN = "tok-a93f02"
DEFAULT_USERNAME = "leak-test-user"
DEFAULT_PASSWORD = "pw-6c0e7d"
DEFAULT_CLIENT_ID = "leak-test-client"
DEFAULT_CLIENT_SECRET = "cs-19b7f4"

WRONG = {
    "api_key": "wrong-key-7f3a9",
    "bearer": "wrong-token-b81c",
    "password": "wrong-pass-55d0",
    "client_secret": "wrong-secret-e2c4",
}
SECRETS = [
    DEFAULT_API_KEY,
    DEFAULT_BEARER_TOKEN,
    DEFAULT_PASSWORD,
    DEFAULT_CLIENT_SECRET,
    *WRONG.values(),
]


class Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    config = SandboxConfig(
        api_key=DEFAULT_API_KEY,
        bearer_token=DEFAULT_BEARER_TOKEN,
        username=DEFAULT_USERNAME,
        password=DEFAULT_PASSWORD,
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
    )
    with serve_in_thread(config) as server:
        yield server


@pytest.fixture
def collector() -> Iterator[Collector]:
    handler = Collector()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def _exception_texts(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), *traceback.format_exception(error)]
    texts.extend(getattr(error, "__notes__", []))
    request = getattr(error, "_request", None) or getattr(error, "request", None)
    if isinstance(request, httpx2.Request):
        # Users log error.request routinely: its repr and its headers' repr count too.
        texts.extend([repr(request), repr(request.headers)])
    return texts


def _variants(secret: str) -> list[str]:
    encoded = base64.b64encode(f"{DEFAULT_USERNAME}:{secret}".encode()).decode()
    client = base64.b64encode(f"{DEFAULT_CLIENT_ID}:{secret}".encode()).decode()
    return [secret, encoded, client]


def _calls(url: str) -> list[tuple[Any, str, dict[str, Any]]]:
    """(auth, path, per-call kwargs) for every mode: good, wrong and missing credentials."""
    oauth_good = tether.OAuth2ClientCredentials(
        f"{url}/oauth/token", DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
    )
    oauth_post = tether.OAuth2ClientCredentials(
        "/oauth/token", DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, auth_method="client_secret_post"
    )
    oauth_bad = tether.OAuth2ClientCredentials(
        f"{url}/oauth/token", DEFAULT_CLIENT_ID, WRONG["client_secret"]
    )
    return [
        (None, "/profile", {}),
        (tether.APIKeyAuth(DEFAULT_API_KEY), "/profile", {}),
        (tether.APIKeyAuth(WRONG["api_key"]), "/profile", {}),
        (tether.APIKeyAuth(DEFAULT_API_KEY, name="key", location="query"), "/status/200", {}),
        (tether.APIKeyAuth(DEFAULT_API_KEY, name="X-Custom-Auth"), "/status/404", {}),
        (tether.APIKeyAuth(WRONG["api_key"], name="appid", location="query"), "/status/401", {}),
        (tether.BearerAuth(DEFAULT_BEARER_TOKEN), "/profile", {}),
        (tether.BearerAuth(WRONG["bearer"]), "/profile", {}),
        (tether.BasicAuth(DEFAULT_USERNAME, DEFAULT_PASSWORD), "/profile", {}),
        (tether.BasicAuth(DEFAULT_USERNAME, WRONG["password"]), "/profile", {}),
        (oauth_good, "/profile", {}),
        (oauth_good, "/status/401", {}),
        (oauth_post, "/profile", {}),
        (oauth_bad, "/profile", {}),
        # Secrets typed straight into URLs and headers, with auth= unused.
        (None, "/profile", {"headers": {"X-API-Key": WRONG["api_key"]}}),
        (None, "/status/200", {"params": {"access_token": DEFAULT_BEARER_TOKEN}}),
        (None, "/status/503", {"params": {"api_key": DEFAULT_API_KEY}, "retry": False}),
    ]


def _shown(things: list[Any]) -> list[str]:
    return [repr(thing) for thing in things] + [str(thing) for thing in things]


def test_sync_auth_modes_leak_nothing(sandbox: SandboxServer, collector: Collector) -> None:
    shown: list[str] = []
    events: list[tether.Event] = []
    issued: list[str] = []
    schemes: set[str] = set()
    for auth, path, kwargs in _calls(sandbox.url):
        with tether.Client(base_url=sandbox.url, auth=auth, hooks=[events.append]) as client:
            shown.append(repr(client))
            try:
                response = client.get(path, **kwargs)
                shown.extend([repr(response), repr(response.request)])
                shown.append(repr(response.request.headers))
                schemes.add(response.headers.get("x-authenticated-by", ""))
            except httpx2.HTTPError as error:
                shown.extend(_exception_texts(error))
        if isinstance(auth, tether.OAuth2ClientCredentials) and auth._token:
            issued.append(auth._token)
    # A user who puts credentials into the URL itself.
    url = sandbox.url.replace("http://", f"http://{DEFAULT_USERNAME}:{DEFAULT_PASSWORD}@")
    with tether.Client(retry=False) as client:
        try:
            client.get(f"{url}/status/403")
        except tether.Forbidden as error:
            shown.extend(_exception_texts(error))
    _assert_clean(shown + _shown(events) + collector.lines, issued)
    assert len(collector.lines) > 20
    assert issued
    assert schemes >= {"api-key", "bearer", "basic", "oauth"}


async def test_async_auth_modes_leak_nothing(sandbox: SandboxServer, collector: Collector) -> None:
    shown: list[str] = []
    events: list[tether.Event] = []
    issued: list[str] = []
    schemes: set[str] = set()
    for auth, path, kwargs in _calls(sandbox.url):
        async with tether.AsyncClient(
            base_url=sandbox.url, auth=auth, hooks=[events.append]
        ) as client:
            try:
                response = await client.get(path, **kwargs)
                shown.extend([repr(response), repr(response.request)])
                shown.append(repr(response.request.headers))
                schemes.add(response.headers.get("x-authenticated-by", ""))
            except httpx2.HTTPError as error:
                shown.extend(_exception_texts(error))
        if isinstance(auth, tether.OAuth2ClientCredentials) and auth._token:
            issued.append(auth._token)
    _assert_clean(shown + _shown(events) + collector.lines, issued)
    assert issued
    assert schemes >= {"api-key", "bearer", "basic", "oauth"}


def test_missing_environment_variables_leak_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_SECRET", DEFAULT_CLIENT_SECRET)
    monkeypatch.delenv("T_ABSENT", raising=False)
    with pytest.raises(tether.MissingCredentialError) as info:
        tether.BasicAuth.from_env("T_ABSENT", "T_SECRET")
    _assert_clean(_exception_texts(info.value), [])


def test_json_error_on_a_token_body_leaks_nothing() -> None:
    body = f'{{"access_token": "{DEFAULT_BEARER_TOKEN}", "oops'.encode()
    response = httpx2.Response(200, content=body, request=httpx2.Request("POST", "http://x/t"))
    with pytest.raises(tether.JSONDecodeError) as info:
        tether.parse_json(response)
    _assert_clean(_exception_texts(info.value), [])


def _assert_clean(texts: list[str], issued: list[str]) -> None:
    needles = [v for secret in SECRETS for v in _variants(secret)] + issued
    for text in texts:
        for needle in needles:
            assert needle not in text, f"secret {needle[:4]}... shown in: {text[:300]}"
