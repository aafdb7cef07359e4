"""The durable spool: batches that InfluxDB could not take yet, on disk, oldest first.

SQLite in WAL mode with synchronous=FULL, so a batch is fsync'd before `put()` returns
and the collector may acknowledge its messages to the broker. One row per batch (the
lines as a JSON array: a string field may hold a newline); replay reads the oldest row
and deletes it only after InfluxDB accepted it (or its bad points were dead-lettered),
so a crash during replay re-writes a batch at worst, which is idempotent.

Bound: `max_points`. When a batch does not fit, `put()` returns False and the caller
keeps the messages unacknowledged, so they wait in the broker instead (nothing is
dropped here).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cangjing.durable import open_sqlite


@dataclass(frozen=True)
class SpooledBatch:
    id: int
    created: float
    lines: list[str]


_SCHEMA = ("CREATE TABLE IF NOT EXISTS batches (id INTEGER PRIMARY KEY AUTOINCREMENT, "
           "created REAL NOT NULL, points INTEGER NOT NULL, lines TEXT NOT NULL);")


class Spool:
    def __init__(self, path: Path, max_points: int) -> None:
        self.path = path
        self.max_points = max_points
        self._lock = threading.Lock()
        self._db = open_sqlite(path, _SCHEMA)
        self._depth = self._db.execute("SELECT COALESCE(SUM(points), 0) FROM batches").fetchone()[0]

    @property
    def depth(self) -> int:
        """Points held on disk."""
        return self._depth

    def put(self, lines: list[str]) -> bool:
        """Store a batch durably; False when it would exceed the bound."""
        if not lines:
            return True
        with self._lock:
            if self._depth + len(lines) > self.max_points:
                return False
            self._db.execute(
                "INSERT INTO batches (created, points, lines) VALUES (?, ?, ?)",
                (time.time(), len(lines), json.dumps(lines, ensure_ascii=False)),
            )
            self._depth += len(lines)
        return True

    def oldest(self) -> SpooledBatch | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, created, lines FROM batches ORDER BY id LIMIT 1"
            ).fetchone()
        if row is None:
            return None
        return SpooledBatch(row[0], row[1], json.loads(row[2]))

    def delete(self, batch: SpooledBatch) -> None:
        with self._lock:
            cur = self._db.execute("DELETE FROM batches WHERE id = ?", (batch.id,))
            if cur.rowcount:
                self._depth -= len(batch.lines)

    def close(self) -> None:
        with self._lock:
            self._db.close()
