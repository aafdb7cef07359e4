"""Persisted state (SQLite under CANGJING_DATA_DIR): alerts (active and recent history)
and silences, so that a restart neither pages again nor forgets what is firing or silenced.
"""

from __future__ import annotations

import threading
from pathlib import Path

from cangjing.durable import open_sqlite

from .events import Alert, State
from .silences import Silence

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY, state TEXT NOT NULL, zone TEXT NOT NULL, updated REAL NOT NULL,
    doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alerts_state ON alerts(state);
CREATE TABLE IF NOT EXISTS silences (
    id TEXT PRIMARY KEY, zone TEXT NOT NULL, sensor TEXT, starts REAL NOT NULL,
    ends REAL NOT NULL, reason TEXT NOT NULL, created_by TEXT NOT NULL);
"""


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        # NORMAL: a power cut may lose the last state change, never the file; at worst an
        # alert is paged once more after restart, never once less.
        self._db = open_sqlite(path, _SCHEMA, fsync_each_commit=False)

    def save(self, alert: Alert, now: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO alerts(id, state, zone, updated, doc) VALUES (?,?,?,?,?)",
                (alert.id, alert.state.value, alert.zone, now, alert.to_record()))

    def active(self) -> list[Alert]:
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM alerts WHERE state != ? ORDER BY updated",
                (State.resolved.value,)).fetchall()
        return [Alert.from_record(r[0]) for r in rows]

    def recent(self, since: float) -> list[Alert]:
        """Every alert changed since `since` (epoch seconds), newest first."""
        with self._lock:
            rows = self._db.execute("SELECT doc FROM alerts WHERE updated >= ? "
                                    "ORDER BY updated DESC", (since,)).fetchall()
        return [Alert.from_record(r[0]) for r in rows]

    def prune(self, before: float) -> None:
        with self._lock:
            self._db.execute("DELETE FROM alerts WHERE state = ? AND updated < ?",
                             (State.resolved.value, before))
            self._db.execute("DELETE FROM silences WHERE ends < ?", (before,))

    def add_silence(self, s: Silence) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO silences VALUES (?,?,?,?,?,?,?)",
                             (s.id, s.zone, s.sensor, s.starts, s.ends, s.reason, s.created_by))

    def silences(self) -> list[Silence]:
        with self._lock:
            rows = self._db.execute("SELECT id, zone, starts, ends, reason, created_by, sensor "
                                    "FROM silences ORDER BY starts").fetchall()
        return [Silence(*r) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
