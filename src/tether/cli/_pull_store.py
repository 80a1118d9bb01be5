"""Where ``tether pull`` keeps what it fetched, so a pull killed anywhere resumes with every
item once.

SQLite (the default): one file holds one pull. The ``tether_pull`` table has one row: the
URL pulled, the items table's name, the checkpoint (``Checkpoint.to_json()``) and the
counts. The items table holds each item's id (primary key) and its JSON. Each page's items
and the checkpoint after it are written in one transaction, and items are upserted by id,
so a page fetched twice cannot add a row twice.

JSONL: the items file plus a sidecar, ``FILE.checkpoint.json``, holding the URL, the
checkpoint and the byte length of the items file that the checkpoint covers. A page's lines
are appended and synced to disk before the sidecar is replaced atomically (written aside,
synced, renamed). On resume the items file is first cut back to the recorded length, which
drops the lines of a page whose checkpoint never reached the disk; that page is fetched
again. So the file holds each item exactly once, without keeping ids in memory.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tether._errors import TetherError

__all__ = ["JSONLStore", "PullState", "SQLiteStore", "Store", "StoreError", "table_name"]

_META = "tether_pull"


class StoreError(TetherError):
    """The output file cannot hold this pull; the message says why and what to do."""


@dataclass(frozen=True)
class PullState:
    """What an output file says about the pull it holds."""

    url: str
    checkpoint: str
    items: int
    pages: int
    done: bool
    table: str | None = None
    """The SQLite table holding the items (``None`` for JSONL)."""


class Store(Protocol):
    """The operations ``tether pull`` needs from an output format."""

    path: Path

    def state(self) -> PullState | None:
        """The pull the file holds, or ``None`` when it holds none (or does not exist)."""

    def reset(self) -> None:
        """Forget the pull the file holds (``--restart``)."""

    def commit(self, url: str, items: list[Any], state: PullState) -> None:
        """Add one page's items and the state after them, atomically."""

    def ids(self) -> list[Any]:
        """The stored items' ids, in storage order (for verification)."""

    def close(self) -> None:
        """Release the file."""


def table_name(url: str) -> str:
    """A table name from the URL's last path segment: ``.../albums/1/photos`` -> ``photos``."""
    path = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    last = path.rsplit("/", 1)[-1] if "/" in path.split("://", 1)[-1] else ""
    name = re.sub(r"[^A-Za-z0-9_]", "_", last).strip("_")
    if not name or name[0].isdigit() or name.lower().startswith(("sqlite_", _META)):
        name = "items" if not name else f"items_{name}"
    return name


def _id_of(item: Any, id_path: str, position: int) -> Any:
    value: Any = item
    for part in id_path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise StoreError(
                f"item {position + 1} has no {id_path!r} field to key it by; name the id "
                "field with --id PATH, or write --format jsonl, which needs no ids"
            )
        value = value[part]
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise StoreError(
            f"item {position + 1}'s {id_path!r} is {json.dumps(value)[:40]}, not a string or "
            "number; name another id field with --id PATH"
        )
    return value


