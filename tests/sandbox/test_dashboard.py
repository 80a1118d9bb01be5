"""The dashboard's server side: event stream, figures in /_sandbox/stats, routes list,
static files and who may use the admin routes (the page itself: test_dashboard_browser)."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Sequence
from typing import Any

import httpx2
import pytest
from starlette.types import Message

from tether.sandbox import SandboxConfig, SandboxServer, create_app, serve_in_thread
from tether.sandbox._admin_guard import admin_refusal, is_loopback
from tether.sandbox._dashboard import example_path
from tether.sandbox._metrics import (
    MAX_CLIENTS,
    OTHER_CLIENTS,
    Metrics,
    display_key,
    percentile,
    status_class,
)


def events(url: str, count: int, until: Callable[[dict[str, Any]], bool] | None = None,
           timeout: float = 10.0) -> list[dict[str, Any]]:
    """Snapshots of the event stream at ``url``: ``count`` of them, or with ``until`` the
    ones up to the first it accepts (at most ``count``)."""
    found: list[dict[str, Any]] = []
    with httpx2.stream("GET", f"{url}/_sandbox/events", timeout=timeout) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data:"):
                found.append(json.loads(line[5:]))
                if len(found) == count or (until is not None and until(found[-1])):
                    break
    return found


def test_one_event_holds_everything_the_page_shows(sandbox: SandboxServer) -> None:
    sandbox.set_limits("5/s")
    sandbox.set_faults(route="GET /todos/*", kind="status", status=502)
    assert httpx2.get(f"{sandbox.url}/todos/1").status_code == 502
    response = httpx2.get(f"{sandbox.url}/_sandbox/events", params={"once": "1"})
    assert response.text.startswith("retry: 1000\n\nevent: snapshot\ndata: ")
    snapshot = json.loads(response.text.split("data: ", 1)[1])
    assert set(snapshot) == {"now", "seed", "db", "collections", "stats", "series", "faults",
                             "limits"}
    assert snapshot["collections"]["todos"] == 200
    assert snapshot["stats"]["total"] == 1
    assert snapshot["stats"]["clients"] == {"addr:127.0.0.1": {"requests": 1,
                                                               "rate_limited": 0}}
    assert snapshot["faults"]["hits"] == [{"matched": 1, "fired": 1}]
    assert snapshot["limits"]["limits"] == ["5/s"]
    series = snapshot["series"]
    assert len(series["t"]) == 60
    assert set(series["classes"]) == {"2xx", "3xx", "4xx", "429", "5xx", "reset"}
    assert all(len(column) == 60 for column in series["classes"].values())


def test_the_stream_keeps_coming_and_follows_the_counts(sandbox: SandboxServer) -> None:
    seen: list[list[dict[str, Any]]] = []

    received = []

    def all_five(snapshot: dict[str, Any]) -> bool:
        # At least three events, so the stream is seen to go on rather than end.
        received.append(snapshot)
        return len(received) >= 3 and bool(snapshot["stats"]["total"] == 5)

    reader = threading.Thread(target=lambda: seen.append(events(sandbox.url, 40, all_five)))
    reader.start()
    for n in range(5):
        httpx2.get(f"{sandbox.url}/posts/{n + 1}")
    reader.join(25)
    assert seen, "no events arrived"
    snapshots = seen[0]
    assert len(snapshots) >= 3
    times = [snapshot["now"] for snapshot in snapshots]
    assert times == sorted(times)
    assert max(b - a for a, b in itertools.pairwise(times)) < 1.5
    assert snapshots[-1]["stats"]["total"] == 5


def test_stats_carry_latency_clients_and_rule_hits(sandbox: SandboxServer) -> None:
    sandbox.set_faults({"route": "GET /posts/*", "kind": "status", "status": 503, "times": 2},
                       {"route": "GET /users*", "kind": "latency", "delay": "10ms"})
    sandbox.set_limits("3/min")
    headers = {"X-API-Key": "dashboard-test-key"}
    for n in range(4):
        httpx2.get(f"{sandbox.url}/posts/{n + 1}", headers=headers)
    stats = httpx2.get(f"{sandbox.url}/_sandbox/stats").json()
    assert stats == sandbox.stats() | {"since": stats["since"], "latency_ms": stats["latency_ms"]}
    assert stats["fault_rules"] == [
        {"route": "GET /posts/*", "kind": "status", "probability": 1.0, "matched": 3,
         "fired": 2},
        {"route": "GET /users*", "kind": "latency", "probability": 1.0, "matched": 0,
         "fired": 0},
    ]
    assert stats["clients"] == {"key:dash…-key": {"requests": 4, "rate_limited": 1}}
    assert stats["latency_ms"]["count"] == 4
    assert 0 < stats["latency_ms"]["p50"] <= stats["latency_ms"]["p95"] <= (
        stats["latency_ms"]["p99"])
    faults = httpx2.get(f"{sandbox.url}/_sandbox/faults").json()
    assert faults["hits"] == [{"matched": 3, "fired": 2}, {"matched": 0, "fired": 0}]
    # The rules come back in the form PUT takes: a script can read, edit and write them.
    again = httpx2.put(f"{sandbox.url}/_sandbox/faults",
                       json={"seed": faults["seed"], "rules": faults["rules"]})
    assert again.status_code == 200
    assert again.json()["rules"] == faults["rules"]
    assert again.json()["hits"] == [{"matched": 0, "fired": 0}] * 2
    sandbox.reset()
    assert sandbox.stats()["clients"] == {}
    assert sandbox.stats()["latency_ms"] == {"count": 0, "p50": None, "p95": None, "p99": None}


def test_a_dropped_connection_counts_as_a_reset(sandbox: SandboxServer) -> None:
    sandbox.set_faults(route="GET /posts/1", kind="reset")
    with pytest.raises(httpx2.TransportError):
        httpx2.get(f"{sandbox.url}/posts/1")
    snapshot = json.loads(httpx2.get(f"{sandbox.url}/_sandbox/events?once=1").text
                          .split("data: ", 1)[1])
    assert snapshot["stats"]["by_status"] == {"0": 1}
    assert snapshot["stats"]["clients"]["addr:127.0.0.1"]["requests"] == 1


def test_routes_list_every_route_with_examples(sandbox: SandboxServer) -> None:
    routes = httpx2.get(f"{sandbox.url}/_sandbox/routes").json()
    by_key = {(route["method"], route["path"]): route for route in routes}
    assert by_key[("GET", "/posts/{id}/comments")]["example"] == "/posts/1/comments"
    assert by_key[("POST", "/posts")]["example"] is None
    assert by_key[("GET", "/_sandbox/ui")]["summary"].startswith("The live dashboard")
    for (method, _), route in by_key.items():
        if method == "GET" and route["example"] and "{" not in route["example"] and (
                not route["example"].startswith(("/_sandbox/events", "/delay"))):
            expected = {"/profile": 401, "/status/503": 503}.get(route["example"], 200)
            assert httpx2.get(sandbox.url + route["example"]).status_code == expected, route
    assert example_path("/status/{code}") == "/status/503"


def test_page_and_files_are_served_with_a_strict_policy(sandbox: SandboxServer) -> None:
    page = httpx2.get(f"{sandbox.url}/_sandbox/ui")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "connect-src 'self'" in policy
    assert "/_sandbox/ui/dashboard.js" in page.text
    assert httpx2.get(f"{sandbox.url}/_sandbox/ui/").text == page.text
    script = httpx2.get(f"{sandbox.url}/_sandbox/ui/dashboard.js")
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "http://" not in script.text.replace("http://www.w3.org/2000/svg", "")
    # Only the files shipped in the package are served, looked up by name.
    assert httpx2.get(f"{sandbox.url}/_sandbox/ui/..%2F_dashboard.py").status_code == 404
    assert httpx2.get(f"{sandbox.url}/_sandbox/ui/nothing.js").json()["message"] == (
        "the dashboard has no file 'nothing.js'")
    assert httpx2.get(f"{sandbox.url}/").json()["dashboard"] == sandbox.dashboard_url
    assert sandbox.stats()["total"] == 1  # only the index; the dashboard is not traffic


# -- who may use the admin routes -------------------------------------------------------


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("localhost", True), ("10.0.0.7", False), ("192.168.1.4", False), ("::ffff:10.0.0.7", False),
    ("testclient", False), (None, False), ("", False),
])
def test_is_loopback(host: str | None, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_admin_routes_refuse_pages_of_other_sites_without_a_token() -> None:
    assert admin_refusal(None, "127.0.0.1", "", "http://localhost:5173") is None
    assert admin_refusal(None, "127.0.0.1", "", "http://127.0.0.1:8000") is None
    status, message = admin_refusal(None, "127.0.0.1", "", "https://evil.example") or (0, "")
    assert status == 403
    assert "Origin: https://evil.example" in message
    assert "--admin-token" in message
    assert admin_refusal(None, "127.0.0.1", "", "null") is not None
    # With a token, the token is the credential, whichever page sends it.
    assert admin_refusal("t0k", "127.0.0.1", "Bearer t0k", "https://ci.example") is None
    with serve_in_thread(SandboxConfig()) as server:
        url = f"{server.url}/_sandbox/reset"
        refused = httpx2.post(url, headers={"Origin": "https://evil.example"})
        assert refused.status_code == 403
        assert "other sites" in refused.json()["message"]
        local = httpx2.post(url, headers={"Origin": "http://localhost:3000"})
        assert local.status_code == 200


def test_admin_refusal_decides_by_token_then_address() -> None:
    assert admin_refusal(None, "127.0.0.1", "") is None
    status, message = admin_refusal(None, "10.0.0.7", "") or (0, "")
    assert status == 403
    assert "--admin-token" in message
    assert admin_refusal("t0k", "10.0.0.7", "Bearer t0k") is None
    assert admin_refusal("t0k", "10.0.0.7", "bearer  t0k ") is None
    # With a token set, the local machine needs it too.
    assert admin_refusal("t0k", "127.0.0.1", "")[0] == 401  # type: ignore[index]
    assert admin_refusal("t0k", "127.0.0.1", "Bearer nope") == (
        401, "the admin token is not valid")
    assert admin_refusal("t0k", "127.0.0.1", "Basic dDBrOg==")[0] == 401  # type: ignore[index]


async def asgi_get(app: Any, path: str, client: str, headers: Sequence[tuple[bytes, bytes]] = (),
                   method: str = "GET") -> tuple[int, dict[bytes, bytes], bytes]:
    """One request straight into the ASGI app, as if from ``client``: the network here
    offers loopback addresses only."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": [(b"host", b"sandbox"),
                                                               *headers],
             "client": (client, 50000), "server": ("10.0.0.1", 8000)}
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body


