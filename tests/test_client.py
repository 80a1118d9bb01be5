"""tether.Client / tether.AsyncClient against the live sandbox, sync and async alike."""

from __future__ import annotations

import inspect
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx2
import pytest

import tether
from tether._transports._base import CALL_OPTIONS_EXTENSION
from tether.sandbox import DEFAULT_API_KEY, SandboxServer

Call = Callable[..., Awaitable[tether.Response]]


@pytest.fixture(params=["sync", "async"])
def call(request: pytest.FixtureRequest, sandbox: SandboxServer) -> Call:
    """Send one request with a fresh sync or async client: the same case runs on both."""

    async def send(method: str, *args: Any, client_options: Any = None, **kwargs: Any) -> Any:
        options = {"base_url": sandbox.url, **(client_options or {})}
        if request.param == "sync":
            with tether.Client(**options) as client:
                return getattr(client, method)(*args, **kwargs)
        async with tether.AsyncClient(**options) as client:
            return await getattr(client, method)(*args, **kwargs)

    send.kind = request.param  # type: ignore[attr-defined]
    return send


# -- every verb ---------------------------------------------------------------------------


async def test_get_with_params(call: Call) -> None:
    response = await call("get", "/posts", params={"userId": 2})
    assert isinstance(response, tether.Response)
    posts = response.json()
    assert len(posts) == 10
    assert {post["userId"] for post in posts} == {2}


async def test_post_json_body(call: Call, sandbox: SandboxServer) -> None:
    response = await call("post", "/posts", json={"userId": 1, "title": "hello", "body": "x"})
    assert response.status_code == 201
    created = response.json()
    assert created["title"] == "hello"
    assert response.headers["location"].endswith(f"/posts/{created['id']}")
    assert (await call("get", f"/posts/{created['id']}")).json()["title"] == "hello"


async def test_put_replaces(call: Call) -> None:
    body = {"userId": 1, "id": 1, "title": "new", "body": "text"}
    assert (await call("put", "/posts/1", json=body)).json() == body


async def test_patch_merges(call: Call) -> None:
    patched = (await call("patch", "/posts/1", json={"title": "patched"})).json()
    assert patched["title"] == "patched"
    assert patched["userId"] == 1
    assert patched["body"]


async def test_delete_then_404(call: Call) -> None:
    assert (await call("delete", "/posts/3")).status_code == 200
    with pytest.raises(tether.NotFound):
        await call("get", "/posts/3")


async def test_head_has_no_body(call: Call) -> None:
    response = await call("head", "/posts/1")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0


async def test_options(call: Call) -> None:
    assert (await call("options", "/status/200")).status_code == 200


async def test_request_with_form_content(call: Call) -> None:
    response = await call("request", "POST", "/status/200", data={"a": "1"})
    assert response.json() == {"status": 200, "message": "OK"}


async def test_client_and_call_headers_are_both_sent(call: Call) -> None:
    response = await call(
        "get",
        "/profile",
        headers={"X-API-Key": DEFAULT_API_KEY},
        client_options={"headers": {"X-Trace": "t-1"}},
    )
    assert response.headers["x-authenticated-by"] == "api-key"
    assert response.request.headers["x-trace"] == "t-1"


# -- raise_for_status ---------------------------------------------------------------------


async def test_status_errors_raise_by_default(call: Call) -> None:
    with pytest.raises(tether.ServerError):
        await call("get", "/status/503", retry=False)


async def test_opt_out_per_client(call: Call) -> None:
    response = await call(
        "get", "/status/503", client_options={"raise_for_status": False, "retry": False}
    )
    assert response.status_code == 503


async def test_opt_out_per_call(call: Call) -> None:
    assert (await call("get", "/status/404", raise_for_status=False)).status_code == 404


async def test_opt_in_per_call_beats_client_opt_out(call: Call) -> None:
    with pytest.raises(tether.NotFound):
        await call(
            "get", "/status/404", raise_for_status=True, client_options={"raise_for_status": False}
        )


