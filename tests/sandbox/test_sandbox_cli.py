"""``tether serve`` as a real subprocess: prints its URL when ready, serves, stops on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

_URL = re.compile(r"http://127\.0\.0\.1:\d+")


@contextmanager
def tether_serve(*args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``tether serve --port 0 ...`` and yield the URL it prints."""
    command = [sys.executable, "-c", "from tether.cli import main; main()", "serve",
               "--port", "0", *args]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = _URL.search(line)
        assert match, f"tether serve printed {line!r}"
        yield match.group(0)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0


def test_serve_prints_url_and_serves() -> None:
    with tether_serve() as url:
        assert httpx2.get(f"{url}/todos/1").json()["id"] == 1


def test_serve_credentials_from_environment() -> None:
    with tether_serve(env={"TETHER_SANDBOX_API_KEY": "from-env"}) as url:
        assert httpx2.get(f"{url}/profile", headers={"X-API-Key": "from-env"}).status_code == 200
        assert httpx2.get(f"{url}/profile", headers={"X-API-Key": "nope"}).status_code == 401


def test_db_file_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with tether_serve("--db", str(db)) as url:
        created = httpx2.post(f"{url}/todos",
                              json={"userId": 3, "title": "persist me", "completed": False})
        assert created.status_code == 201
        assert httpx2.delete(f"{url}/todos/5").status_code == 200
    with tether_serve("--db", str(db)) as url:
        assert httpx2.get(f"{url}/todos/201").json()["title"] == "persist me"
        assert httpx2.get(f"{url}/todos/5").status_code == 404
        assert len(httpx2.get(f"{url}/todos").json()) == 200


def test_bad_port_is_a_clear_error() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from tether.cli import main; main()", "serve", "--port", "70000"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "--port" in result.stderr + result.stdout




def test_port_in_use_is_a_clear_error() -> None:
    with tether_serve() as url:
        port = url.rsplit(":", 1)[1]
        result = subprocess.run(
            [sys.executable, "-c", "from tether.cli import main; main()", "serve",
             "--port", port],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_unusable_db_path_is_a_clear_error(tmp_path: Path) -> None:
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("hello, this is not SQLite" * 100)
    for path in (tmp_path / "missing-dir" / "x.db", not_a_db):
        result = subprocess.run(
            [sys.executable, "-c", "from tether.cli import main; main()", "serve",
             "--port", "0", "--db", str(path)],
            capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 1
        assert "cannot use" in result.stderr
        assert "Traceback" not in result.stderr
