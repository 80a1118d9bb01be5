"""The secrets audit: one run of everything that handles a credential, then a search of
everything it showed or wrote.

``tether serve`` runs as a real process with every credential set (environment and
flags); the sync and async clients talk to it in every auth mode, with right and wrong
credentials, through faults that make them retry and fail, with DEBUG logging on for
every logger; a paginated pull saves its checkpoint to a file and the client-side rate
limiter keeps its state in SQLite. Then the server's output, every log line, exception
text, note, repr and event, and every file written, are searched for each secret in
plain, Basic-encoded and URL-encoded form.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import re
import subprocess
import sys
import traceback
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

import tether

USERNAME = "audit-user"
CLIENT_ID = "audit-client"
SECRETS = {
    "api_key": "ak-7Q2m9X4c1v",
    "bearer_token": "bt-3Z8n5K0p6r",
    "password": "pw-9L1d4T7y2e",
    "client_secret": "cs-5R8w2H6j0u",
}
WRONG = ["wrong-ak-4F7g1", "wrong-bt-8V2k5", "wrong-pw-3N6q9", "wrong-cs-1M4z7"]
_URL = re.compile(r"http://127\.0\.0\.1:\d+")


def _needles(extra: list[str]) -> list[str]:
    found = []
    for secret in [*SECRETS.values(), *WRONG, *extra]:
        found += [secret, urllib.parse.quote(secret, safe="")]
        for user in (USERNAME, CLIENT_ID):
            found.append(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return found


class Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        if record.exc_info and record.exc_info[1] is not None:
            self.lines.extend(traceback.format_exception(record.exc_info[1]))


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


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    rules = tmp_path / "faults.yaml"
    rules.write_text(
        "rules:\n"
        "  - {route: 'GET /status/*', probability: 0.5, kind: reset}\n"
        "  - {route: 'GET /posts*', probability: 0.3, kind: status, status: 503}\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "TETHER_SANDBOX_TOKEN": SECRETS["bearer_token"],
        "TETHER_SANDBOX_USERNAME": USERNAME,
        "TETHER_SANDBOX_PASSWORD": SECRETS["password"],
        "TETHER_SANDBOX_CLIENT_ID": CLIENT_ID,
        "TETHER_SANDBOX_CLIENT_SECRET": SECRETS["client_secret"],
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tether", "serve", "--port", "0", "--db",
         str(tmp_path / "sandbox.db"), "--faults", str(rules), "--rate-limit", "1000/s",
         "--api-key", SECRETS["api_key"]],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = _URL.search(line)
    assert match, f"tether serve printed {line!r}"
    try:
        yield match.group(0), process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(10)


def _error_texts(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), *traceback.format_exception(error)]
    texts += getattr(error, "__notes__", [])
    request = getattr(error, "_request", None)
    if isinstance(request, httpx2.Request):
        texts += [repr(request), repr(request.headers)]
    for attempt in tether.attempts_of(error):
        texts += [repr(attempt), attempt.describe()]
    for name in ("body", "body_excerpt", "url"):
        texts.append(repr(getattr(error, name, None)))
    return texts


def _modes(url: str) -> list[tuple[Any, str, dict[str, Any]]]:
    def oauth(secret: str, **kwargs: Any) -> tether.OAuth2ClientCredentials:
        return tether.OAuth2ClientCredentials(f"{url}/oauth/token", CLIENT_ID, secret, **kwargs)

    return [
        (tether.APIKeyAuth(SECRETS["api_key"]), "/profile", {}),
        (tether.APIKeyAuth(WRONG[0]), "/profile", {}),
        (tether.APIKeyAuth(SECRETS["api_key"], location="query"), "/profile", {}),
        (tether.APIKeyAuth(SECRETS["api_key"], name="appid", location="query"),
         "/status/200", {}),
        (tether.BearerAuth(SECRETS["bearer_token"]), "/profile", {}),
        (tether.BearerAuth(WRONG[1]), "/profile", {}),
        (tether.BasicAuth(USERNAME, SECRETS["password"]), "/profile", {}),
        (tether.BasicAuth(USERNAME, WRONG[2]), "/profile", {}),
        (oauth(SECRETS["client_secret"]), "/profile", {}),
        (oauth(SECRETS["client_secret"], auth_method="client_secret_post"), "/profile", {}),
        (oauth(WRONG[3]), "/profile", {}),
        # Secrets typed into URLs and headers by hand, through faults that retry and fail.
        (None, "/status/503", {"params": {"api_key": SECRETS["api_key"]}, "deadline": 2}),
        (None, "/status/200", {"params": {"access_token": SECRETS["bearer_token"]}}),
        (None, "/profile", {"headers": {"Authorization": f"Bearer {WRONG[1]}"}}),
        (None, "/status/401", {"headers": {"X-API-Key": SECRETS["api_key"]}}),
    ]


def _client_kwargs(tmp_path: Path, events: list[tether.Event]) -> dict[str, Any]:
    return {
        "hooks": [events.append],
        "rate_limit": tether.RateLimit("500/s", store=tether.SQLiteStore(tmp_path / "rl.db")),
    }


def _sync_run(url: str, tmp_path: Path, shown: list[str], issued: list[str]) -> None:
    events: list[tether.Event] = []
    for auth, path, kwargs in _modes(url):
        with tether.Client(base_url=url, auth=auth, **_client_kwargs(tmp_path, events)) as client:
            shown.append(repr(client))
            try:
                response = client.get(path, **kwargs)
                shown += [repr(response), repr(response.request), repr(response.request.headers),
                          *(a.describe() for a in tether.attempts_of(response))]
            except httpx2.HTTPError as error:
                shown += _error_texts(error)
        shown.append(repr(auth))
        token = getattr(auth, "_token", None)
        if isinstance(token, str):
            issued.append(token)
    # A paginated pull with a key in the query, its checkpoint written to a file.
    auth = tether.APIKeyAuth(SECRETS["api_key"], location="query")
    with tether.Client(base_url=url, auth=auth, **_client_kwargs(tmp_path, events)) as client:
        pull = client.paginate("/comments", params={"_page": 1, "_limit": 50}, max_pages=3)
        items = list(pull)
        assert len(items) == 150
        (tmp_path / "checkpoint.json").write_text(pull.checkpoint.to_json(), encoding="utf-8")
        shown += [repr(pull), repr(pull.checkpoint)]
        resumed = client.paginate(checkpoint=tether.Checkpoint.from_json(
            (tmp_path / "checkpoint.json").read_text(encoding="utf-8")), max_pages=1)
        assert next(iter(resumed))["id"] == 151
    shown += [repr(event) for event in events] + [str(event) for event in events]


async def _async_run(url: str, tmp_path: Path, shown: list[str], issued: list[str]) -> None:
    events: list[tether.Event] = []
    for auth, path, kwargs in _modes(url):
        async with tether.AsyncClient(base_url=url, auth=auth,
                                      **_client_kwargs(tmp_path, events)) as client:
            try:
                response = await client.get(path, **kwargs)
                shown += [repr(response), repr(response.request), repr(response.request.headers)]
            except httpx2.HTTPError as error:
                shown += _error_texts(error)
        token = getattr(auth, "_token", None)
        if isinstance(token, str):
            issued.append(token)
    auth = tether.BearerAuth(SECRETS["bearer_token"])
    async with tether.AsyncClient(base_url=url, auth=auth,
                                  **_client_kwargs(tmp_path, events)) as client:
        pull = client.paginate("/photos", params={"page": 1, "per_page": 40}, max_pages=2)
        assert len([item async for item in pull]) == 80
        shown += [repr(pull), pull.checkpoint.to_json()]
    shown += [repr(event) for event in events]


TETHER = Path(sys.executable).with_name("tether")


def _cli_run(url: str, tmp_path: Path, shown: list[str]) -> None:
    """The command line in every auth mode, secrets from the environment, with ``-v``
    (request and response headers), a refused credential, ``--offline`` and a pull whose
    output file is searched with the rest."""
    env = {**os.environ, "AUDIT_TOKEN": SECRETS["bearer_token"],
           "AUDIT_KEY": SECRETS["api_key"], "AUDIT_BASIC": f"{USERNAME}:{SECRETS['password']}",
           "AUDIT_WRONG": WRONG[1], "NO_COLOR": "1"}
    port = url.rsplit(":", 1)[1]
    runs = [
        ["get", f":{port}/profile", "-v", "--auth-env", "AUDIT_TOKEN", "-A", "bearer"],
        ["get", f":{port}/profile", "-v", "--auth-env", "AUDIT_KEY", "-A", "api-key"],
        ["get", f":{port}/profile", "-v", "--auth-env", "AUDIT_BASIC"],
        ["get", f":{port}/profile", "-v", "--auth-env", "AUDIT_WRONG", "-A", "bearer"],
        ["post", f":{port}/posts", "-v", "--offline", "--auth-env", "AUDIT_TOKEN", "-A",
         "bearer", "title=audit"],
        ["get", f":{port}/status/503", "-v", "--retries", "1", "--auth-env", "AUDIT_KEY",
         "-A", "api-key"],
        ["pull", f":{port}/comments", "--out", str(tmp_path / "pull.sqlite"),
         "--auth-env", "AUDIT_TOKEN", "-A", "bearer"],
    ]
    outputs = []
    for args in runs:
        done = subprocess.run([str(TETHER), *args], capture_output=True, text=True, env=env,
                              timeout=60, check=False)
        outputs.append(done.stdout + done.stderr)
    # The runs reached the server and showed the headers they were asked to show.
    assert "Authorization: [REDACTED]" in outputs[0], outputs[0]
    assert "Unauthorized" in outputs[3], outputs[3]
    assert (tmp_path / "pull.sqlite").exists(), outputs[-1]
    shown += outputs


@pytest.mark.timeout(180)
def test_no_secret_is_shown_or_written_anywhere(
    served: tuple[str, subprocess.Popen[str]], tmp_path: Path, collector: Collector
) -> None:
    url, process = served
    shown: list[str] = []
    issued: list[str] = []
    _sync_run(url, tmp_path, shown, issued)
    asyncio.run(_async_run(url, tmp_path, shown, issued))
    if TETHER.exists():
        _cli_run(url, tmp_path, shown)
    process.terminate()
    server_output, _ = process.communicate(timeout=10)

    assert len(issued) >= 2, "the OAuth2 modes got no token: the audit proves less"
    assert len(collector.lines) > 50, "DEBUG logging captured too little to audit"
    assert "stopped" in server_output
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert {p.name for p in files} >= {"checkpoint.json", "sandbox.db", "rl.db", "pull.sqlite"}
    haystacks = {"server output": server_output, **{f"log {i}": line for i, line
                                                   in enumerate(collector.lines)}}
    haystacks |= {f"shown {i}": text for i, text in enumerate(shown)}
    for path in files:
        if path.name != "faults.yaml":
            haystacks[f"file {path.name}"] = path.read_bytes().decode("latin-1")
    for needle in _needles(issued):
        for where, text in haystacks.items():
            assert needle not in text, f"secret {needle[:5]}... found in {where}: {text[:300]}"


def test_the_audit_would_notice_a_leak(tmp_path: Path) -> None:
    # The search itself: a planted secret in any form is found.
    for form in _needles([])[:6]:
        assert any(needle in f"x {form} y" for needle in _needles([]))
