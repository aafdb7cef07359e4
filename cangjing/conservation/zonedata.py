"""A zone's climate from InfluxDB as zone-mean buckets (:class:`.periods.Bucket`).

Two sources of the same numbers:
- raw `environment`, averaged over all the zone's sensors per bucket (any bucket size);
- the hourly rollups `rollup."environment_1h"` (cangjing/rollups.py), which make a year
  cheap to read. Hours the rollups do not hold yet (continuous queries lag an interval,
  or never ran for data written after the fact) are read from the raw data instead.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..influx import InfluxClient
from ..rollups import ROLLUPS
from .periods import Bucket

HOUR_S = 3600
_ROLLUP_1H = next(name for name, every in ROLLUPS.items() if every == "1h")


def rfc3339(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _where(site: str, zone: str, start: float, end: float) -> str:
    # site and zone are validated ids (cangjing.config.types.Id): safe inside quotes.
    return (f"WHERE \"site\" = '{site}' AND \"zone\" = '{zone}' "
            f"AND time >= '{rfc3339(start)}' AND time < '{rfc3339(end)}'")


def _buckets(
    influx: InfluxClient, q: str, step_s: int, max_hold_s: float, end: float
) -> list[Bucket]:
    rows = [(float(ts), t, rh, lux) for series in influx.query(q, epoch="s")
            for ts, t, rh, lux in series.values
            if not (t is None and rh is None and lux is None)]
    out: list[Bucket] = []
    for i, (ts, t, rh, lux) in enumerate(rows):
        # A bucket's mean holds until the next bucket: sensors that report less often
        # than the bucket size leave empty buckets between theirs, and those are not gaps.
        # Longer than `max_hold_s` is a gap; the last bucket holds as long as the one before,
        # but not past the end of what was asked for.
        if i + 1 < len(rows):
            gap = rows[i + 1][0] - ts
        else:
            gap = min(ts - rows[i - 1][0] if i else step_s, end - ts)
        out.append(Bucket(ts, gap if step_s <= gap <= max_hold_s else float(step_s), t, rh, lux))
    return out


def raw_buckets(
    influx: InfluxClient, site: str, zone: str, start: float, end: float, step_s: int,
    max_hold_s: float = HOUR_S,
) -> list[Bucket]:
    """Zone means per `step_s` bucket of the raw readings in [start, end)."""
    if end <= start:
        return []
    q = ('SELECT mean("temperature"), mean("humidity"), mean("illuminance") '
         f'FROM "raw"."environment" {_where(site, zone, start, end)} '
         f"GROUP BY time({step_s}s) fill(none)")
    return _buckets(influx, q, step_s, max_hold_s, end)


def hourly_buckets(
    influx: InfluxClient, site: str, zone: str, start: float, end: float,
    max_hold_s: float = HOUR_S,
) -> list[Bucket]:
    """Zone means per hour in [start, end): rollups where they exist, raw after them."""
    if end <= start:
        return []
    q = ('SELECT mean("temperature_mean"), mean("humidity_mean"), mean("illuminance_mean") '
         f'FROM "rollup"."{_ROLLUP_1H}" {_where(site, zone, start, end)} '
         "GROUP BY time(1h) fill(none)")
    rolled = _buckets(influx, q, HOUR_S, max_hold_s, end)
    resume = rolled[-1].ts + HOUR_S if rolled else start
    return rolled + raw_buckets(influx, site, zone, resume, end, HOUR_S, max_hold_s)
