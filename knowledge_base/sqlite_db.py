"""SQLite plumbing shared by the article store and the bot service's store."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def open_database(path: Path | str, schema: str) -> sqlite3.Connection:
    """Open (creating folders and tables) a database in WAL mode with durable commits.

    WAL lets other processes read while one writes; ``synchronous=FULL`` makes a
    committed transaction survive a power cut. Transactions are explicit
    (:func:`transaction`), so the connection runs in autocommit mode.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), check_same_thread=False, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(schema)
    return db


@contextmanager
def transaction(db: sqlite3.Connection, lock: threading.RLock) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the write lock at once and rolls back on any error."""
    with lock:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
