"""Self-metrics: what the collector did in each interval, as a `cangjing_pipeline` point.

    cangjing_pipeline,instance=<id>,service=collector,site=<site>
        received=…i,written=…i,spooled=…i,dead_lettered=…i   counts in this interval
        spool_depth=…i                                        points on disk now
        write_latency_ms=…                                    mean InfluxDB write time
        lag_s=…                                               now − time of the newest
                                                              reading written (absent when
                                                              nothing was written)

Counts are per interval (not running totals) so that `sum()` over any time range and
over several instances gives the totals, across restarts.
"""

from __future__ import annotations

import threading
import time

from cangjing.lineprotocol import encode

MEASUREMENT = "cangjing_pipeline"
COUNTS = ("received", "written", "spooled", "dead_lettered")


class PipelineStats:
    """Counters shared by the collector's threads; `take_point()` reads and resets them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.totals = dict.fromkeys(COUNTS, 0)
        self._interval = dict.fromkeys(COUNTS, 0)
        self._latency_sum = 0.0
        self._latency_n = 0
        self._newest_written: float | None = None

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.totals[name] += n
            self._interval[name] += n

    def wrote(self, points: int, seconds: float, newest_epoch: float | None) -> None:
        with self._lock:
            self.totals["written"] += points
            self._interval["written"] += points
            self._latency_sum += seconds
            self._latency_n += 1
            if newest_epoch is not None:
                self._newest_written = max(self._newest_written or 0.0, newest_epoch)

    def take_point(self, site: str, instance: str, spool_depth: int) -> str:
        """The interval's point (line protocol), and start a new interval."""
        now = time.time()
        with self._lock:
            fields: dict[str, object] = dict(self._interval)
            if self._latency_n:
                fields["write_latency_ms"] = 1000.0 * self._latency_sum / self._latency_n
            if self._newest_written is not None:
                fields["lag_s"] = max(0.0, now - self._newest_written)
            self._interval = dict.fromkeys(COUNTS, 0)
            self._latency_sum, self._latency_n, self._newest_written = 0.0, 0, None
        fields["spool_depth"] = spool_depth
        tags = {"site": site, "service": "collector", "instance": instance}
        return encode(MEASUREMENT, tags, fields, time.time_ns())
