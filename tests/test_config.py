"""Constructor and per-call arguments are checked when given, with a message naming them."""

from __future__ import annotations

from typing import Any

import anyio
import httpx2
import pytest

import tether
from tether.sandbox import SandboxServer


def ok(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, json={})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"raise_for_status": "no"}, r"raise_for_status='no': expected True or False"),
        ({"allow_no_timeout": 1}, r"allow_no_timeout=1: expected True or False"),
        ({"hooks": print}, r"hooks=.*pass a list of callables, for example hooks=\[print\]"),
        ({"hooks": [1]}, r"hooks: 1 is not callable"),
        ({"hooks": "print"}, r"hooks='print': pass a list of callables"),
        ({"limits": 5}, r"limits=5: pass an httpx2.Limits"),
        ({"max_redirects": -1}, r"max_redirects=-1: expected a whole number >= 0"),
        ({"base_url": 5}, r"base_url=5: expected a URL"),
        ({"event_hooks": {"reqest": [print]}}, r"unknown event 'reqest'"),
        ({"event_hooks": {"request": print}}, r"event_hooks\['request'\]: expected a list"),
        ({"event_hooks": {"response": [1]}}, r"event_hooks\['response'\]: 1 is not callable"),
        ({"auth": 5}, r"auth: got 5, which is not an auth"),
        ({"auth": ("user",)}, r"auth: got a tuple of length 1"),
        ({"auth": ("user", None)}, r"both must be strings"),
    ],
)
def test_constructor_refuses_bad_arguments(arguments: dict[str, Any], message: str) -> None:
    for kind in (tether.Client, tether.AsyncClient):
        with pytest.raises(tether.ConfigurationError, match=message):
            kind(**arguments)


def test_a_string_auth_is_not_shown_and_points_to_bearer_auth() -> None:
    with pytest.raises(tether.ConfigurationError, match=r"BearerAuth\(token\)") as caught:
        tether.Client(auth="s3cr3t-token")  # type: ignore[arg-type]
    assert "s3cr3t" not in str(caught.value)


def test_with_options_checks_like_the_constructor() -> None:
    with tether.Client(transport=httpx2.MockTransport(ok)) as client:
        with pytest.raises(tether.ConfigurationError, match="raise_for_status=None"):
            client.with_options(raise_for_status=None)  # type: ignore[arg-type]
        with pytest.raises(tether.ConfigurationError, match="hooks"):
            client.with_options(hooks=[None])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"retry": 3}, r"retry=3: pass a tether.Retry\(...\) for this call"),
        ({"retry": "no"}, r"retry='no'"),
        ({"raise_for_status": "no"}, r"raise_for_status='no': expected True, False or None"),
        ({"auth": "token"}, r"auth: got a str"),
    ],
)
def test_per_call_options_are_checked_before_sending(options: dict[str, Any], message: str) -> None:
    sent: list[httpx2.Request] = []

    def record(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(200)

    with tether.Client(base_url="https://api.example", transport=httpx2.MockTransport(record)) as c:
        with pytest.raises(tether.ConfigurationError, match=message):
            c.get("/x", **options)
        with (
            pytest.raises(tether.ConfigurationError, match=message),
            c.stream("GET", "/x", **options),
        ):
            pass
        if "auth" not in options:
            with pytest.raises(tether.ConfigurationError, match=message):
                c.send(c.build_request("GET", "/x"), **options)
    assert sent == []


async def test_async_per_call_options_are_checked() -> None:
    async with tether.AsyncClient(transport=httpx2.MockTransport(ok)) as client:
        with pytest.raises(tether.ConfigurationError, match="retry=3"):
            await client.get("https://api.example/x", retry=3)  # type: ignore[arg-type]


def test_hooks_none_means_no_hooks() -> None:
    assert tether.Client(hooks=None).hooks == ()


def test_valid_arguments_still_work() -> None:
    client = tether.Client(
        auth=("user", "pass"),
        hooks=(print,),
        event_hooks={"request": [print], "response": []},
        max_redirects=0,
        transport=httpx2.MockTransport(ok),
    )
    with client:
        response = client.get("https://api.example/x", retry=True, raise_for_status=None)
        assert response.status_code == 200
        assert client.get("https://api.example/x", auth=lambda r: r).status_code == 200


@pytest.mark.parametrize("auth", ["s3cr3t-token", ["user", "s3cr3t-pw"]])
def test_assigning_a_bad_auth_is_refused_without_quoting_it(auth: Any) -> None:
    client = tether.Client(transport=httpx2.MockTransport(ok))
    with pytest.raises(tether.ConfigurationError, match="not an auth") as caught:
        client.auth = auth
    assert "s3cr3t" not in str(caught.value)
    with pytest.raises(tether.ConfigurationError, match="not an auth") as caught:
        client.send(client.build_request("GET", "https://api.example/x"), auth=auth)
    assert "s3cr3t" not in str(caught.value)


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("localhost:8000", r"did you mean 'http://localhost:8000'\?"),
        ("127.0.0.1:8000", r"did you mean 'http://127.0.0.1:8000'\?"),
        ("/api", r"has no scheme and host"),
    ],
)
def test_base_url_without_scheme_is_refused(base_url: str, message: str) -> None:
    with pytest.raises(tether.ConfigurationError, match=message):
        tether.Client(base_url=base_url)