def test_stream_raises_before_the_block_and_streams_success(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        with pytest.raises(tether.Unauthorized) as info, client.stream("GET", "/profile"):
            pytest.fail("the block must not run for an error status")
        assert "credentials are required" in info.value.body_excerpt
        with client.stream("GET", "/posts/1") as response:
            assert isinstance(response, tether.Response)
            assert b"".join(response.iter_bytes()).startswith(b'{"userId":1')
        with client.stream("GET", "/status/404", raise_for_status=False) as response:
            assert response.status_code == 404


async def test_async_stream(sandbox: SandboxServer) -> None:
    async with tether.AsyncClient(base_url=sandbox.url) as client:
        with pytest.raises(tether.NotFound):
            async with client.stream("GET", "/posts/9999"):
                pytest.fail("the block must not run for an error status")
        async with client.stream("GET", "/posts/1") as response:
            assert (await response.aread()).startswith(b'{"userId":1')


def test_send_takes_per_call_options(sandbox: SandboxServer) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        request = client.build_request("GET", "/status/409")
        with pytest.raises(tether.Conflict):
            client.send(request)
        request = client.build_request("GET", "/status/409")
        assert client.send(request, raise_for_status=False).status_code == 409


async def test_async_send_takes_per_call_options(sandbox: SandboxServer) -> None:
    async with tether.AsyncClient(
        base_url=sandbox.url, raise_for_status=False, retry=False
    ) as client:
        request = client.build_request("GET", "/status/500")
        with pytest.raises(tether.ServerError):
            await client.send(request, raise_for_status=True)


# -- per-call options reach the transports ------------------------------------------------


async def test_per_call_options_travel_in_extensions(call: Call) -> None:
    seen: list[Any] = []

    def capture(request: httpx2.Request) -> None:
        seen.append(request.extensions.get(CALL_OPTIONS_EXTENSION))

    async def acapture(request: httpx2.Request) -> None:
        capture(request)

    hooks = {"request": [capture if call.kind == "sync" else acapture]}  # type: ignore[attr-defined]
    await call("get", "/posts/1", client_options={"event_hooks": hooks})
    await call("get", "/posts/1", retry=False, deadline=5, client_options={"event_hooks": hooks})
    assert seen[0] is None
    assert seen[1] == tether.CallOptions(raise_for_status=None, retry=False, deadline=5)


@pytest.mark.parametrize("deadline", [0, -1, float("nan"), "5", True])
def test_bad_deadline_is_refused_early(sandbox: SandboxServer, deadline: Any) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        with pytest.raises(tether.ConfigurationError, match="deadline"):
            client.get("/posts/1", deadline=deadline)
        assert sandbox.stats()["total"] == 0


# -- timeouts -----------------------------------------------------------------------------


def test_default_timeout_is_ten_seconds_with_five_to_connect() -> None:
    for client in (tether.Client(), tether.AsyncClient()):
        assert client.timeout == httpx2.Timeout(10.0, connect=5.0)


@pytest.mark.parametrize(
    "timeout", [None, httpx2.Timeout(None), httpx2.Timeout(5.0, read=None), (5.0, None, 5.0, 5.0)]
)
def test_no_timeout_is_refused_unless_allowed(timeout: Any) -> None:
    for cls in (tether.Client, tether.AsyncClient):
        with pytest.raises(tether.ConfigurationError, match="allow_no_timeout=True"):
            cls(timeout=timeout)
        assert cls(timeout=timeout, allow_no_timeout=True).timeout == httpx2.Timeout(timeout)


@pytest.mark.parametrize("timeout", [0, -1, float("inf"), "ten"])
def test_nonsense_timeouts_are_refused(timeout: Any) -> None:
    with pytest.raises(tether.ConfigurationError, match="timeout"):
        tether.Client(timeout=timeout)


def test_assigning_no_timeout_is_refused() -> None:
    client = tether.Client()
    with pytest.raises(tether.ConfigurationError):
        client.timeout = None
    client.timeout = 3
    assert client.timeout == httpx2.Timeout(3)


async def test_per_call_no_timeout_is_refused(call: Call, sandbox: SandboxServer) -> None:
    with pytest.raises(tether.ConfigurationError):
        await call("get", "/posts/1", timeout=None)
    response = await call(
        "get", "/posts/1", timeout=None, client_options={"allow_no_timeout": True}
    )
    assert response.status_code == 200


async def test_read_timeout_fires(call: Call) -> None:
    started = time.monotonic()
    with pytest.raises(httpx2.ReadTimeout):
        await call("get", "/delay/1", timeout=0.2, retry=False)
    assert time.monotonic() - started < 0.9


async def test_deadline_bounds_a_single_attempt(call: Call) -> None:
    started = time.monotonic()
    with pytest.raises(httpx2.TimeoutException):
        await call("get", "/delay/1", deadline=0.2)
    assert time.monotonic() - started < 0.9


# -- with_options -------------------------------------------------------------------------


def test_with_options_changes_only_what_is_passed(sandbox: SandboxServer) -> None:
    auth = tether.APIKeyAuth(DEFAULT_API_KEY)
    with tether.Client(base_url=sandbox.url, headers={"X-A": "1"}, timeout=7) as client:
        copy = client.with_options(raise_for_status=False, headers={"X-B": "2"}, auth=auth)
        assert type(copy) is tether.Client
        assert copy.raise_for_status is False
        assert client.raise_for_status is True
        assert copy.headers["x-a"] == "1"
        assert copy.headers["x-b"] == "2"
        assert "x-b" not in client.headers
        assert copy.timeout == client.timeout == httpx2.Timeout(7)
        assert copy.get("/profile").status_code == 200
        assert copy.get("/status/500", retry=False).status_code == 500
        with pytest.raises(tether.Unauthorized):
            client.get("/profile")
        # None means "no auth", distinct from leaving auth out.
        assert copy.with_options(auth=None).get("/profile").status_code == 401


def test_with_options_shares_the_pool_and_closing_the_copy_keeps_it(
    sandbox: SandboxServer,
) -> None:
    with tether.Client(base_url=sandbox.url) as client:
        copy = client.with_options(timeout=2)
        assert copy._base_transport.inner is client._base_transport
        copy.get("/posts/1")
        copy.close()
        assert client.get("/posts/1").status_code == 200


def test_with_options_changes_the_retry_policy_and_keeps_the_budget() -> None:
    sent: list[httpx2.Request] = []

    def unavailable(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(503)

    transport = httpx2.MockTransport(unavailable)
    with tether.Client(transport=transport, raise_for_status=False) as client:
        once = client.with_options(retry=False)
        assert once.retry is None
        assert once.retry_budget is client.retry_budget
        assert once.get("https://api.example/x").status_code == 503
        assert len(sent) == 1
        patient = client.with_options(retry=tether.Retry(attempts=2, initial_wait=0))
        assert patient.get("https://api.example/x").status_code == 503
        assert len(sent) == 3
        with pytest.raises(tether.ConfigurationError, match="retry=3"):
            client.with_options(retry=3)  # type: ignore[arg-type]


def test_with_options_refuses_no_timeout_unless_allowed() -> None:
    client = tether.Client()
    with pytest.raises(tether.ConfigurationError):
        client.with_options(timeout=None)
    relaxed = client.with_options(timeout=None, allow_no_timeout=True)
    assert relaxed.timeout == httpx2.Timeout(None)


async def test_async_with_options(sandbox: SandboxServer) -> None:
    async with tether.AsyncClient(base_url=sandbox.url) as client:
        copy = client.with_options(raise_for_status=False)
        assert type(copy) is tether.AsyncClient
        assert (await copy.get("/status/404")).status_code == 404
        await copy.aclose()
        assert (await client.get("/posts/1")).status_code == 200


def test_with_options_refuses_what_it_cannot_change() -> None:
    with pytest.raises(TypeError, match="'verify'"):
        tether.Client().with_options(verify=False)  # type: ignore[call-arg]


# -- signatures ----------------------------------------------------------------------------

_PER_CALL = ["raise_for_status", "retry", "deadline"]


@pytest.mark.parametrize("cls", [tether.Client, tether.AsyncClient])
@pytest.mark.parametrize(
    "name",
    [
        "send",
        "request",
        "stream",
        "get",
        "options",
        "head",
        "delete",
        "post",
        "put",
        "patch",
        "query",
    ],
)
def test_runtime_signatures_name_httpx2_arguments_plus_per_call_options(
    cls: type[httpx2.Client], name: str
) -> None:
    base = inspect.signature(getattr(cls.__mro__[2], name)).parameters
    ours = inspect.signature(getattr(cls, name)).parameters
    assert sorted(ours) == sorted([*base, *_PER_CALL])
    for parameter, default in [(p, base[p].default) for p in base if p != "self"]:
        assert ours[parameter].default is default
        assert ours[parameter].kind is base[parameter].kind


@pytest.mark.parametrize("cls", [tether.Client, tether.AsyncClient])
def test_constructor_signature_names_every_argument_with_tether_defaults(
    cls: type[httpx2.Client],
) -> None:
    base = inspect.signature(cls.__mro__[2]).parameters
    ours = inspect.signature(cls).parameters
    extra = ["raise_for_status", "hooks", "allow_no_timeout", "retry", "retry_budget"]
    assert sorted(ours) == sorted([*base, *extra, "rate_limit", "backend"])
    for name in base.keys() - {"timeout", "limits"}:
        assert ours[name].default == base[name].default, name
    assert ours["timeout"].default == httpx2.Timeout(10.0, connect=5.0)
    assert ours["limits"].default.max_keepalive_connections == 20
    assert ours["raise_for_status"].default is True
    assert ours["rate_limit"].default is None


@pytest.mark.parametrize("verb", ["get", "options", "head", "delete"])
async def test_verbs_without_a_body_refuse_one(verb: str) -> None:
    client = tether.Client(transport=httpx2.MockTransport(lambda r: httpx2.Response(200)))
    with pytest.raises(TypeError, match=f"{verb}\\(\\) got an unexpected keyword argument 'json'"):
        getattr(client, verb)("http://api.test/", json={"a": 1})
    async with tether.AsyncClient(
        transport=httpx2.MockTransport(lambda r: httpx2.Response(200))
    ) as aclient:
        with pytest.raises(TypeError, match="'content'"):
            await getattr(aclient, verb)("http://api.test/", content=b"x")


def test_repr_shows_settings_not_secrets() -> None:
    client = tether.Client(
        base_url="http://me:pw@api.test/v1", auth=tether.BearerAuth("tok-secret")
    )
    text = repr(client)
    assert text.startswith("<tether.Client base_url='http://me:[REDACTED]@api.test/v1/'")
    assert "raise_for_status=True" in text
    assert "BearerAuth('[REDACTED]')" in text
    assert "pw@" not in text
    assert "tok-secret" not in text


# -- hooks and logging --------------------------------------------------------------------


async def test_hooks_receive_request_finished(call: Call, sandbox: SandboxServer) -> None:
    events: list[tether.Event] = []
    await call(
        "get",
        "/status/200",
        params={"page": 1, "token": "t0ps3cret"},
        client_options={"hooks": [events.append]},
    )
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, tether.RequestFinished)
    assert event.method == "GET"
    assert event.url == f"{sandbox.url}/status/200?page=1&token=[REDACTED]"
    assert event.status == 200
    assert event.error is None
    assert event.attempt == 1
    assert 0 < event.elapsed < 5


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_hooks_receive_connection_errors() -> None:
    events: list[tether.Event] = []
    url = f"http://127.0.0.1:{_closed_port()}"
    async with tether.AsyncClient(base_url=url, hooks=[events.append], retry=False) as client:
        with pytest.raises(httpx2.ConnectError):
            await client.get("/x")
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, tether.RequestFinished)
    assert event.status is None
    assert event.error is not None
    assert event.error.startswith("ConnectError")


async def test_debug_line_per_request(
    call: Call, sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="tether"):
        await call("get", "/status/200", params={"api_key": "k-123"})
        await call("get", "/status/503", raise_for_status=False, retry=False)
    lines = [r.getMessage() for r in caplog.records if r.name == "tether"]
    assert len(lines) == 2
    assert lines[0].startswith(f"GET {sandbox.url}/status/200?api_key=[REDACTED] -> 200 in ")
    assert lines[0].endswith(" ms (attempt 1)")
    assert lines[1].startswith(f"GET {sandbox.url}/status/503 -> 503 in ")


def test_no_log_record_when_debug_is_off(
    sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.INFO, logger="tether"),
        tether.Client(base_url=sandbox.url) as client,
    ):
        client.get("/posts/1")
    assert not [r for r in caplog.records if r.name == "tether"]


def test_failing_hook_does_not_break_the_request(sandbox: SandboxServer) -> None:
    def broken(event: tether.Event) -> None:
        raise RuntimeError("hook bug")

    with tether.Client(base_url=sandbox.url, hooks=[broken]) as client:
        assert client.get("/posts/1").status_code == 200
