"""Limiter state in a SQLite file, so the processes of one machine share one quota.

Each reservation is one write transaction opened with ``BEGIN IMMEDIATE``: SQLite then
takes the database's write lock *before* reading, so two processes can never both read
the old state and both grant the same slot. The file uses WAL journaling so readers of
other tables are not blocked, and ``synchronous=NORMAL`` because losing the last few
milliseconds of limiter state in a power cut is harmless. Times are wall-clock seconds:
every process on the machine reads the same clock, and a file left from a previous run
holds times that are simply in the past.
"""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from tether._errors import ConfigurationError, ConfigurationTypeError
from tether._ratelimit._core import Slot, reserve
from tether._ratelimit._stores import Grant, check_callable, decode, encode, expiry

__all__ = ["SQLiteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tether_ratelimit (
    slot TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    expires REAL NOT NULL
)
"""


class SQLiteStore:
    """Share limiter state through a SQLite file.

    Example::

        store = tether.SQLiteStore("/var/tmp/api-quota.sqlite")
        client = tether.Client(rate_limit=tether.RateLimit("40/s", store=store))

    Every process that opens the same file with the same rates shares one quota.
    """

    blocking = True
    _SWEEP_EVERY = 1024

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        self.path = _check_path(path)
        check_callable("SQLiteStore", "clock", clock, default="time.time")
        self.clock = clock
        self._timeout = _check_timeout(timeout)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._calls = 0
        try:
            self._connect()
        except sqlite3.Error as exc:
            folder = os.path.dirname(os.path.abspath(self.path))
            hint = (
                f"the folder {folder!r} does not exist: create it first"
                if not os.path.isdir(folder)
                else "check that the file is a SQLite database this process may write"
            )
            raise ConfigurationError(
                f"SQLiteStore(path={self.path!r}): cannot open the database ({exc}); {hint}"
            ) from None

    def _connect(self) -> sqlite3.Connection:
        # A connection must not cross a fork; a child opens its own.
        if self._conn is None or self._pid != os.getpid():
            conn = sqlite3.connect(
                self.path, timeout=self._timeout, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def reserve(
        self, slots: Sequence[Slot], *, delay: float, cost: int, max_wait: float | None
    ) -> Grant | None:
        names = [slot.name for slot in slots]
        with self._transaction() as conn:
            marks = ",".join("?" * len(names))
            rows = dict(
                conn.execute(
                    f"SELECT slot, state FROM tether_ratelimit WHERE slot IN ({marks})", names
                ).fetchall()
            )
            states = [decode(rows.get(name)) for name in names]
            # The clock is read under the write lock so times only move forward.
            now = self.clock()
            granted = reserve(
                slots, states, now=now, not_before=now + delay, cost=cost, max_wait=max_wait
            )
            if granted is None:
                conn.execute("ROLLBACK")
                return None
            expires = expiry(slots, granted.states, now)
            token = tuple(
                (encode(new), encode(old)) for new, old in zip(granted.states, states, strict=True)
            )
            conn.executemany(
                "INSERT OR REPLACE INTO tether_ratelimit (slot, state, expires) VALUES (?, ?, ?)",
                [(name, new, expires) for name, (new, _) in zip(names, token, strict=True)],
            )
            self._calls += 1
            if self._calls % self._SWEEP_EVERY == 0:
                conn.execute("DELETE FROM tether_ratelimit WHERE expires < ?", (now,))
        return Grant(granted.at - now, granted.cause, token)

    def refund(self, slots: Sequence[Slot], grant: Grant) -> None:
        with self._transaction() as conn:
            for slot, (new, old) in zip(slots, grant.token, strict=True):
                if old:
                    conn.execute(
                        "UPDATE tether_ratelimit SET state = ? WHERE slot = ? AND state = ?",
                        (old, slot.name, new),
                    )
                else:
                    conn.execute(
                        "DELETE FROM tether_ratelimit WHERE slot = ? AND state = ?",
                        (slot.name, new),
                    )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that holds the database's write lock from its first read;
        committed at the end of the block unless the block rolled it back, rolled back
        on any error."""
        with self._lock:
            conn = self._connect()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                if conn.in_transaction:
                    conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"


def _check_path(path: object) -> str:
    """``path`` as text, refusing what is not a file path other processes could open too."""
    if isinstance(path, bytes) or not isinstance(path, str | os.PathLike):
        raise ConfigurationTypeError(
            f"SQLiteStore(path={path!r}): expected a file path such as 'quota.sqlite' (a "
            f"str or os.PathLike), got {type(path).__name__}"
        )
    text = os.fspath(path)
    if not isinstance(text, str):
        raise ConfigurationTypeError(
            f"SQLiteStore(path={path!r}): the path must be text, not bytes; pass a str "
            "such as 'quota.sqlite'"
        )
    if text in ("", ":memory:"):
        raise ConfigurationError(
            f"SQLiteStore(path={path!r}): this database lives in one process only, so it "
            "shares no quota; give a file path such as 'quota.sqlite', or use "
            "tether.MemoryStore() within one process"
        )
    return text


def _check_timeout(timeout: object) -> float:
    """``timeout`` in seconds, refusing what is not a usable wait for the file's lock."""
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        error: type[ConfigurationError] = ConfigurationTypeError
    elif 0 <= timeout < math.inf:
        return float(timeout)
    else:
        error = ConfigurationError
    raise error(
        f"SQLiteStore(timeout={timeout!r}): timeout must be a number of seconds >= 0 to "
        "wait for another process's lock on the file, such as 10.0"
    )
