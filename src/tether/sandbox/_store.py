"""SQLite storage of the sandbox's resources.

One table per resource, ``(id INTEGER PRIMARY KEY, data TEXT)``, where ``data`` is the item's
JSON exactly as served, so ``GET /{res}/{id}`` sends stored text without decoding it. One
connection guarded by one lock serialises every read-modify-write (next id, merge on PATCH,
idempotency check then insert), which is what makes concurrent writers lose nothing.
An idempotency key remembers the id it created and is forgotten when that item is deleted:
ids are reused (max + 1, as json-server does), and a replay must never describe an item
that no longer exists.
List reads use a per-resource cache of decoded items, dropped by every write to that resource.
:attr:`Store.version` changes with every change of the items, so caches of answers built
from them know when they are stale.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
from collections.abc import Sequence
from typing import Any

import orjson

from tether._errors import TetherError
from tether.sandbox._data import generate
from tether.sandbox._json import dumps
from tether.sandbox._resources import MAX_ID, RESOURCES

__all__ = ["Item", "Store", "StoreError"]

Item = dict[str, Any]


@functools.lru_cache(maxsize=4)
def _seed_rows(seed: int) -> dict[str, tuple[tuple[int, str], ...]]:
    # Generating 5,900 items costs far more than inserting them; tests reset between every
    # test, so the encoded rows of a seed are kept.
    return {
        name: tuple((item["id"], dumps(item)) for item in items)
        for name, items in generate(seed).items()
    }


def _field(key: str) -> str:
    """The SQL expression of an item's top-level field ``key``; the same text in the index
    and in queries, or SQLite would not use the index."""
    if not key.isidentifier():
        raise ValueError(f"not a field name: {key!r}")
    return f"json_extract(data, '$.{key}')"


class StoreError(TetherError, RuntimeError):
    """The database cannot be opened or is not a sandbox database."""


class Store:
    """Thread-safe access to the resources in one SQLite database (file or memory)."""

    def __init__(self, path: str | None, seed: int) -> None:
        self._seed = seed
        self._lock = threading.RLock()
        self._cache: dict[str, tuple[Item, ...]] = {}
        self._dirty = True
        self._version = 0
        try:
            self._conn = sqlite3.connect(
                path or ":memory:", check_same_thread=False, isolation_level=None
            )
            if path:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
                self._conn.execute("PRAGMA busy_timeout=5000")
            with self._lock:
                self._create_tables()
                seeded = self._conn.execute(
                    "SELECT value FROM meta WHERE key='seed'"
                ).fetchone()
                if seeded is None:
                    self._seed_data(seed)
                else:
                    self._seed = int(seeded[0])
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot use {path!r} as the sandbox database ({exc}); give a writable "
                "file path, or leave --db out to keep data in memory"
            ) from None

    @property
    def version(self) -> int:
        """Changes whenever any item is created, replaced, deleted or reseeded (it is read
        before an answer is computed, so an answer cached under it is never newer)."""
        return self._version

    @property
    def seed(self) -> int:
        """Seed of the data generated last (the stored data may have changed since)."""
        return self._seed

    def _create_tables(self) -> None:
        statements = [
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS idempotency (resource TEXT NOT NULL, key TEXT NOT NULL,"
            " fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,"
            " location TEXT, item_id INTEGER, PRIMARY KEY (resource, key))",
        ]
        statements += [
            f"CREATE TABLE IF NOT EXISTS {name} (id INTEGER PRIMARY KEY, data TEXT NOT NULL)"
            for name in RESOURCES
        ]
        # Every foreign key is filtered on (GET /comments?postId=7, /posts/7/comments) and
        # followed by cascading deletes; both ask SQLite for exactly this expression.
        statements += [
            f"CREATE INDEX IF NOT EXISTS {name}_{spec.parent[0]} ON {name} "
            f"({_field(spec.parent[0])})"
            for name, spec in RESOURCES.items() if spec.parent is not None
        ]
        self._conn.execute("BEGIN")
        for statement in statements:
            self._conn.execute(statement)
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(idempotency)")}
        if "item_id" not in columns:  # a database written by an earlier version
            self._conn.execute("ALTER TABLE idempotency ADD COLUMN item_id INTEGER")
        self._conn.execute("COMMIT")

    def _seed_data(self, seed: int) -> None:
        rows = _seed_rows(seed)
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for name in RESOURCES:
                self._conn.execute(f"DELETE FROM {name}")
                self._conn.executemany(
                    f"INSERT INTO {name} (id, data) VALUES (?, ?)", rows[name]
                )
            self._conn.execute("DELETE FROM idempotency")
            self._conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('seed', ?)", (str(seed),)
            )
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._cache.clear()
        self._version += 1
        self._seed = seed
        self._dirty = False

    # -- lifecycle -------------------------------------------------------------------------

    def reset(self, seed: int | None = None) -> None:
        """Back to freshly generated data (and no remembered idempotency keys)."""
        seed = self._seed if seed is None else seed
        with self._lock:
            if self._dirty or seed != self._seed:
                self._seed_data(seed)

    def close(self) -> None:
        """Close the connection (a file database is checkpointed by SQLite)."""
        with self._lock:
            self._conn.close()

    # -- reads -----------------------------------------------------------------------------

    def get_raw(self, resource: str, item_id: int) -> str | None:
        """The stored JSON of one item, or ``None``."""
        if not 1 <= item_id <= MAX_ID:
            return None
        with self._lock:
            row = self._conn.execute(
                f"SELECT data FROM {resource} WHERE id = ?", (item_id,)
            ).fetchone()
        return None if row is None else str(row[0])

    def get(self, resource: str, item_id: int) -> Item | None:
        """One item decoded, or ``None``."""
        raw = self.get_raw(resource, item_id)
        return None if raw is None else dict(json.loads(raw))

    def exists(self, resource: str, item_id: int) -> bool:
        """Whether ``resource`` has an item with ``item_id``."""
        if not 1 <= item_id <= MAX_ID:
            return False
        with self._lock:
            row = self._conn.execute(
                f"SELECT 1 FROM {resource} WHERE id = ?", (item_id,)
            ).fetchone()
        return row is not None

    def all(self, resource: str) -> Sequence[Item]:
        """Every item of ``resource`` in id order. Shared cache: callers must not mutate."""
        with self._lock:
            cached = self._cache.get(resource)
            if cached is None:
                rows = self._conn.execute(f"SELECT data FROM {resource} ORDER BY id").fetchall()
                cached = tuple(json.loads(row[0]) for row in rows)
                self._cache[resource] = cached
            return cached

    def having(self, resource: str, key: str, values: Sequence[int]) -> tuple[Item, ...]:
        """The items of ``resource`` whose foreign key ``key`` (``"postId"``) is one of
        ``values``, in id order, found through the key's index; each a fresh copy."""
        if not values:
            return ()
        marks = ",".join("?" * len(values))
        with self._lock:
            rows = self._conn.execute(
                f"SELECT data FROM {resource} WHERE {_field(key)} IN ({marks}) ORDER BY id",
                tuple(values),
            ).fetchall()
        return tuple(orjson.loads(row[0]) for row in rows)

    def count(self, resource: str) -> int:
        """Number of items in ``resource``."""
        with self._lock:
            return int(self._conn.execute(f"SELECT COUNT(*) FROM {resource}").fetchone()[0])

    # -- writes ----------------------------------------------------------------------------

    def _changed(self, resource: str) -> None:
        self._cache.pop(resource, None)
        self._version += 1
        self._dirty = True

    def create(self, resource: str, item: Item) -> Item:
        """Store ``item`` under the next free id (max + 1) and return it with that id."""
        spec = RESOURCES[resource]
        with self._lock:
            next_id = int(
                self._conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {resource}").fetchone()[0]
            )
            stored = spec.order({**item, "id": next_id})
            self._conn.execute(
                f"INSERT INTO {resource} (id, data) VALUES (?, ?)", (next_id, dumps(stored))
            )
            self._changed(resource)
        return stored

    def replace(self, resource: str, item_id: int, item: Item) -> Item | None:
        """Replace the item ``item_id`` entirely; ``None`` if it does not exist."""
        spec = RESOURCES[resource]
        stored = spec.order({**item, "id": item_id})
        with self._lock:
            if not self.exists(resource, item_id):
                return None
            self._conn.execute(
                f"UPDATE {resource} SET data = ? WHERE id = ?", (dumps(stored), item_id)
            )
            self._changed(resource)
        return stored

    def delete(self, resource: str, item_id: int) -> bool:
        """Delete one item and, as json-server does, the items that belong to it (a user's
        posts, albums and todos, and their comments and photos); ``False`` if it did not
        exist. Orphans would still be listed while refusing writes that name their parent.
        """
        if not 1 <= item_id <= MAX_ID:
            return False
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                cursor = self._conn.execute(f"DELETE FROM {resource} WHERE id = ?", (item_id,))
                deleted = cursor.rowcount > 0
                if deleted:
                    self._changed(resource)
                    self._forget_keys(resource, [item_id])
                    self._delete_children(resource, [item_id])
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            return deleted

    def _delete_children(self, resource: str, ids: list[int]) -> None:
        """Delete, depth first, every item whose parent is one of ``ids`` in ``resource``."""
        for child in RESOURCES.values():
            if child.parent is None or child.parent[1] != resource:
                continue
            key = child.parent[0]
            marks = ",".join("?" * len(ids))
            found = [
                int(row[0])
                for row in self._conn.execute(
                    f"SELECT id FROM {child.name} WHERE {_field(key)} IN ({marks})",
                    ids,
                )
            ]
            if found:
                self._delete_children(child.name, found)
                self._conn.executemany(
                    f"DELETE FROM {child.name} WHERE id = ?", [(i,) for i in found]
                )
                self._changed(child.name)
                self._forget_keys(child.name, found)

    def _forget_keys(self, resource: str, ids: list[int]) -> None:
        """Forget the idempotency keys that created the items ``ids`` of ``resource``."""
        self._conn.executemany(
            "DELETE FROM idempotency WHERE resource = ? AND item_id = ?",
            [(resource, i) for i in ids],
        )

    @property
    def lock(self) -> threading.RLock:
        """The store's lock, for callers composing several operations atomically."""
        return self._lock

    # -- idempotency keys ------------------------------------------------------------------

    def recall(self, resource: str, key: str) -> tuple[str, int, str, str | None] | None:
        """``(fingerprint, status, body, location)`` remembered for ``key``, or ``None``."""
        with self._lock:
            row = self._conn.execute(
                "SELECT fingerprint, status, body, location FROM idempotency"
                " WHERE resource = ? AND key = ?",
                (resource, key),
            ).fetchone()
        if row is None:
            return None
        return str(row[0]), int(row[1]), str(row[2]), row[3]

    def remember(
        self, resource: str, key: str, fingerprint: str, status: int, body: str,
        location: str | None, item_id: int | None = None,
    ) -> None:
        """Remember the response sent for ``key`` so a repeated request gets it again, until
        the item ``item_id`` it created is deleted."""
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO idempotency"
                " (resource, key, fingerprint, status, body, location, item_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (resource, key, fingerprint, status, body, location, item_id),
            )
            self._dirty = True
