"""A simulated year of a facility, written straight into InfluxDB as line protocol.

Not a physics simulation (firmware_sim is that): plausible values at a chosen cadence
(`Cadence`), enough to prove that every dashboard query finds its data in the right units
and to time the queries over a year. Every measurement the dashboards read gets data:
`environment` (then `rollups.backfill`), `alert`, `cangjing_pipeline`, `sensor_health`,
`preservation`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cangjing.config import Facility
from cangjing.config.sensors import Decoder, Sensor, Transport
from cangjing.config.zones import Zone
from cangjing.conservation import dew_point, preservation_index
from cangjing.influx import InfluxClient
from cangjing.lineprotocol import encode
from cangjing.rollups import backfill

from .common import measures_light, measures_uv

HOUR = 3600
BATCH = 10_000


@dataclass(frozen=True)
class Cadence:
    """How densely each measurement is written. `environment` is written every `step` s,
    and every `dense_step` s over the last `dense_days` (what the raw targets read)."""

    step: int = HOUR
    dense_days: float = 0
    dense_step: int = HOUR
    preservation: int = HOUR
    sensor_health: int = 3 * HOUR
    pipeline: int = 600

    def times(self, start: int, end: int, step: int) -> list[int]:
        """Instants from `start` to `end` (inclusive, `end` always present) every `step` s."""
        return list(range(end, start - 1, -step))[::-1]

    def environment_times(self, start: int, end: int) -> list[int]:
        split = end - int(self.dense_days * 86400)
        old = [t for t in self.times(start, split, self.step) if t < split]
        return old + self.times(split, end, self.dense_step)


TEST_CADENCE = Cadence(step=4 * HOUR, dense_days=7, dense_step=HOUR, preservation=4 * HOUR,
                       sensor_health=12 * HOUR, pipeline=HOUR)
REAL_CADENCE = Cadence(step=HOUR, dense_days=2, dense_step=30, preservation=HOUR,
                       sensor_health=HOUR, pipeline=600)


@dataclass
class YearWritten:
    start: datetime
    end: datetime
    points: dict[str, int] = field(default_factory=dict)
    active_alerts: dict[str, int] = field(default_factory=dict)  # zone -> expected count


def zone_climate(zone: Zone, ts: float, day_of_year: float) -> tuple[float, float]:
    """A zone's temperature and RH at `ts`: inside its limits, with season and day."""
    lim = zone.effective_limits()
    t_lo, t_hi = lim.temperature.min or 16.0, lim.temperature.max or 24.0
    rh_lo, rh_hi = lim.humidity.min or 0.0, lim.humidity.max or 60.0
    rh_mid = (rh_lo + rh_hi) / 2 if rh_hi - rh_lo <= 20 else rh_hi - 8
    season = math.sin(2 * math.pi * (day_of_year - 110) / 365)
    daily = math.sin(2 * math.pi * ((ts / HOUR) % 24 - 8) / 24)
    t = (t_lo + t_hi) / 2 + 1.2 * season + 0.3 * daily
    rh = rh_mid + 2.0 * season + 1.0 * daily
    return t, rh


def _light(rng: random.Random, zone: Zone, local_hour: int, weekday: int) -> float:
    lit = 9 <= local_hour < 17 and weekday < 5 and rng.random() < 0.2
    return round(rng.uniform(0.4, 0.9) * zone.effective_limits().illuminance_max, 1) if lit else 0.0


def _uv(rng: random.Random, zone: Zone, lux: float) -> float:
    """UV relative to light in µW/lm (not scaled with lux: a ratio, the light source's UV
    content): below the zone's `uv_max` while lit, 0 in the dark (as the transmitters and
    firmware_sim report it)."""
    return round(rng.uniform(0.2, 0.8) * zone.effective_limits().uv_max, 1) if lux > 0 else 0.0


def _has_battery(sensor: Sensor) -> bool:
    return sensor.transport is Transport.mqtt and sensor.decoder is Decoder.cangjing_json


def environment_lines(facility: Facility, times: list[int], rng: random.Random):
    site, tz = facility.site.id, facility.site.tz
    start, end = times[0], times[-1]
    offsets = {s.id: (rng.uniform(-0.4, 0.4), rng.uniform(-1.5, 1.5)) for s in facility.sensors}
    for ts in times:
        local = datetime.fromtimestamp(ts, tz)
        doy = local.timetuple().tm_yday
        for s in facility.sensors:
            zone = facility.zone(s.zone)
            t, rh = zone_climate(zone, ts, doy)
            dt, drh = offsets[s.id]
            fields: dict[str, float] = {}
            if s.transport is not Transport.modbus or s.profile not in ("lux", "uv"):
                fields["temperature"] = round(t + dt + rng.gauss(0, 0.1), 2)
                fields["humidity"] = round(rh + drh + rng.gauss(0, 0.3), 2)
                fields["dew_point"] = round(dew_point(fields["temperature"], fields["humidity"]),
                                            3)
            if measures_light(s):
                fields["illuminance"] = _light(rng, zone, local.hour, local.weekday())
                if measures_uv(s):
                    fields["uv"] = _uv(rng, zone, fields["illuminance"])
            if _has_battery(s):
                fields["battery"] = round(3.3 - 0.4 * (ts - start) / (end - start + 1), 3)
            yield encode("environment", {"site": site, "zone": s.zone, "sensor": s.id},
                         fields, ts * 1_000_000_000)


