"""Rollups: hourly and daily mean/min/max of every environment field, per sensor, in the
`rollup` retention policy (kept forever), so that a year of the facility plots fast.

    rollup."environment_1h"   fields <field>_mean, <field>_min, <field>_max; tags site, zone, sensor
    rollup."environment_1d"   the same per day (UTC days)

Continuous queries keep them current on InfluxDB 1.x; `backfill()` computes them for data
written after the fact (an accelerated simulated year), and the collector calls
`backfill_late()` for readings it wrote after their window's query had run (replays).
On InfluxDB 2.x use a task with aggregateWindow() per field; on 3.x, a scheduled SQL query
or the processing engine (collector/README.md gives both).
"""

from __future__ import annotations

from datetime import UTC, datetime

from .influx import InfluxClient

FIELDS = ("temperature", "humidity", "illuminance", "uv", "battery", "dew_point")
ROLLUPS = {"environment_1h": "1h", "environment_1d": "1d"}
_INTERVAL_SECONDS = {"1h": 3600, "1d": 86400}


def _select(source: str, target: str, db: str) -> str:
    aggs = ", ".join(
        f'{fn}("{f}") AS "{f}_{fn}"' for f in FIELDS for fn in ("mean", "min", "max")
    )
    return f'SELECT {aggs} INTO "{db}"."rollup"."{target}" FROM "{db}"."raw"."{source}"'


def ensure_rollups(client: InfluxClient) -> None:
    """Create the continuous queries (idempotent)."""
    db = client.database
    existing = {
        row[0] for s in client.query("SHOW CONTINUOUS QUERIES") if s.name == db for row in s.values
    }
    for target, interval in ROLLUPS.items():
        name = f"cq_{target}"
        if name in existing:
            continue
        client.query(
            f'CREATE CONTINUOUS QUERY "{name}" ON "{db}" BEGIN '
            f"{_select('environment', target, db)} GROUP BY time({interval}), * END"
        )


def backfill(client: InfluxClient, start: datetime, end: datetime) -> None:
    """Compute the rollups for [start, end) from the raw data (idempotent: same points)."""
    for target in ROLLUPS:
        _backfill_one(client, target, start.timestamp(), end.timestamp())


def _backfill_one(client: InfluxClient, target: str, start: float, end: float) -> None:
    db = client.database
    lo, hi = (datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for t in (start, end))
    client.query(
        f"{_select('environment', target, db)} WHERE time >= '{lo}' AND time < '{hi}' "
        f"GROUP BY time({ROLLUPS[target]}), *"
    )


def backfill_late(client: InfluxClient, oldest: float, newest: float, now: float) -> list[str]:
    """Recompute the rollup windows that had already closed (their continuous query had run)
    when readings from them were written late: a spool replay after an outage, a gateway
    forwarding what it stored. Each rollup is recomputed over whole windows of its own
    (a partial day would overwrite a day's mean with part of it). Epoch seconds in;
    returns the rollups recomputed."""
    done = []
    for target, interval in ROLLUPS.items():
        step = _INTERVAL_SECONDS[interval]
        closed_before = now // step * step  # windows before this one are closed
        if oldest >= closed_before:
            continue
        start = oldest // step * step
        end = min(newest // step * step + step, closed_before)
        _backfill_one(client, target, start, end)
        done.append(target)
    return done