class SQLiteStore:
    """A pull in a SQLite file: the ``tether_pull`` row plus one items table."""

    def __init__(self, path: Path, table: str, id_path: str) -> None:
        self.path = path
        self.table = table
        self.id_path = id_path
        self._db: sqlite3.Connection | None = None

    def _read_only(self) -> sqlite3.Connection | None:
        if not self.path.exists():
            return None
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            db.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path} exists and is not a SQLite database ({exc}); choose another "
                "--out, or --format jsonl for a JSON-lines file"
            ) from None
        return db

    def state(self) -> PullState | None:
        db = self._read_only()
        if db is None:
            return None
        try:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if _META not in tables:
                if self.table in tables:
                    raise StoreError(
                        f"{self.path} already has a table {self.table!r} that tether did "
                        "not write; choose another --out or --table"
                    )
                return None
            row = db.execute(
                f"SELECT url, checkpoint, items, pages, done, items_table FROM {_META}"
            ).fetchone()
        finally:
            db.close()
        if row is None:
            return None
        return PullState(url=row[0], checkpoint=row[1], items=row[2], pages=row[3],
                         done=bool(row[4]), table=row[5])

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                db = sqlite3.connect(self.path, isolation_level=None)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open {self.path}: {exc}") from None
            db.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=FULL makes each committed page durable, so a power cut
            # cannot lose a page the checkpoint has moved past.
            db.execute("PRAGMA synchronous=FULL")
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {_META} (one INTEGER PRIMARY KEY CHECK (one = 1), "
                "url TEXT NOT NULL, items_table TEXT NOT NULL, id_path TEXT NOT NULL, "
                "checkpoint TEXT NOT NULL, items INTEGER NOT NULL, pages INTEGER NOT NULL, "
                "done INTEGER NOT NULL, updated_at TEXT NOT NULL)"
            )
            db.execute(
                f'CREATE TABLE IF NOT EXISTS "{self.table}" '
                "(id PRIMARY KEY NOT NULL, item TEXT NOT NULL)"
            )
            self._db = db
        return self._db

    def reset(self) -> None:
        self.close()
        if not self.path.exists():
            return
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            try:
                tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            except sqlite3.DatabaseError as exc:
                raise StoreError(
                    f"{self.path} is not a SQLite database ({exc}), and --restart only "
                    "replaces tether's own pulls; remove it or choose another --out"
                ) from None
            if _META not in tables:
                return
            row = db.execute(f"SELECT items_table FROM {_META}").fetchone()
            db.execute("BEGIN IMMEDIATE")
            if row is not None:
                db.execute(f'DROP TABLE IF EXISTS "{row[0]}"')
            db.execute(f"DROP TABLE {_META}")
            db.execute("COMMIT")
        finally:
            db.close()

    def commit(self, url: str, items: list[Any], state: PullState) -> None:
        db = self._connect()
        start = state.items - len(items)
        rows = [
            (_id_of(item, self.id_path, start + index), json.dumps(item, ensure_ascii=False))
            for index, item in enumerate(items)
        ]
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                f'INSERT INTO "{self.table}" (id, item) VALUES (?, ?) '
                "ON CONFLICT(id) DO UPDATE SET item = excluded.item",
                rows,
            )
            db.execute(
                f"INSERT INTO {_META} VALUES (1, ?, ?, ?, ?, ?, ?, ?, datetime('now')) "
                "ON CONFLICT(one) DO UPDATE SET checkpoint = excluded.checkpoint, "
                "items = excluded.items, pages = excluded.pages, done = excluded.done, "
                "updated_at = excluded.updated_at",
                (url, self.table, self.id_path, state.checkpoint, state.items, state.pages,
                 int(state.done)),
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def ids(self) -> list[Any]:
        return [r[0] for r in self._connect().execute(f'SELECT id FROM "{self.table}"')]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class JSONLStore:
    """A pull in a JSON-lines file plus its ``.checkpoint.json`` sidecar."""

    def __init__(self, path: Path, id_path: str) -> None:
        self.path = path
        self.sidecar = path.with_name(path.name + ".checkpoint.json")
        self.id_path = id_path
        self._file: Any = None

    def state(self) -> PullState | None:
        if not self.sidecar.exists():
            if self.path.exists() and self.path.stat().st_size > 0:
                raise StoreError(
                    f"{self.path} exists but has no {self.sidecar.name} beside it, so it is "
                    "not a tether pull that can be resumed; choose another --out, or add "
                    "--restart to overwrite it"
                )
            return None
        try:
            data = json.loads(self.sidecar.read_text(encoding="utf-8"))
            return PullState(url=data["url"], checkpoint=data["checkpoint"],
                             items=int(data["items"]), pages=int(data["pages"]),
                             done=bool(data["done"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                f"{self.sidecar} is unreadable ({exc!r}); add --restart to pull again"
            ) from None

    def _committed_bytes(self) -> int:
        try:
            return int(json.loads(self.sidecar.read_text(encoding="utf-8"))["bytes"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0

    def reset(self) -> None:
        self.close()
        self.sidecar.unlink(missing_ok=True)
        if self.path.exists():
            self.path.write_bytes(b"")

    def _open(self) -> Any:
        if self._file is None:
            self._file = open(self.path, "ab+")  # noqa: SIM115 (kept open across pages)
            # Lines written after the last recorded checkpoint belong to a page whose
            # checkpoint was never saved: drop them; that page is fetched again.
            self._file.truncate(self._committed_bytes())
            self._file.seek(0, os.SEEK_END)
        return self._file

    def commit(self, url: str, items: list[Any], state: PullState) -> None:
        file = self._open()
        file.write(b"".join(
            json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
            for item in items
        ))
        file.flush()
        os.fsync(file.fileno())
        record = {
            "url": url, "checkpoint": state.checkpoint, "items": state.items,
            "pages": state.pages, "done": state.done, "bytes": file.tell(),
            "id_path": self.id_path,
        }
        aside = self.sidecar.with_name(self.sidecar.name + ".tmp")
        with open(aside, "w", encoding="utf-8") as out:
            json.dump(record, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(aside, self.sidecar)

    def _lines(self) -> list[Any]:
        if not self.path.exists():
            return []
        with open(self.path, "rb") as file:
            return [json.loads(line) for line in file if line.strip()]

    def ids(self) -> list[Any]:
        return [
            _id_of(item, self.id_path, index) if isinstance(item, dict) else index
            for index, item in enumerate(self._lines())
        ]

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
