"""``Client.from_env(prefix=...)``: base URL and credentials from ``{PREFIX}_*`` variables."""

from __future__ import annotations

import pytest

import tether
from tether.sandbox import SandboxServer


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BASE_URL", "TOKEN", "API_KEY", "USERNAME", "PASSWORD"):
        monkeypatch.delenv(f"MYAPI_{name}", raising=False)


def test_base_url_and_token_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer
) -> None:
    monkeypatch.setenv("MYAPI_BASE_URL", sandbox.url)
    monkeypatch.setenv("MYAPI_TOKEN", "t-123")
    with tether.Client.from_env(prefix="MYAPI") as client:
        assert str(client.base_url) == sandbox.url
        assert isinstance(client.auth, tether.BearerAuth)
        response = client.get("/posts/1")
        assert response.request.headers["authorization"] == "Bearer t-123"


def test_an_api_key_or_a_user_and_password_work_too(
    monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer
) -> None:
    monkeypatch.setenv("MYAPI_BASE_URL", sandbox.url)
    monkeypatch.setenv("MYAPI_API_KEY", "k-1")
    with tether.Client.from_env(prefix="MYAPI") as client:
        assert client.get("/posts/1").request.headers["x-api-key"] == "k-1"
    monkeypatch.delenv("MYAPI_API_KEY")
    monkeypatch.setenv("MYAPI_USERNAME", "ada")
    monkeypatch.setenv("MYAPI_PASSWORD", "pw")
    with tether.Client.from_env(prefix="MYAPI") as client:
        assert isinstance(client.auth, tether.BasicAuth)


async def test_the_async_client_reads_the_same_variables(
    monkeypatch: pytest.MonkeyPatch, sandbox: SandboxServer
) -> None:
    monkeypatch.setenv("MYAPI_BASE_URL", sandbox.url)
    async with tether.AsyncClient.from_env(prefix="MYAPI", timeout=3.0) as client:
        assert client.auth is None
        assert client.timeout.read == 3.0
        assert (await client.get("/posts/1")).json()["id"] == 1


def test_a_missing_base_url_is_refused_by_name() -> None:
    with pytest.raises(tether.MissingCredentialError) as caught:
        tether.Client.from_env(prefix="MYAPI")
    assert str(caught.value) == (
        "environment variable MYAPI_BASE_URL is not set or is empty, but "
        "Client.from_env(prefix='MYAPI') needs it; set it (for example `export "
        "MYAPI_BASE_URL=...`) or pass the value directly"
    )


def test_explicit_arguments_win_over_the_environment() -> None:
    client = tether.Client.from_env(prefix="MYAPI", base_url="http://127.0.0.1:9")
    assert str(client.base_url) == "http://127.0.0.1:9"
    client.close()


def test_two_kinds_of_credential_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYAPI_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MYAPI_TOKEN", "t")
    monkeypatch.setenv("MYAPI_API_KEY", "k")
    with pytest.raises(tether.ConfigurationError) as caught:
        tether.Client.from_env(prefix="MYAPI")
    assert str(caught.value) == (
        "Client.from_env(prefix='MYAPI'): both MYAPI_TOKEN and MYAPI_API_KEY are set; set "
        "only the credential this API takes (unset the other), or pass auth= explicitly"
    )


def test_half_a_user_and_password_names_the_missing_half(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYAPI_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MYAPI_USERNAME", "ada")
    with pytest.raises(tether.MissingCredentialError, match="MYAPI_PASSWORD is not set"):
        tether.Client.from_env(prefix="MYAPI")


@pytest.mark.parametrize("prefix", ["", "MY API", "1API"])
def test_a_bad_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(tether.ConfigurationError, match="the prefix is the start of the"):
        tether.Client.from_env(prefix=prefix)
