"""The InfluxQL of every panel, and how a panel chooses between raw data and rollups.

Raw or rollup: Grafana's InfluxQL editor cannot pick a measurement by the width of the time
range, so every environment plot has two targets that split the time axis, never overlapping:

    raw     "raw"."environment"          time >  now() - RAW_HORIZON
    rollup  "rollup"."environment_1h"    time <= now() - RAW_HORIZON

Both group by `$__interval`. A day's view reads raw points only; a year's view reads two
days of raw points and ~8,760 hourly rollups per sensor instead of ~1 M raw points. The
horizon is two days because the continuous query fills an hour once it is over (and
`cangjing.rollups.backfill` fills late data); the raw part always covers what the rollup
may not yet hold. Daily swing and light dose read the hourly rollup only (their own
max/min and hourly means are exact for those sums), see `daily_swing` and `light_dose`.
"""

from __future__ import annotations

from dataclasses import dataclass

RAW_HORIZON = "2d"
# Active alerts: an alert is active while its latest event in this window is not resolved.
# Alert events are written on every state change; a firing alert older than this with no
# later event is treated as lost (the alert engine re-reads its state from SQLite anyway).
ALERT_LOOKBACK = "30d"
# "Current" values on the overview: the latest reading of each sensor in this window; a zone
# whose sensors all fell silent for longer shows "no data", which is the right alarm.
CURRENT_WINDOW = "1h"
# Sensor health looks this far back for a sensor's last report (older: not listed).
LAST_SEEN_LOOKBACK = "30d"

ROLLUP_AGG = {"mean": "mean", "max": "max", "min": "min"}
SITE = "\"site\" = '$site'"
ZONE = "\"zone\" = '$zone'"
ZONES = '"zone" =~ /^$zone$/'


def _where(*conds: str) -> str:
    return " AND ".join(conds)


@dataclass(frozen=True)
class Query:
    """One InfluxQL statement of a panel; `alias` is Grafana's series name pattern."""

    text: str
    alias: str = ""
    table: bool = False


def environment(field: str, agg: str = "mean", *, zone: str = ZONE) -> list[Query]:
    """A field of `environment` per sensor: raw for recent time, hourly rollup before."""
    raw = (f'SELECT {agg}("{field}") FROM "raw"."environment" '
           f"WHERE {_where(SITE, zone, '$timeFilter', f'time > now() - {RAW_HORIZON}')} "
           'GROUP BY time($__interval), "sensor" fill(null)')
    rollup = (f'SELECT {agg}("{field}_{ROLLUP_AGG[agg]}") FROM "rollup"."environment_1h" '
              f"WHERE {_where(SITE, zone, '$timeFilter', f'time <= now() - {RAW_HORIZON}')} "
              'GROUP BY time($__interval), "sensor" fill(none)')
    return [Query(raw, "$tag_sensor"), Query(rollup, "$tag_sensor (1h)")]


def current(field: str, zone_id: str) -> Query:
    """A zone's current value: the mean of each sensor's latest reading (overview tiles)."""
    inner = (f'SELECT last("{field}") AS "v" FROM "raw"."environment" '
             f"WHERE {_where(SITE, _zone_is(zone_id), f'time > now() - {CURRENT_WINDOW}')} "
             'GROUP BY "sensor"')
    return Query(f'SELECT mean("v") FROM ({inner})')


def active_alert_count(zone_id: str) -> Query:
    """How many alerts of the zone are active (latest event per rule+sensor not resolved)."""
    inner = ('SELECT last("value") AS "value", "state" AS "st" FROM "alert" '
             f"WHERE {_where(SITE, _zone_is(zone_id), f'time > now() - {ALERT_LOOKBACK}')} "
             'GROUP BY "rule", "sensor"')
    return Query(f"SELECT count(\"value\") FROM ({inner}) WHERE \"st\" != 'resolved'")


def active_alerts_table() -> Query:
    """The latest event of every (zone, rule, sensor); the panel hides the resolved ones."""
    return Query(
        'SELECT last("value") AS "value", "limit", "state", "severity", "message" FROM "alert" '
        f"WHERE {_where(SITE, f'time > now() - {ALERT_LOOKBACK}')} "
        'GROUP BY "zone", "rule", "sensor"', table=True)


def alert_annotations(*, zone: str | None = ZONE) -> str:
    """Every alert event in the range, as an annotation (text: message; tags: rule, ...)."""
    conds = [SITE, *([zone] if zone else []), "$timeFilter"]
    return ('SELECT "message", "rule", "severity", "state", "sensor" FROM "alert" '
            f"WHERE {_where(*conds)}")


