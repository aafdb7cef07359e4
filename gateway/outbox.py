"""The durable store-and-forward queue: every reading is written here before it is sent.

SQLite in WAL mode with synchronous=FULL: a reading whose `put` returned is on disk and
survives SIGKILL and power loss. The row id is the reading's `seq` (AUTOINCREMENT never
reuses one, across restarts too), so the queue order is the publish order and receivers
can tell order and duplicates by `seq`. Rows are deleted only when the broker acknowledged
them (PUBACK); a restart republishes whatever is left, oldest first.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from cangjing.durable import open_sqlite

log = logging.getLogger(__name__)

Row = tuple[int, str, bytes]  # seq, topic, payload


_SCHEMA = ("CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
           " topic TEXT NOT NULL, payload BLOB NOT NULL);")


class OutboxError(OSError):
    """The queue's file cannot be opened or created; the message names it."""


class QueueFull(Exception):
    """The queue is at its bound and its policy is drop-newest."""


class Outbox:
    def __init__(self, path: Path, max_items: int, policy: str = "drop-oldest") -> None:
        self.path = path
        self.max_items = max_items
        self.policy = policy
        self.dropped = 0
        self._full_logged = False
        self._lock = threading.Lock()
        try:
            self._db = open_sqlite(path, _SCHEMA)
            self._depth = self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        except (OSError, sqlite3.Error) as exc:
            raise OutboxError(f"cannot open the store-and-forward queue {path}: {exc} "
                              "(CANGJING_DATA_DIR must be a writable directory)") from None
        self.added = threading.Event()  # set whenever a reading was put (wakes the forwarder)

    @property
    def depth(self) -> int:
        return self._depth

    def put(self, topic: str, payload_for: Callable[[int], bytes]) -> int:
        """Store a message; `payload_for(seq)` makes its payload with its queue seq.
        Raise QueueFull when full under drop-newest; under drop-oldest the oldest goes."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                if self._depth >= self.max_items:
                    self._on_full()
                    if self.policy == "drop-newest":
                        db.execute("ROLLBACK")
                        raise QueueFull(f"queue holds {self._depth} readings (queue_max)")
                    cur = db.execute("DELETE FROM outbox WHERE seq = (SELECT MIN(seq) FROM outbox)")
                    self._depth -= cur.rowcount
                seq = db.execute("INSERT INTO outbox(topic, payload) VALUES (?, x'')",
                                 (topic,)).lastrowid
                assert seq is not None
                db.execute("UPDATE outbox SET payload = ? WHERE seq = ?", (payload_for(seq), seq))
                db.execute("COMMIT")
            except QueueFull:
                raise
            except BaseException:
                db.execute("ROLLBACK")
                raise
            self._depth += 1
            if self._depth < self.max_items and self._full_logged:
                self._full_logged = False
        self.added.set()
        return seq

    def _on_full(self) -> None:
        self.dropped += 1
        if not self._full_logged:
            self._full_logged = True
            log.warning("store-and-forward queue full (%d readings, %s): %s", self._depth,
                        self.path, "dropping the oldest" if self.policy == "drop-oldest"
                        else "refusing new readings")

    def after(self, seq: int, limit: int) -> list[Row]:
        """Up to `limit` messages with seq > `seq`, oldest first."""
        with self._lock:
            return self._db.execute(
                "SELECT seq, topic, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
                (seq, limit)).fetchall()

    def remove(self, seqs: Iterable[int]) -> None:
        seqs = list(seqs)
        if not seqs:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            cur = self._db.executemany("DELETE FROM outbox WHERE seq = ?", [(s,) for s in seqs])
            self._db.execute("COMMIT")
            self._depth -= cur.rowcount

    def close(self) -> None:
        with self._lock:
            self._db.close()
