"""Writing batches to InfluxDB: which refusals are the points' fault, bisecting a batch to
find the bad points, and the backoff that says when InfluxDB may be tried again."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from cangjing.influx import InfluxClient, InfluxError

# 400 bad line / partial write (field type conflict), 413 body too large (split it),
# 422 the 2.x spelling of a partial write. 401/403/404 are the deployment's fault
# (credentials, a dropped database): the points are kept and retried, never dead-lettered.
POINT_STATUSES = frozenset({400, 413, 422})


def points_at_fault(exc: InfluxError) -> bool:
    return exc.status in POINT_STATUSES


@dataclass
class Rejected:
    index: int  # position in the batch given to write_splitting
    reason: str


def write_splitting(influx: InfluxClient, lines: list[str]) -> list[Rejected]:
    """Write `lines`; return the points InfluxDB refuses, each with its reason.

    A refused batch is bisected until the refused points stand alone, so k bad points in
    n cost about 2·k·log2(n) requests and the good points beside them are written (a
    re-write of points that a partial write already stored is idempotent). Raises
    InfluxError when InfluxDB is unreachable or refuses for a reason that is not the
    points' (5xx, auth): the caller keeps the batch."""
    rejected: list[Rejected] = []
    _write_range(influx, lines, 0, len(lines), rejected)
    return rejected


def _write_range(
    influx: InfluxClient, lines: list[str], lo: int, hi: int, rejected: list[Rejected]
) -> None:
    if lo >= hi:
        return
    try:
        influx.write("\n".join(lines[lo:hi]), precision="ns")
    except InfluxError as exc:
        if not points_at_fault(exc):
            raise
        if hi - lo == 1:
            rejected.append(Rejected(lo, str(exc)))
            return
        mid = (lo + hi) // 2
        _write_range(influx, lines, lo, mid, rejected)
        _write_range(influx, lines, mid, hi, rejected)


@dataclass
class Backoff:
    """When InfluxDB may be tried again: doubling waits with jitter, reset on success."""

    minimum: float
    maximum: float
    _delay: float = 0.0
    _next_try: float = 0.0
    _down_since: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def available(self) -> bool:
        return time.monotonic() >= self._next_try

    def seconds_until_available(self) -> float:
        return max(0.0, self._next_try - time.monotonic())

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def failed(self) -> bool:
        """Record a failure; True when this is the first one (InfluxDB just went away)."""
        with self._lock:
            self._delay = self.minimum if not self._delay else min(self._delay * 2, self.maximum)
            # Full jitter in [delay/2, delay]: several collectors do not retry in lockstep.
            self._next_try = time.monotonic() + self._delay * random.uniform(0.5, 1.0)
            first = self._down_since is None
            if first:
                self._down_since = time.monotonic()
            return first

    def succeeded(self) -> float | None:
        """Record a success; the outage's length when InfluxDB just came back."""
        with self._lock:
            since, self._down_since = self._down_since, None
            self._delay, self._next_try = 0.0, 0.0
        return None if since is None else time.monotonic() - since
