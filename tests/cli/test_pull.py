"""``tether pull`` killed with SIGKILL at random points, then rerun: every item is stored
exactly once, also against a server failing 10% of requests under a rate limit."""

from __future__ import annotations

import hashlib
import json
import random
import re
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
from tests.cli._run import finish, run, run_all, run_tty, start

from tether.sandbox import SandboxServer

KILLS = 3


def all_photos(server: SandboxServer) -> list[dict[str, Any]]:
    photos: list[dict[str, Any]] = []
    for start_at in range(0, 5000, 1000):
        response = httpx2.get(f"{server.url}/photos",
                              params={"_start": start_at, "_limit": 1000})
        photos += response.json()
    return photos


def sqlite_pages(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            row = db.execute("SELECT pages FROM tether_pull").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0]) if row else 0


def jsonl_pages(path: Path) -> int:
    sidecar = path.with_name(path.name + ".checkpoint.json")
    try:
        return int(json.loads(sidecar.read_text())["pages"])
    except (OSError, ValueError, KeyError):
        return 0


def kill_repeatedly(args: list[str], pages: Callable[[], int], seed: int) -> list[int]:
    """Start the pull, SIGKILL it at a random moment after it stored another page, KILLS
    times; returns the pages stored at each kill."""
    rng = random.Random(seed)
    at_kill: list[int] = []
    for _ in range(KILLS):
        before = pages()
        process = start(*args)
        deadline = time.monotonic() + 30
        while pages() <= before and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.25))
        if process.poll() is not None:
            result = finish(process)
            raise AssertionError(f"the pull ended before it was killed: {result}")
        process.kill()
        process.wait(timeout=10)
        at_kill.append(pages())
    return at_kill


def test_sigkilled_sqlite_pull_resumes_with_every_item_once(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    out = tmp_path / "photos.db"
    args = ["pull", f"{sandbox.url}/photos", "_page==1", "_limit==25", "--out", str(out)]
    with sandbox.faults(route="GET /photos", kind="latency", delay="5ms"):
        at_kill = kill_repeatedly(args, lambda: sqlite_pages(out), seed=13)
        with sqlite3.connect(out) as db:
            # Each kill left the items and the checkpoint in step: one transaction per page.
            stored, recorded = db.execute(
                "SELECT (SELECT count(*) FROM photos), items FROM tether_pull").fetchone()
            assert stored == recorded == sqlite_pages(out) * 25
        # Ctrl-C: the page being stored is rolled back, and the pull says how to resume.
        before = sqlite_pages(out)
        process = start(*args)
        deadline = time.monotonic() + 30
        while sqlite_pages(out) <= before and process.poll() is None:
            assert time.monotonic() < deadline, "the pull made no progress"
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        interrupted = finish(process)
        assert interrupted.code == 130, interrupted
        assert "interrupted; " in interrupted.err
        assert "run the same command again to resume" in interrupted.err
        assert "Traceback" not in interrupted.err
        final = run(*args)
    assert final.code == 0, final.err
    assert at_kill == sorted(at_kill), at_kill
    assert 0 < at_kill[0] <= at_kill[-1] < 200, at_kill
    assert "pulled 5000 items in 200 pages" in final.err
    with sqlite3.connect(out) as db:
        rows = db.execute("SELECT id, item FROM photos ORDER BY id").fetchall()
        meta = db.execute("SELECT done, items, pages FROM tether_pull").fetchone()
    assert [row[0] for row in rows] == list(range(1, 5001))
    assert [json.loads(row[1]) for row in rows] == all_photos(sandbox)
    assert meta == (1, 5000, 200)


def test_sigkilled_jsonl_pull_survives_faults_and_a_rate_limit(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    out = tmp_path / "photos.jsonl"
    args = ["pull", f"{sandbox.url}/photos", "offset==0", "limit==50", "--out", str(out)]
    with sandbox.faults(route="GET /photos", probability=0.1, kind="status", status=503), \
            sandbox.limits("40/s"):
        kill_repeatedly(args, lambda: jsonl_pages(out), seed=7)
        final = run(*args)
    assert final.code == 0, final.err
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == list(range(1, 5001))
    assert [json.loads(line) for line in lines] == all_photos(sandbox)
    seen = sandbox.stats()["routes"]["GET /photos"]
    assert seen.get("503", 0) > 0, seen  # the faults were met, and ridden out


def test_refuses_another_urls_file_and_reruns_of_a_finished_pull(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    db = tmp_path / "data.db"
    first = run("pull", f"{sandbox.url}/posts", "_page==1", "_limit==30", "--out", str(db))
    assert first.code == 0, first.err
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    requests_before = sandbox.stats()["total"]
    again, other, concurrent = run_all(
        ["pull", f"{sandbox.url}/posts", "_page==1", "_limit==30", "--out", str(db)],
        ["pull", f"{sandbox.url}/comments", "--out", str(db)],
        ["pull", f"{sandbox.url}/photos", "page==1", "per_page==100", "--concurrency", "4",
         "--out", str(tmp_path / "photos.jsonl")],
    )
    assert again.code == 0
    assert "already holds the complete pull" in again.err
    assert other.code == 1
    assert other.err.startswith(f"tether: --out: {db} holds a pull of http://127.0.0.1:")
    assert "add --restart to replace it" in other.err
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest  # nothing written
    assert concurrent.code == 0, concurrent.err
    lines = (tmp_path / "photos.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == list(range(1, 5001))
    # Only the concurrent photo pull sent requests.
    routes = sandbox.stats()["routes"]
    assert sandbox.stats()["total"] - requests_before == sum(routes["GET /photos"].values())

    restarted = run("pull", f"{sandbox.url}/comments", "_page==1", "_limit==100",
                    "--out", str(db), "--restart")
    assert restarted.code == 0, restarted.err
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert conn.execute("SELECT count(DISTINCT id) FROM comments").fetchone() == (500,)
    assert "posts" not in tables


def test_progress_bar_on_a_terminal_and_nothing_written_on_a_failed_start(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    shown = run_tty("pull", f"{sandbox.url}/comments", "_page==1", "_limit==50", "--out",
                    str(tmp_path / "c.db"), stdout_tty=False, stderr_tty=True)
    assert shown.code == 0, shown.err
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.err)
    assert "500/500 items" in text
    assert "10 pages" in text
    assert "req/s" in text
    assert "0 retries" in text
    assert "rate-limited (429)" in text
    assert "ETA" in text

    missing = run("pull", f"{sandbox.url}/nothing-here", "--out", str(tmp_path / "n.db"))
    assert missing.code == 4
    assert missing.err.startswith("tether: NotFound: 404 Not Found for GET ")
    assert not (tmp_path / "n.db").exists()
