"""The SQLite files the services keep their state in (gateway outbox, collector spool,
alert state): WAL mode, one connection shared by the service's threads (they lock)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_sqlite(path: Path, schema: str, *, fsync_each_commit: bool = True) -> sqlite3.Connection:
    """Open (creating the folder and the tables) a SQLite file in WAL mode, autocommit.

    fsync_each_commit=True (synchronous=FULL): a commit that returned survives power loss;
    the store-and-forward queues need that. False (NORMAL) may lose the last commits on
    power loss but never corrupts the file: enough for state that can be rebuilt."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={'FULL' if fsync_each_commit else 'NORMAL'}")
    db.executescript(schema)
    return db
