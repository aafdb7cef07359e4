"""Rebuild the rules' memory from InfluxDB (measurement `environment`, retention policy
`raw`) on start, so that the daily-swing, light-dose and mould rules are not blind after a
restart, and stale checks start from each sensor's last reading:

- swing windows: max and min per `swing.resolution` bucket over the last `swing.window`;
- light dose: hourly means since 1 January (site time zone), plus the last reading;
- mould index: hourly means over `mold.lookback`;
- last reading time per sensor.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from cangjing.config import Facility
from cangjing.influx import InfluxClient, InfluxError, Series

from .engine import AlertEngine
from .rules.light import LightDoseRule
from .rules.mold import MoldRule
from .rules.swing import SwingRule

log = logging.getLogger(__name__)


def _rule(engine: AlertEngine, kind: type) -> object | None:
    return next((r for r in engine.rules if isinstance(r, kind)), None)


def _query(influx: InfluxClient, select: str, where: str, tail: str) -> list[Series]:
    for source in ('"raw"."environment"', '"environment"'):
        try:
            return influx.query(f"{select} FROM {source} WHERE {where} {tail}", epoch="ms")
        except InfluxError as exc:
            if exc.unreachable:
                raise
            last = exc
    raise last


def rebuild(engine: AlertEngine, influx: InfluxClient, now: float) -> dict[str, int]:
    """Feed the history into the engine's rules; returns counts of what was rebuilt."""
    f: Facility = engine.facility
    site = f.site.id.replace("'", "")
    counts = {"swing_buckets": 0, "dose_sensors": 0, "mold_hours": 0, "last_seen": 0}
    s = f.alerts
    nanos = int(now * 1e9)
    swing = _rule(engine, SwingRule)
    if isinstance(swing, SwingRule) and s.swing.enabled:
        res = int(s.swing.resolution.total_seconds())
        since = nanos - int(s.swing.window.total_seconds() * 1e9)
        for series in _query(influx, 'SELECT max("temperature") AS tmax, min("temperature") AS '
                             'tmin, max("humidity") AS hmax, min("humidity") AS hmin',
                             f"\"site\" = '{site}' AND time > {since} AND time <= {nanos}",
                             f'GROUP BY time({res}s), "sensor" fill(none)'):
            sensor = series.tags.get("sensor", "")
            for row in series.records():
                t = row["time"] / 1000
                for quantity, hi, lo in (("temperature", "tmax", "tmin"),
                                         ("humidity", "hmax", "hmin")):
                    if row.get(hi) is not None:
                        swing.feed(sensor, quantity, t, float(row[hi]), s.swing)
                        swing.feed(sensor, quantity, t, float(row[lo]), s.swing)
                counts["swing_buckets"] += 1
    dose = _rule(engine, LightDoseRule)
    if isinstance(dose, LightDoseRule):
        local = datetime.fromtimestamp(now, UTC).astimezone(f.site.tz)
        year_start = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        since = int(year_start.timestamp() * 1e9)
        where = f"\"site\" = '{site}' AND time >= {since} AND time <= {nanos}"
        totals: dict[str, float] = {}
        for series in _query(influx, 'SELECT mean("illuminance")', where,
                             'GROUP BY time(1h), "sensor" fill(none)'):
            totals[series.tags.get("sensor", "")] = sum(
                float(r["mean"]) for r in series.records() if r["mean"] is not None)
        for series in _query(influx, 'SELECT last("illuminance")', where, 'GROUP BY "sensor"'):
            sensor = series.tags.get("sensor", "")
            row = series.records()[0]
            dose.seed(sensor, local.year, totals.get(sensor, 0.0), row["time"] / 1000,
                      float(row["last"]))
            counts["dose_sensors"] += 1
    mold = _rule(engine, MoldRule)
    if isinstance(mold, MoldRule):
        since = nanos - int(s.mold.lookback.total_seconds() * 1e9)
        for series in _query(influx, 'SELECT mean("temperature") AS t, mean("humidity") AS rh',
                             f"\"site\" = '{site}' AND time > {since} AND time <= {nanos}",
                             'GROUP BY time(1h), "sensor" fill(none)'):
            sensor = series.tags.get("sensor", "")
            for row in series.records():
                if row.get("t") is not None and row.get("rh") is not None:
                    mold.feed(sensor, row["time"] / 1000, float(row["t"]), float(row["rh"]),
                              s.mold.max_gap.total_seconds())
                    counts["mold_hours"] += 1
    longest = max((x.interval.total_seconds() for x in f.sensors), default=60.0)
    lookback = min(max(s.stale.intervals * longest * 4, 86400.0), 30 * 86400.0)
    since = nanos - int(lookback * 1e9)
    for series in _query(influx, "SELECT *", f"\"site\" = '{site}' AND time > {since}",
                         'GROUP BY "sensor" ORDER BY time DESC LIMIT 1'):
        sensor = series.tags.get("sensor", "")
        rows = series.records()
        if rows and sensor in engine.health.last_seen:
            last = min(rows[0]["time"] / 1000, now)
            if any(a.rule == "stale" and a.sensor == sensor for a in engine.lifecycle.active()):
                last = max(last, engine.health.last_seen[sensor])  # known from the state
            engine.health.last_seen[sensor] = last
            counts["last_seen"] += 1
    return counts