def preservation_lines(facility: Facility, times: list[int]):
    site, tz = facility.site.id, facility.site.tz
    for zone in facility.zones:
        inv_sum, n = 0.0, 0
        for ts in times:
            t, rh = zone_climate(zone, ts, datetime.fromtimestamp(ts, tz).timetuple().tm_yday)
            pi = preservation_index(t, rh)
            inv_sum, n = inv_sum + 1 / pi, n + 1
            fields = {"pi": round(pi, 3), "twpi": round(n / inv_sum, 3), "mold_risk": 0.0,
                      "pct_time_in_range": 100.0, "dew_point": round(dew_point(t, rh), 3)}
            yield encode("preservation", {"site": site, "zone": zone.id, "period": "1h"},
                         fields, ts * 1_000_000_000)


def sensor_health_lines(facility: Facility, times: list[int], rng: random.Random):
    errors = dict.fromkeys((s.id for s in facility.sensors), 0)
    for ts in times:
        for s in facility.sensors:
            errors[s.id] += rng.choice((0, 0, 0, 1, 2))
            tags = {"site": facility.site.id, "zone": s.zone, "sensor": s.id,
                    "gateway": s.gateway or "gw-01"}
            fields = {"last_seen": float(ts - rng.randint(0, 60)), "errors": errors[s.id]}
            yield encode("sensor_health", tags, fields, ts * 1_000_000_000)


def pipeline_lines(facility: Facility, times: list[int], rng: random.Random):
    """The collector's self-metrics: counts per interval (here per `step`), gauges."""
    step = times[1] - times[0]
    per_step = len(facility.sensors) * step // 30  # every sensor reports every 30 s
    for ts in times:
        fields = {"received": per_step, "written": per_step, "spooled": 0,
                  "dead_lettered": rng.choice((0, 0, 0, 1)),
                  "write_latency_ms": round(rng.uniform(3, 30), 1),
                  "lag_s": round(rng.uniform(0.05, 2.0), 3), "spool_depth": rng.choice((0, 0, 5))}
        tags = {"site": facility.site.id, "service": "collector", "instance": "collector-1"}
        yield encode("cangjing_pipeline", tags, fields, ts * 1_000_000_000)


def alert_lines(facility: Facility, end: int) -> tuple[list[str], dict[str, int]]:
    """Per zone one long-resolved breach; active alerts in three zones; one resolved today."""
    site = facility.site.id
    lines: list[str] = []
    active = dict.fromkeys((z.id for z in facility.zones), 0)
    zones = facility.zones

    def event(zone: Zone, ts: int, rule: str, state: str, value: float, limit: float,
              n: int) -> None:
        sensor = facility.sensors_in(zone.id)[0].id
        tags = {"site": site, "zone": zone.id, "sensor": sensor, "rule": rule,
                "severity": "warning", "state": state}
        fields = {"value": value, "limit": limit, "message": f"{zone.id} {rule} {state}",
                  "id": f"{zone.id}-{rule}-{n}"}
        lines.append(encode("alert", tags, fields, ts * 1_000_000_000))

    for i, zone in enumerate(zones):
        hi = zone.effective_limits().humidity.max or 60.0
        event(zone, end - 100 * 86400 + i * HOUR, "range", "firing", hi + 3, hi, 0)
        event(zone, end - 100 * 86400 + (i + 2) * HOUR, "range", "resolved", hi - 1, hi, 0)
    for zone, states in zip(zones[:3], (["firing"], ["pending", "firing", "acknowledged"],
                                        ["firing", "resolved", "firing"]), strict=False):
        hi = zone.effective_limits().humidity.max or 60.0
        for k, state in enumerate(states):
            event(zone, end - 6 * HOUR + k * HOUR, "swing", state, 12.0, 10.0, 1)
        active[zone.id] += 1
    if len(zones) > 3:
        hi = zones[3].effective_limits().humidity.max or 60.0
        event(zones[3], end - 20 * HOUR, "range", "firing", hi + 2, hi, 2)
        event(zones[3], end - 18 * HOUR, "range", "resolved", hi - 1, hi, 2)
    return lines, active


def write_year(client: InfluxClient, facility: Facility, end: datetime, *,
               cadence: Cadence = TEST_CADENCE, days: int = 365, seed: int = 8) -> YearWritten:
    """Write `days` of the facility ending at `end`, then backfill the rollups."""
    rng = random.Random(seed)
    end_s = int(end.timestamp()) // 60 * 60
    start_s = end_s - days * 86400
    out = YearWritten(datetime.fromtimestamp(start_s, end.tzinfo),
                      datetime.fromtimestamp(end_s, end.tzinfo))
    sources = {
        "environment": environment_lines(facility, cadence.environment_times(start_s, end_s),
                                         rng),
        "preservation": preservation_lines(
            facility, cadence.times(start_s, end_s, cadence.preservation)),
        "sensor_health": sensor_health_lines(
            facility, cadence.times(start_s, end_s, cadence.sensor_health), rng),
        "cangjing_pipeline": pipeline_lines(
            facility, cadence.times(start_s, end_s, cadence.pipeline), rng),
    }
    alerts, out.active_alerts = alert_lines(facility, end_s)
    sources["alert"] = iter(alerts)
    for name, lines in sources.items():
        out.points[name] = client.write_lines(lines, batch=BATCH)
    backfill(client, out.start - timedelta(hours=1), out.end + timedelta(hours=1))
    return out
