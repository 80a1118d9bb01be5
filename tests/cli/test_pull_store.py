"""The pull stores: one transaction per page, items keyed by id, JSONL cut back to the last
recorded checkpoint."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tether.cli._pull_store import JSONLStore, PullState, SQLiteStore, StoreError, table_name

URL = "http://127.0.0.1:1/photos?_page=1"


def state(items: int, done: bool = False) -> PullState:
    return PullState(url=URL, checkpoint=f'{{"items":{items}}}', items=items, pages=items // 2,
                     done=done)


def test_a_page_stored_twice_adds_no_rows(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "p.db", "photos", "id")
    page = [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]
    store.commit(URL, page, state(2))
    store.commit(URL, [{"id": 2, "v": "b2"}, {"id": 3, "v": "c"}], state(4))
    store.commit(URL, [{"id": 2, "v": "b2"}, {"id": 3, "v": "c"}], state(4))
    assert store.ids() == [1, 2, 3]
    store.close()
    with sqlite3.connect(tmp_path / "p.db") as db:
        assert json.loads(db.execute("SELECT item FROM photos WHERE id = 2").fetchone()[0]) == {
            "id": 2, "v": "b2"}
    saved = SQLiteStore(tmp_path / "p.db", "photos", "id").state()
    assert saved == PullState(URL, '{"items":4}', 4, 2, False, "photos")


def test_an_item_without_an_id_fails_the_page_and_keeps_the_rest(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "p.db", "things", "id")
    store.commit(URL, [{"id": "a"}], state(1))
    with pytest.raises(StoreError, match="item 3 has no 'id' field"):
        store.commit(URL, [{"id": "b"}, {"name": "no id"}], state(3))
    assert store.ids() == ["a"]
    assert store.state() == PullState(URL, '{"items":1}', 1, 0, False, "things")


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("my notes")
    with pytest.raises(StoreError, match="is not a SQLite database"):
        SQLiteStore(path, "photos", "id").state()
    with pytest.raises(StoreError, match="--restart only replaces tether's own pulls"):
        SQLiteStore(path, "photos", "id").reset()
    assert path.read_text() == "my notes"


def test_jsonl_drops_lines_written_after_the_last_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    store = JSONLStore(path, "id")
    store.commit(URL, [{"id": 1}, {"id": 2}], state(2))
    store.close()
    # A page's lines reached the file, but the process died before its checkpoint did.
    with open(path, "ab") as file:
        file.write(b'{"id":3}\n{"id":4}\n{"id"')
    resumed = JSONLStore(path, "id")
    assert resumed.state() == PullState(URL, '{"items":2}', 2, 1, False)
    resumed.commit(URL, [{"id": 3}, {"id": 4}], state(4, done=True))
    resumed.close()
    assert path.read_text() == '{"id":1}\n{"id":2}\n{"id":3}\n{"id":4}\n'
    assert JSONLStore(path, "id").ids() == [1, 2, 3, 4]


def test_jsonl_without_a_sidecar_is_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text('{"id": 1}\n')
    with pytest.raises(StoreError, match="add --restart to overwrite it"):
        JSONLStore(path, "id").state()


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("http://h/photos", "photos"),
        ("http://h/albums/1/photos?_page=2", "photos"),
        ("http://h/api/v2/line-items/", "line_items"),
        ("http://h/", "items"),
        ("http://h/2024", "items_2024"),
        ("http://h/sqlite_master", "items_sqlite_master"),
    ],
)
def test_table_names(url: str, name: str) -> None:
    assert table_name(url) == name