def daily_swing(quantity: str, tz: str) -> Query:
    """Max − min per sensor per local calendar day, from the hourly rollup's max and min."""
    return Query(
        f'SELECT max("{quantity}_max") - min("{quantity}_min") FROM "rollup"."environment_1h" '
        f"WHERE {_where(SITE, ZONE, '$timeFilter')} "
        f"GROUP BY time(1d), \"sensor\" fill(none) tz({_quote(tz)})", "$tag_sensor")


def light_dose() -> Query:
    """lx·h per light sensor over the panel's range: hourly mean lux × 1 h, summed."""
    return Query(
        'SELECT sum("illuminance_mean") FROM "rollup"."environment_1h" '
        f"WHERE {_where(SITE, ZONE, '$timeFilter')} GROUP BY \"sensor\"", "$tag_sensor")


PERIOD_1H = "\"period\" = '1h'"


def preservation(field: str, agg: str = "mean") -> Query:
    """An hourly metric of `preservation` (cangjing/conservation/continuous.py writes it)."""
    return Query(
        f'SELECT {agg}("{field}") FROM "preservation" '
        f"WHERE {_where(SITE, ZONE, PERIOD_1H, '$timeFilter')} "
        "GROUP BY time($__interval) fill(none)", field)


def twpi() -> Query:
    """TWPI over the panel's range: the harmonic mean of the hourly PI (equal weights, since
    every hour lasts as long), as IPI defines it (n / Σ 1/PI)."""
    inner = (f'SELECT 1 / "pi" AS "r" FROM "preservation" '
             f"WHERE {_where(SITE, ZONE, PERIOD_1H, '$timeFilter')}")
    return Query(f'SELECT count("r") / sum("r") AS "twpi" FROM ({inner})', "twpi")


def last_seen() -> Query:
    """Epoch ms of each sensor's last reading, as the gateway's sensor health reports it."""
    return Query(
        'SELECT last("last_seen") * 1000 AS "last_seen" FROM "sensor_health" '
        f"WHERE {_where(SITE, ZONES, f'time > now() - {LAST_SEEN_LOOKBACK}')} "
        'GROUP BY "zone", "sensor"', table=True)


def counter_increase(measurement: str, field: str, where: str, by: str, alias: str) -> Query:
    """Increase per interval of a cumulative counter (restarts to 0 are not negative)."""
    return Query(
        f'SELECT non_negative_difference(max("{field}")) FROM "{measurement}" '
        f"WHERE {_where(where, '$timeFilter')} GROUP BY time($__interval), {by} fill(none)",
        alias)


def pipeline_rate() -> Query:
    """Readings per second received and written, per service instance. The collector writes
    counts per metrics interval (collector/metrics.py): their sum over a bucket divided by the
    bucket's length is the rate, whatever the bucket (the panel's minimum interval is the
    metrics interval, so no bucket falls between two points)."""
    rate = 'sum("{0}") * 1000 / $__interval_ms AS "{0}"'
    return Query(
        f'SELECT {rate.format("received")}, {rate.format("written")} FROM "cangjing_pipeline" '
        f"WHERE {_where(SITE, '$timeFilter')} "
        'GROUP BY time($__interval), "service", "instance" fill(none)', "$tag_instance $col")


def pipeline_count(field: str) -> Query:
    """A per-interval count of `cangjing_pipeline` (e.g. dead-lettered), summed per bucket."""
    return Query(
        f'SELECT sum("{field}") FROM "cangjing_pipeline" '
        f"WHERE {_where(SITE, '$timeFilter')} "
        'GROUP BY time($__interval), "service", "instance" fill(none)', "$tag_instance")


def pipeline_gauge(field: str, agg: str = "max") -> Query:
    return Query(
        f'SELECT {agg}("{field}") FROM "cangjing_pipeline" '
        f"WHERE {_where(SITE, '$timeFilter')} "
        'GROUP BY time($__interval), "service", "instance" fill(none)', "$tag_instance")


def site_values() -> str:
    return 'SHOW TAG VALUES FROM "environment" WITH KEY = "site"'


def zone_values() -> str:
    return 'SHOW TAG VALUES FROM "environment" WITH KEY = "zone" WHERE "site" =~ /^$site$/'


def _zone_is(zone_id: str) -> str:
    return f'"zone" = {_quote(zone_id)}'


def _quote(value: str) -> str:
    # Ids are validated ([A-Za-z0-9_.-], see cangjing.config.types) and time zone names are
    # IANA names; quoting is still escaped so that nothing can end the literal.
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
