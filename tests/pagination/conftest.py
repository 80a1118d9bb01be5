"""Fixtures for the live pagination tests: a json-server 0.17 started from the npm registry."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

JSON_SERVER = "json-server@0.17.4"
STARTUP_SECONDS = 180.0
PHOTOS = 5000

# npm's words for "the registry cannot be reached"; anything else is a real failure.
_OFFLINE_SIGNS = (
    "ENOTFOUND",
    "EAI_AGAIN",
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "network",
    "proxy",
    "registry",
    "certificate",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _photos() -> list[dict[str, object]]:
    return [
        {
            "albumId": (n - 1) // 50 + 1,
            "id": n,
            "title": f"photo {n}",
            "url": f"https://via.placeholder.com/600/{n:06x}",
            "thumbnailUrl": f"https://via.placeholder.com/150/{n:06x}",
        }
        for n in range(1, PHOTOS + 1)
    ]


def _stop(process: subprocess.Popen[bytes]) -> None:
    # npx runs json-server in a child process; the whole group was started for this test.
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def json_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real json-server 0.17 serving 5,000 photos (``npx`` from the registry)."""
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("npx is not installed (Node.js missing): json-server tests need it")
    root: Path = tmp_path_factory.mktemp("json-server")
    (root / "db.json").write_text(json.dumps({"photos": _photos()}))
    log_path = root / "json-server.log"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [npx, "--yes", JSON_SERVER, "--port", str(port), "--host", "127.0.0.1", "db.json"],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                if httpx2.get(f"{url}/photos/1", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            output = log_path.read_text(errors="replace")
            exited = process.poll() is not None
            if exited or time.monotonic() > deadline:
                tail = output.strip()[-400:]
                if exited and not any(sign in output for sign in _OFFLINE_SIGNS):
                    pytest.fail(f"json-server exited with {process.returncode}: {tail}")
                pytest.skip(f"npm registry unreachable, json-server did not start: {tail}")
            time.sleep(0.25)
        yield url
    finally:
        _stop(process)
