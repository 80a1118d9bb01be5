"""``tether get|post|...`` as a user runs it: the console script in a subprocess against a live
sandbox; every request-item form, each output mode, every exit code, auth from the
environment, --offline and --paginate."""

from __future__ import annotations

import contextlib
import http.server
import json
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx2
from tests.cli._run import run, run_all, run_tty

from tether.sandbox import DEFAULT_API_KEY, DEFAULT_BEARER_TOKEN, SandboxServer

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def port(sandbox: SandboxServer) -> str:
    return ":" + sandbox.url.rsplit(":", 1)[1]


def test_every_request_item_form_reaches_the_server(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    (tmp_path / "body.txt").write_text("from a file", encoding="utf-8")
    (tmp_path / "user.json").write_text("1", encoding="utf-8")
    created, listed = run_all(
        # header, empty header, dropped default header, string field, field from a file,
        # raw JSON field, JSON from a file; shown with -v as sent.
        ["post", f"{port(sandbox)}/posts", "X-Trace:abc 123", "X-Empty;", "User-Agent:",
         "title=hello=world", f"body=@{tmp_path / 'body.txt'}",
         f"userId:=@{tmp_path / 'user.json'}", "-v", "--pretty=none"],
        # query parameters, repeated
        ["get", f"{sandbox.url}/posts", "userId==2", "userId==3", "_limit==3"],
    )
    assert created.code == 0, created.err
    request, response = created.out.split("\n\nHTTP/1.1 ", 1)
    assert request.startswith("POST /posts HTTP/1.1\n")
    assert "\nX-Trace: abc 123\n" in request
    assert "\nX-Empty: \n" in request
    assert "user-agent" not in request.lower()
    assert "\nContent-Type: application/json\n" in request
    sent = json.loads(request.split("\n\n", 1)[1])
    assert sent == {"title": "hello=world", "body": "from a file", "userId": 1}
    assert response.startswith("201 Created\n")
    assert json.loads(response.split("\n\n", 1)[1]) == {"userId": 1, "id": 101, **sent}
    assert sandbox.stats()["routes"]["POST /posts"] == {"201": 1}

    assert listed.code == 0, listed.err
    # Piped: the body's bytes exactly as the server sent them.
    expected = httpx2.get(f"{sandbox.url}/posts",
                          params=[("userId", 2), ("userId", 3), ("_limit", 3)]).content
    assert listed.out.encode() == expected
    assert [p["userId"] for p in json.loads(listed.out)] == [2, 2, 2]


def test_forms_uploads_escapes_and_offline(sandbox: SandboxServer, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("uploaded text", encoding="utf-8")
    token, upload, escaped, json_get = run_all(
        ["post", f"{port(sandbox)}/oauth/token", "--form", "grant_type=client_credentials",
         "client_id=tether-client", "client_secret=tether-secret"],
        ["post", f"{port(sandbox)}/upload", "a\\:b=c", f"notes@{tmp_path / 'notes.txt'}",
         "--offline"],
        ["put", f"{port(sandbox)}/posts/1", "x\\=y=1", "n:=[1, 2]", "u\\@v=w", "--offline"],
        ["get", f"{port(sandbox)}/posts/1", "-j", "--offline"],
    )
    assert token.code == 0, token.err
    assert json.loads(token.out)["token_type"] == "Bearer"

    assert upload.code == 0, upload.err
    assert upload.out.startswith("POST /upload HTTP/1.1\n")
    assert "Content-Type: multipart/form-data; boundary=" in upload.out
    assert 'name="a:b"\r\n\r\nc\r\n' in upload.out
    assert 'name="notes"; filename="notes.txt"' in upload.out
    assert "uploaded text" in upload.out

    assert escaped.code == 0, escaped.err
    head, body = escaped.out.split("\n\n", 1)
    assert head.startswith("PUT /posts/1 HTTP/1.1\n")
    assert json.loads(body) == {"x=y": "1", "n": [1, 2], "u@v": "w"}
    assert "\nAccept: application/json, */*;q=0.5\n" in json_get.out
    # --offline sent nothing.
    assert "PUT /posts/{id}" not in sandbox.stats()["routes"]
    assert "POST /upload" not in json.dumps(sandbox.stats()["routes"])


def test_terminal_output_is_coloured_and_indented_with_headers(sandbox: SandboxServer) -> None:
    tty = run_tty("get", f"{port(sandbox)}/todos/1")
    assert tty.code == 0, tty.err
    assert ANSI.search(tty.out), tty.out
    plain = ANSI.sub("", tty.out).replace("\r\n", "\n")
    assert plain.startswith("HTTP/1.1 200 OK\n")
    assert "content-type: application/json" in plain
    assert '\n    "id": 1,\n' in plain

    formatted, headers_only = run_all(
        ["get", f"{port(sandbox)}/todos/1", "--pretty=format"],
        ["head", f"{port(sandbox)}/todos/1", "--print=h"],
    )
    assert not ANSI.search(formatted.out)
    assert json.loads(formatted.out)["id"] == 1
    assert '\n    "id": 1,\n' in formatted.out
    assert headers_only.out.startswith("HTTP/1.1 200 OK\n"), headers_only.out


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def redirecting_to(target: str) -> Iterator[str]:
    """A server on 127.0.0.1 answering every GET with a 302 to ``target``."""

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/old"
    finally:
        server.shutdown()
        server.server_close()


def test_exit_codes_follow_the_status(sandbox: SandboxServer) -> None:
    base = port(sandbox)
    with redirecting_to(f"{sandbox.url}/todos/1") as old:
        ok, moved, followed, missing, failing, slow, late, refused, unchecked = run_all(
            ["get", f"{base}/todos/1"],
            ["get", old],
            ["get", old, "--follow", "--max-redirects", "2"],
            ["get", f"{base}/todos/9999"],
            ["delete", f"{base}/status/503", "--no-retry"],
            ["get", f"{base}/delay/3", "--timeout", "0.3", "--no-retry"],
            ["get", f"{base}/delay/3", "--deadline", "0.5"],
            ["get", f":{_closed_port()}/todos/1", "--no-retry"],
            ["get", f"{base}/todos/9999", "--no-check-status"],
        )
    assert ok.code == 0
    assert ok.err == ""
    assert moved.code == 3
    assert moved.err == (
        f"tether: 302 Found: redirect to {sandbox.url}/todos/1 not followed; add --follow to "
        "follow it\n"
    )
    assert followed.code == 0, followed.err
    assert json.loads(followed.out)["id"] == 1
    assert missing.code == 4
    assert missing.err.startswith("tether: NotFound: 404 Not Found for GET http://localhost:")
    assert json.loads(missing.out)["error"] == "Not Found"  # the body still goes to stdout
    assert failing.code == 5
    assert failing.err.startswith("tether: ServerError: 503 Service Unavailable for DELETE ")
    assert slow.code == 2
    assert slow.err.startswith("tether: ReadTimeout: ")
    assert late.code == 2, late.err
    assert re.match(r"tether: (DeadlineExceeded|ReadTimeout): ", late.err), late.err
    assert refused.code == 1
    assert refused.err.startswith("tether: ConnectError: ")
    assert unchecked.code == 0
    for result in (moved, missing, failing, slow, late, refused):
        assert result.err.count("\n") == 1, result.err  # one line
        assert "Traceback" not in result.err


def test_retries_and_rate_limit_options(sandbox: SandboxServer) -> None:
    with sandbox.faults(route="GET /todos/*", kind="status", status=503, times=2):
        retried, = run_all(["get", f"{port(sandbox)}/todos/2", "--retries", "3",
                            "--rate-limit", "20/s", "--deadline", "30"])
    assert retried.code == 0, retried.err
    assert json.loads(retried.out)["id"] == 2
    assert sandbox.stats()["routes"]["GET /todos/{id}"] == {"503": 2, "200": 1}


def test_secrets_from_the_environment_never_show(sandbox: SandboxServer) -> None:
    env = {"MY_TOKEN": DEFAULT_BEARER_TOKEN, "MY_KEY": DEFAULT_API_KEY, "BAD": "wrong-secret-77"}
    bearer, api_key, offline, wrong = run_all(
        ["get", f"{port(sandbox)}/profile", "--auth-env", "MY_TOKEN", "--auth-type",
         "bearer", "-v"],
        ["get", f"{port(sandbox)}/profile", "--auth-env", "MY_KEY", "-A", "api-key", "-v",
         "--pretty=all"],
        ["get", f"{port(sandbox)}/profile?api_key=x", "--auth-env", "MY_TOKEN", "-A", "bearer",
         "--offline"],
        ["get", f"{port(sandbox)}/profile", "--auth-env", "BAD", "-A", "bearer", "-v"],
        env=env,
    )
    assert bearer.code == 0, bearer.err
    assert "Authorization: [REDACTED]" in bearer.out
    assert "x-authenticated-by: bearer" in bearer.out
    assert api_key.code == 0, api_key.err
    assert "X-API-Key" in ANSI.sub("", api_key.out)
    assert "[REDACTED]" in api_key.out
    assert offline.code == 0
    assert "Authorization: [REDACTED]" in offline.out
    assert wrong.code == 4
    assert wrong.err.startswith("tether: Unauthorized: 401")
    for result in (bearer, api_key, offline, wrong):
        for secret in env.values():
            assert secret not in result.both
    missing = run("get", f"{port(sandbox)}/profile", "--auth-env", "NOT_SET_ANYWHERE")
    assert missing.code == 1
    assert "NOT_SET_ANYWHERE is not set" in missing.err


def test_paginate_streams_every_photo_as_one_line(sandbox: SandboxServer) -> None:
    piped, limited = run_all(
        ["get", f"{port(sandbox)}/photos", "_page==1", "_limit==100", "--paginate"],
        ["get", f"{port(sandbox)}/photos", "--paginate=offset:_start,_limit", "_start==0",
         "_limit==7", "--max-items", "10"],
    )
    assert piped.code == 0, piped.err
    assert piped.err == ""  # nothing extra when stderr is not a terminal
    lines = piped.out.splitlines()
    assert len(lines) == 5000
    assert [json.loads(line)["id"] for line in lines] == list(range(1, 5001))
    assert [json.loads(line)["id"] for line in limited.out.splitlines()] == list(range(1, 11))


def test_paginate_shows_progress_on_a_terminal(sandbox: SandboxServer) -> None:
    result = run_tty("get", f"{port(sandbox)}/photos", "offset==0", "limit==500",
                     "--paginate", stdout_tty=False, stderr_tty=True)
    assert result.code == 0, result.err
    assert len(result.out.splitlines()) == 5000
    assert "10 pages, 5000/5000 items" in ANSI.sub("", result.err)
