"""The deterministic data generator and the SQLite store (no server)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tether.sandbox import COUNTS, generate
from tether.sandbox._store import Store


def test_same_seed_same_data_other_seed_other_data() -> None:
    first = json.dumps(generate(1))
    assert json.dumps(generate(1)) == first
    assert json.dumps(generate(2)) != first


def test_counts_parents_and_shapes() -> None:
    data = generate(5)
    assert {name: len(items) for name, items in data.items()} == COUNTS
    assert [p["userId"] for p in data["posts"][9:11]] == [1, 2]
    assert [c["postId"] for c in data["comments"][4:6]] == [1, 2]
    assert [p["albumId"] for p in data["photos"][49:51]] == [1, 2]
    assert [t["userId"] for t in data["todos"][19:21]] == [1, 2]
    assert all(isinstance(t["completed"], bool) for t in data["todos"])
    assert len({u["username"] for u in data["users"]}) == 10
    for user in data["users"]:
        float(user["address"]["geo"]["lat"])
        assert -90 <= float(user["address"]["geo"]["lat"]) <= 90
    assert data["photos"][0]["url"].rsplit("/", 1)[1] == data["photos"][0][
        "thumbnailUrl"].rsplit("/", 1)[1]


def test_file_store_keeps_writes_and_uses_wal(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    store = Store(path, seed=1)
    created = store.create("posts", {"userId": 1, "title": "t", "body": "b"})
    store.close()
    again = Store(path, seed=1)
    assert again.get("posts", created["id"]) == created
    again.reset()
    assert again.get("posts", created["id"]) is None
    again.close()
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_reset_skips_reseeding_when_nothing_changed() -> None:
    store = Store(None, seed=1)
    before = store.all("todos")
    store.reset()
    assert store.all("todos") is before  # cache kept: no write, no reseed
    store.delete("todos", 1)
    store.reset()
    assert store.count("todos") == 200
