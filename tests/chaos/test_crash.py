"""``kill -9`` in the middle of writes: the SQLite file stays intact, and every write the
sandbox acknowledged (a 201 reached the client) is there after a restart."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest

_URL = re.compile(r"http://127\.0\.0\.1:\d+")
WRITERS = 6


@contextmanager
def served(db: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tether", "serve", "--port", "0", "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        match = _URL.search(process.stdout.readline())
        assert match, "tether serve did not print its URL"
        yield match.group(0), process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


@pytest.mark.timeout(90)
def test_kill_9_mid_write_loses_no_acknowledged_write(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    acknowledged: list[tuple[int, str]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(number: int, url: str) -> None:
        with httpx2.Client(base_url=url, timeout=5) as client:
            for serial in range(10_000):
                if stop.is_set():
                    return
                title = f"crash {number}-{serial}"
                try:
                    response = client.post("/todos", json={"userId": 1, "title": title,
                                                           "completed": False})
                except httpx2.TransportError:
                    return  # the server died under this request: not acknowledged
                if response.status_code == 201:
                    with lock:
                        acknowledged.append((response.json()["id"], title))

    with served(db) as (url, process):
        threads = [threading.Thread(target=writer, args=(n, url)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while len(acknowledged) < 150 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)  # mid-write: the writers are still posting
        process.wait(10)
        stop.set()
        for thread in threads:
            thread.join(10)
    assert len(acknowledged) >= 50, "too few writes before the kill to prove anything"

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with served(db) as (url, _):
        todos = {todo["id"]: todo["title"] for todo in httpx2.get(f"{url}/todos").json()}
    missing = [(item, title) for item, title in acknowledged if todos.get(item) != title]
    assert missing == [], f"{len(missing)} acknowledged writes lost, e.g. {missing[:3]}"