async def test_remote_clients_need_the_admin_token() -> None:
    open_app = create_app(SandboxConfig())
    status, _, body = await asgi_get(open_app, "/_sandbox/stats", "10.0.0.7")
    assert status == 403
    assert b"--admin-token" in body
    assert (await asgi_get(open_app, "/_sandbox/faults", "10.0.0.7", method="PUT"))[0] == 403
    assert (await asgi_get(open_app, "/_sandbox/stats", "127.0.0.1"))[0] == 200
    # The page (it asks for the token), health and the API itself stay open.
    assert (await asgi_get(open_app, "/_sandbox/ui", "10.0.0.7"))[0] == 200
    assert (await asgi_get(open_app, "/_sandbox/ui/dashboard.css", "10.0.0.7"))[0] == 200
    assert (await asgi_get(open_app, "/_sandbox/health", "10.0.0.7"))[0] == 200
    assert (await asgi_get(open_app, "/todos/1", "10.0.0.7"))[0] == 200

    guarded = create_app(SandboxConfig(admin_token="drill"))
    status, headers, _ = await asgi_get(guarded, "/_sandbox/reset", "10.0.0.7", method="POST")
    assert status == 401
    assert headers[b"www-authenticate"] == b'Bearer realm="tether-sandbox-admin"'
    assert (await asgi_get(guarded, "/_sandbox/stats", "127.0.0.1"))[0] == 401
    bearer = [(b"authorization", b"Bearer drill")]
    assert (await asgi_get(guarded, "/_sandbox/stats", "10.0.0.7", bearer))[0] == 200
    assert (await asgi_get(guarded, "/_sandbox/routes", "10.0.0.7", bearer))[0] == 200


