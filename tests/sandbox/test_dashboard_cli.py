"""``tether serve`` and the dashboard: the URL at start-up, ``--open``, ``--admin-token``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx2

if TYPE_CHECKING:
    from conftest import TetherServe


def test_start_up_prints_the_dashboard_url(tether_serve: TetherServe) -> None:
    with tether_serve() as (url, out):
        assert out.readline().strip() == f"dashboard: {url}/_sandbox/ui"
        assert httpx2.get(f"{url}/_sandbox/ui").status_code == 200
        assert httpx2.get(f"{url}/_sandbox/stats").status_code == 200


def test_the_dashboard_line_comes_after_the_drill_line(tether_serve: TetherServe) -> None:
    with tether_serve("--rate-limit", "20/s") as (url, out):
        assert out.readline().startswith("faults: 0 rule(s)")
        assert out.readline().strip() == f"dashboard: {url}/_sandbox/ui"


def test_open_starts_the_default_browser_on_the_dashboard(
    tmp_path: Path, tether_serve: TetherServe
) -> None:
    opened = tmp_path / "opened.txt"
    fake_browser = tmp_path / "browser.py"
    fake_browser.write_text(
        "import sys, pathlib\n"
        f"pathlib.Path({str(opened)!r}).write_text(sys.argv[1])\n"
    )
    # Python's webbrowser module runs $BROWSER with %s replaced by the URL.
    env = {"BROWSER": f"{sys.executable} {fake_browser} %s"}
    with tether_serve("--open", env=env) as (url, out):
        out.readline()
        deadline = time.monotonic() + 10
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert opened.read_text() == f"{url}/_sandbox/ui"


def test_admin_token_guards_the_admin_routes(tether_serve: TetherServe) -> None:
    with tether_serve("--admin-token", "drill-token") as (url, out):
        line = out.readline().strip()
        assert line == f"dashboard: {url}/_sandbox/ui (the page asks for the admin token)"
        assert "drill-token" not in line
        refused = httpx2.get(f"{url}/_sandbox/stats")
        assert refused.status_code == 401
        assert "Authorization: Bearer" in refused.json()["message"]
        allowed = httpx2.get(f"{url}/_sandbox/stats",
                             headers={"Authorization": "Bearer drill-token"})
        assert allowed.status_code == 200
        assert httpx2.get(f"{url}/todos/1").status_code == 200  # the API stays open


def test_admin_token_from_the_environment(tether_serve: TetherServe) -> None:
    env = {"TETHER_SANDBOX_ADMIN_TOKEN": "env-token"}
    with tether_serve(env=env) as (url, _):
        assert httpx2.get(f"{url}/_sandbox/limits").status_code == 401
        headers = {"Authorization": "Bearer env-token"}
        assert httpx2.get(f"{url}/_sandbox/limits", headers=headers).status_code == 200


def test_an_empty_admin_token_is_refused(tether_serve: TetherServe) -> None:
    result = tether_serve.run("--admin-token", " ")
    assert result.returncode == 2
    assert "--admin-token" in result.stderr
    assert "must not be empty" in result.stderr


def test_listening_beyond_loopback_generates_a_token(tether_serve: TetherServe) -> None:
    # Binding every interface is only listening; every request here goes to 127.0.0.1.
    with tether_serve("--host", "0.0.0.0") as (url, out):
        line = out.readline().strip()
        prefix = f"dashboard: {url}/_sandbox/ui#token="
        assert line.startswith(prefix), line
        token = line[len(prefix):].split(" ", 1)[0]
        assert len(token) >= 20
        assert f"(admin token {token}, generated" in line
        assert httpx2.get(f"{url}/_sandbox/stats").status_code == 401
        headers = {"Authorization": f"Bearer {token}"}
        assert httpx2.get(f"{url}/_sandbox/stats", headers=headers).status_code == 200
