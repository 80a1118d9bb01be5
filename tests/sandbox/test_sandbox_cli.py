"""``tether serve`` as a real subprocess: prints its URL when ready, serves, stops on SIGTERM."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import httpx2

if TYPE_CHECKING:
    from conftest import TetherServe


def test_serve_prints_url_and_serves(tether_serve: TetherServe) -> None:
    with tether_serve() as (url, _):
        assert httpx2.get(f"{url}/todos/1").json()["id"] == 1


def test_serve_credentials_from_environment(tether_serve: TetherServe) -> None:
    with tether_serve(env={"TETHER_SANDBOX_API_KEY": "from-env"}) as (url, _):
        assert httpx2.get(f"{url}/profile", headers={"X-API-Key": "from-env"}).status_code == 200
        assert httpx2.get(f"{url}/profile", headers={"X-API-Key": "nope"}).status_code == 401


def test_db_file_survives_a_restart(tmp_path: Path, tether_serve: TetherServe) -> None:
    db = tmp_path / "sandbox.db"
    with tether_serve("--db", str(db)) as (url, _):
        created = httpx2.post(f"{url}/todos",
                              json={"userId": 3, "title": "persist me", "completed": False})
        assert created.status_code == 201
        assert httpx2.delete(f"{url}/todos/5").status_code == 200
    with tether_serve("--db", str(db)) as (url, _):
        assert httpx2.get(f"{url}/todos/201").json()["title"] == "persist me"
        assert httpx2.get(f"{url}/todos/5").status_code == 404
        assert len(httpx2.get(f"{url}/todos").json()) == 200


def test_seed_given_for_an_existing_db_is_reported_as_ignored(
    tmp_path: Path, tether_serve: TetherServe
) -> None:
    db = tmp_path / "sb.db"
    with tether_serve("--db", str(db)):
        pass
    with tether_serve("--db", str(db), "--seed", "5") as (url, out):
        note = out.readline().strip()
        assert note == (
            f"note: --seed 5 is ignored: {db} already holds data generated with seed 1, "
            "which is kept; POST /_sandbox/reset?seed=5 reseeds it"
        )
        assert httpx2.get(f"{url}/_sandbox/health").json()["seed"] == 1
        # Reset returns to the data the server announced, not to the ignored --seed.
        assert httpx2.post(f"{url}/_sandbox/reset").json()["seed"] == 1
        assert httpx2.post(f"{url}/_sandbox/reset", params={"seed": 5}).json()["seed"] == 5
    with tether_serve("--db", str(db), "--seed", "5") as (url, out):
        assert httpx2.get(f"{url}/_sandbox/health").json()["seed"] == 5


def test_start_up_line_names_the_db_and_its_seed(
    tmp_path: Path, tether_serve: TetherServe
) -> None:
    db = tmp_path / "new.db"
    with tether_serve("--db", str(db), "--seed", "3"):
        assert f"(data in {db}, seed 3); Ctrl-C stops it" in tether_serve.url_line
    with tether_serve("--db", str(db)):
        assert f"(data in {db}, seed 3); Ctrl-C stops it" in tether_serve.url_line


def test_bad_port_is_a_clear_error(tether_serve: TetherServe) -> None:
    result = tether_serve.run("--port", "70000")
    assert result.returncode != 0
    assert "--port" in result.stderr + result.stdout


def test_port_in_use_is_a_clear_error(tether_serve: TetherServe) -> None:
    with tether_serve() as (url, _):
        port = url.rsplit(":", 1)[1]
        result = tether_serve.run("--port", port)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "choose another --port, or --port 0 for a free one" in result.stderr
    assert "Traceback" not in result.stderr


def test_unusable_db_path_is_a_clear_error(tmp_path: Path, tether_serve: TetherServe) -> None:
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("hello, this is not SQLite" * 100)
    for path in (tmp_path / "missing-dir" / "x.db", not_a_db):
        result = tether_serve.run("--port", "0", "--db", str(path))
        # A path that cannot hold the database is bad input: usage error, exit code 2.
        assert result.returncode == 2
        message = " ".join(result.stderr.split())
        assert "Invalid value for --db: cannot use" in message
        assert "Traceback" not in result.stderr