def test_admin_token_is_checked_when_configured() -> None:
    with pytest.raises(ValueError, match="admin_token must be a non-empty string"):
        SandboxConfig(admin_token=" ")
    env = {"TETHER_SANDBOX_ADMIN_TOKEN": "from-env"}
    assert SandboxConfig.from_env(env).admin_token == "from-env"
    with serve_in_thread(SandboxConfig(admin_token="s3")) as server:
        assert httpx2.get(f"{server.url}/_sandbox/limits").status_code == 401
        ok = httpx2.get(f"{server.url}/_sandbox/limits", headers={"Authorization": "Bearer s3"})
        assert ok.json() == {"limits": [], "configured": []}
        assert server.stats()["total"] == 0  # refused admin calls are not traffic either


def test_server_stops_promptly_with_a_stream_open() -> None:
    ended: list[str] = []
    streaming = threading.Event()

    def follow(url: str) -> None:
        try:
            with httpx2.stream("GET", f"{url}/_sandbox/events", timeout=10) as response:
                for _ in response.iter_lines():
                    streaming.set()
            ended.append("closed by the server")
        except httpx2.HTTPError as exc:
            ended.append(f"failed: {exc!r}")
        finally:
            streaming.set()

    with serve_in_thread(SandboxConfig()) as server:
        reader = threading.Thread(target=follow, args=(server.url,))
        reader.start()
        # Shut down only once this reader's own stream is up and sending.
        assert streaming.wait(10)
    reader.join(10)
    # The stream ended cleanly instead of being cut when shutdown gave up waiting.
    assert ended == ["closed by the server"]