def test_missing_ca_bundle_is_named() -> None:
    with pytest.raises(tether.ConfigurationError, match=r"verify='/no/such/ca.pem': no such"):
        tether.Client(verify="/no/such/ca.pem")


def test_transport_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(tether.ConfigurationError, match=r"transport=.* is not a sync transport"):
        tether.Client(transport=httpx2.AsyncHTTPTransport())  # type: ignore[arg-type]
    with pytest.raises(tether.ConfigurationError, match=r"is not an async transport"):
        tether.AsyncClient(transport=httpx2.HTTPTransport())  # type: ignore[arg-type]
    with pytest.raises(tether.ConfigurationError, match=r"mounts\['https://'\]=5"):
        tether.Client(mounts={"https://": 5})  # type: ignore[dict-item]
    with pytest.raises(tether.ConfigurationError, match=r"is not a sync transport"):
        tether.RetryTransport(httpx2.AsyncHTTPTransport())  # type: ignore[arg-type]
    with pytest.raises(tether.ConfigurationError, match=r"hooks="):
        tether.RetryTransport(hooks=print)  # type: ignore[arg-type]
    # MockTransport serves both kinds.
    tether.AsyncClient(transport=httpx2.MockTransport(ok))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: tether.Client(raise_for_stauts=0),  # type: ignore[call-arg]
            r"Client\(\) .* mean 'raise_for_status'\?",
        ),
        (
            lambda c: tether.AsyncClient(timout=3),  # type: ignore[call-arg]
            r"AsyncClient\(\) .*'timout'; did you mean",
        ),
        (lambda c: c.get("https://a.example/x", parms={}), r"get\(\) .* did you mean 'params'\?"),
        (lambda c: c.post("https://a.example/x", jsn={}), r"post\(\) .* did you mean 'json'\?"),
        (lambda c: c.request("GET", "https://a.example/x", dedline=3), r"mean 'deadline'\?"),
        (lambda c: c.stream("GET", "https://a.example/x", retyr=1).__enter__(), r"stream\(\)"),
        (lambda c: c.send(c.build_request("GET", "https://a.example/x"), retri=0), r"send\(\)"),
        (lambda c: c.with_options(heders={}), r"did you mean 'headers'\?"),
        (lambda c: c.get("https://a.example/x", zzz=1), r"'zzz'; it takes auth, cookies, deadline"),
    ],
)
def test_a_mistyped_keyword_names_the_closest_one(call: Any, message: str) -> None:
    with tether.Client(transport=httpx2.MockTransport(ok)) as client, pytest.raises(
        TypeError, match=message
    ):
        call(client)


def test_layers_without_a_transport_use_the_clients_default_one(
    sandbox: SandboxServer,
) -> None:
    # A retry or rate-limit layer built on its own sends through the same pool a tether
    # client uses by default, not httpx2's slower one.
    from tether._transports._httpcore import AsyncPooledTransport, PooledTransport

    retrying = tether.RetryTransport()
    pacing = tether.AsyncRateLimitTransport(rate_limit="100/s")
    assert isinstance(retrying.transport, PooledTransport)
    assert isinstance(pacing.transport, AsyncPooledTransport)
    with httpx2.Client(transport=retrying, base_url=sandbox.url) as plain:
        assert plain.get("/posts/1").json()["id"] == 1

    async def paced() -> int:
        async with httpx2.AsyncClient(transport=pacing, base_url=sandbox.url) as client:
            return int((await client.get("/todos/2")).json()["id"])

    assert anyio.run(paced) == 2
