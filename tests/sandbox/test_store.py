"""The store's foreign-key indexes and the reads that use them (no server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tether.sandbox._resources import RESOURCES
from tether.sandbox._store import Store


@pytest.fixture
def store() -> Iterator[Store]:
    opened = Store(None, 3)
    yield opened
    opened.close()


def test_every_foreign_key_has_an_index_the_queries_use(store: Store) -> None:
    for name, spec in RESOURCES.items():
        if spec.parent is None:
            continue
        plan = store._conn.execute(
            f"EXPLAIN QUERY PLAN SELECT data FROM {name} "
            f"WHERE json_extract(data, '$.{spec.parent[0]}') IN (?, ?)", (1, 2)
        ).fetchall()
        assert f"USING INDEX {name}_{spec.parent[0]}" in str(plan), (name, plan)


@pytest.mark.parametrize("ids", [[7], [2, 9], [9, 2, 2], [], [10**6]])
def test_having_finds_what_a_scan_finds_in_id_order(store: Store, ids: list[int]) -> None:
    for name, spec in RESOURCES.items():
        if spec.parent is None:
            continue
        key = spec.parent[0]
        scanned = [item for item in store.all(name) if item[key] in ids]
        assert list(store.having(name, key, ids)) == scanned


def test_having_sees_writes_and_the_version_moves_with_them(store: Store) -> None:
    version = store.version
    created = store.create("comments", {"postId": 7, "name": "n", "email": "a@b.c",
                                        "body": "b"})
    assert store.version > version
    assert store.having("comments", "postId", [7])[-1] == created
    version = store.version
    store.delete("posts", 7)
    assert store.version > version
    assert store.having("comments", "postId", [7]) == ()


def test_reads_leave_the_version_alone(store: Store) -> None:
    version = store.version
    store.all("posts")
    store.having("posts", "userId", [1])
    store.recall("posts", "some-key")
    assert store.version == version


def test_a_database_file_from_before_the_indexes_gets_them(tmp_path: Path) -> None:
    path = str(tmp_path / "sandbox.db")
    first = Store(path, 1)
    first._conn.execute("DROP INDEX comments_postId")
    first.close()
    again = Store(path, 1)
    try:
        names = {row[0] for row in again._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "comments_postId" in names
    finally:
        again.close()