# -- the figures themselves -------------------------------------------------------------


@pytest.mark.parametrize(("status", "kind"), [
    (200, "2xx"), (204, "2xx"), (304, "3xx"), (404, "4xx"), (499, "4xx"), (429, "429"),
    (500, "5xx"), (503, "5xx"), (0, "reset"),
])
def test_status_class(status: int, kind: str) -> None:
    assert status_class(status) == kind


def test_display_key_keeps_secrets_out() -> None:
    assert display_key("key:tether-sandbox-key") == "key:teth…-key"
    assert display_key("bearer:abcdefghijklmnop") == "bearer:abcd…mnop"
    assert display_key("key:short") == "key:s…"
    assert display_key("addr:10.0.0.7") == "addr:10.0.0.7"


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert [percentile(values, q) for q in (50, 95, 99, 100)] == [50.0, 95.0, 99.0, 100.0]
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None


def test_series_columns_by_second() -> None:
    now = [1000.2]
    metrics = Metrics(clock=lambda: now[0])
    metrics.record("key:aaaa-bbbb-cccc", 200, 0.010)
    metrics.record("key:aaaa-bbbb-cccc", 429, 0.001)
    now[0] = 1001.5
    metrics.record("addr:127.0.0.1", 503, 0.100)
    now[0] = 1002.1  # seconds 1000 and 1001 are complete
    series = metrics.series(3)
    assert series["t"] == [999, 1000, 1001]
    assert series["classes"]["2xx"] == [0, 1, 0]
    assert series["classes"]["429"] == [0, 1, 0]
    assert series["classes"]["5xx"] == [0, 0, 1]
    assert series["latency_ms"]["p50"] == [None, 1.0, 100.0]
    assert series["latency_ms"]["p99"] == [None, 10.0, 100.0]
    assert series["clients"]["key:aaaa…cccc"] == {"requests": [0, 2, 0],
                                                   "rate_limited": [0, 1, 0]}
    # A request that started before a reset is not counted after it.
    generation = metrics.generation
    metrics.clear()
    metrics.record("addr:127.0.0.1", 200, 0.001, generation)
    assert metrics.summary() == {"latency_ms": {"count": 0, "p50": None, "p95": None,
                                                "p99": None}, "clients": {}}


def test_client_keys_are_bounded() -> None:
    metrics = Metrics(clock=lambda: 5.0)
    for n in range(MAX_CLIENTS + 5):
        metrics.record(f"addr:10.0.{n // 256}.{n % 256}", 200, 0.001)
    clients = metrics.summary()["clients"]
    assert len(clients) == MAX_CLIENTS + 1
    assert clients[OTHER_CLIENTS]["requests"] == 5
