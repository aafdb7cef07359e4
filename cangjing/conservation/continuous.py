"""Preservation metrics computed continuously: hourly and daily results per zone in the
InfluxDB measurement `preservation`, so that Grafana shows them and a year costs nothing.

    preservation,site=<site>,zone=<zone>,period=1h|1d  (time = start of the period)
      pi, twpi                 years (IPI; preservation.py)
      mold_risk                VTT mould index M at the end of the period (mold.py)
      emc                      % wood EMC at the period's mean T/RH (emc.py)
      corrosion_risk_level     0 low / 1 moderate / 2 high at the mean RH (corrosion.py)
      light_dose               lx·h this calendar year (site time zone) up to the period's end
      light_dose_fraction      of the zone's annual budget (absent when it has none)
      pct_time_in_range        % of the time both T and RH were inside the zone's limits
      humidity_swing, temperature_swing   max − min of the zone means within the period
      dew_point                °C, mean

Hours are UTC hours; days are calendar days in the site's time zone (swing limits are
per local day). Every value is computed from the raw `environment` data as zone means
per `preservation.step`; the history the cumulative values need (the calendar year for
the light dose, `preservation.mold_warmup` for the mould model) is read from the hourly
rollups. Re-running a period writes the same point again (same series and time), so
`recompute()` after late data simply overwrites.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from ..config import Facility
from ..config.zones import Zone
from ..influx import InfluxClient
from ..lineprotocol import encode
from ..rollups import backfill
from .periods import Bucket, RunningState, period_fields
from .zonedata import HOUR_S, hourly_buckets, raw_buckets

log = logging.getLogger(__name__)

MEASUREMENT = "preservation"
PERIODS = ("1h", "1d")
_BATCH = 5000


@dataclass(frozen=True)
class Period:
    kind: str  # "1h" or "1d"
    start: float  # POSIX seconds
    end: float


@dataclass(frozen=True)
class Result:
    zone: str
    period: Period
    fields: dict[str, float | int | None]


def hours(start: float, end: float) -> list[Period]:
    """The UTC hours that overlap [start, end)."""
    first = int(start // HOUR_S) * HOUR_S
    return [Period("1h", t, t + HOUR_S) for t in range(first, int(end), HOUR_S)]


def local_midnight(ts: float, tz: tzinfo) -> datetime:
    local = datetime.fromtimestamp(ts, tz)
    return datetime(local.year, local.month, local.day, tzinfo=tz)


def days(start: float, end: float, tz: tzinfo) -> list[Period]:
    """The calendar days of the site's time zone that overlap [start, end)."""
    out: list[Period] = []
    day = local_midnight(start, tz)
    while day.timestamp() < end:
        nxt = datetime.combine(day.date() + timedelta(days=1), day.timetz())
        out.append(Period("1d", day.timestamp(), nxt.timestamp()))
        day = nxt
    return out


def year_start(ts: float, tz: tzinfo) -> float:
    return datetime(datetime.fromtimestamp(ts, tz).year, 1, 1, tzinfo=tz).timestamp()


def compute_zone(
    facility: Facility, influx: InfluxClient, zone: Zone, periods: list[Period]
) -> list[Result]:
    """The results of `periods` (any mix of hours and days, complete ones) for one zone."""
    if not periods:
        return []
    cfg = facility.preservation
    site, tz = facility.site.id, facility.site.tz
    first = min(p.start for p in periods)
    last = max(p.end for p in periods)
    anchor = min(year_start(first, tz), first - cfg.mold_warmup.total_seconds())
    hold = cfg.max_gap.total_seconds()
    history = hourly_buckets(influx, site, zone.id, anchor, first, hold)
    recent = raw_buckets(influx, site, zone.id, first, last, int(cfg.step.total_seconds()), hold)
    return list(_walk(history + recent, periods, zone, facility))


def _walk(
    buckets: list[Bucket], periods: list[Period], zone: Zone, facility: Facility
) -> Iterator[Result]:
    """One pass through the buckets in time order, stopping at each period's end."""
    cfg = facility.preservation
    limits = zone.effective_limits()
    budget = limits.light_dose_per_year
    max_gap = cfg.max_gap.total_seconds()
    state = RunningState(facility.site.tz, max_gap)
    starts = [b.ts for b in buckets]
    i = 0
    for period in sorted(periods, key=lambda p: (p.end, p.kind)):
        while i < len(buckets) and buckets[i].ts < period.end:
            state.add(buckets[i])
            i += 1
        own = buckets[bisect_left(starts, period.start):bisect_left(starts, period.end)]
        if not own:
            continue  # no data in the period: nothing to say (and no zero to plot)
        fields = period_fields(own, limits, metal=cfg.metal_of(zone.id), max_gap_s=max_gap)
        fields["mold_risk"] = state.mold_at(period.end)
        # The year-to-date dose belongs to the year the period is in.
        same_year = state.year == datetime.fromtimestamp(period.start, facility.site.tz).year
        dose = state.dose if same_year else 0.0
        fields["light_dose"] = dose
        if budget:
            fields["light_dose_fraction"] = dose / budget
        yield Result(zone.id, period, fields)


def result_line(site: str, r: Result) -> str:
    tags = {"site": site, "zone": r.zone, "period": r.period.kind}
    return encode(MEASUREMENT, tags, r.fields, int(r.period.start) * 1_000_000_000)


def write_results(influx: InfluxClient, site: str, results: list[Result]) -> None:
    influx.write_lines((result_line(site, r) for r in results), batch=_BATCH)


def complete_periods(
    start: float, end: float, tz: tzinfo, now: float, kinds: tuple[str, ...] = PERIODS
) -> list[Period]:
    """Hours and local days overlapping [start, end) that have ended by `now`."""
    found: list[Period] = []
    if "1h" in kinds:
        found += hours(start, end)
    if "1d" in kinds:
        found += days(start, end, tz)
    return [p for p in found if p.end <= now]


def compute_and_write(
    facility: Facility,
    influx: InfluxClient,
    periods: list[Period],
    zones: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Compute and write `periods` for the zones (default: all); returns points written."""
    written = 0
    for zone in facility.zones:
        if zones and zone.id not in zones:
            continue
        results = compute_zone(facility, influx, zone, periods)
        write_results(influx, facility.site.id, results)
        written += len(results)
        if progress:
            progress(zone.id)
    return written


def recompute(
    facility: Facility,
    influx: InfluxClient,
    start: datetime,
    end: datetime,
    *,
    zones: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Recompute every hour and local day overlapping [start, end) (after late data).

    Refreshes the hourly rollups over the same span first: they are the history that the
    light dose and the mould index of later periods are read from.
    """
    tz = facility.site.tz
    now = datetime.now(UTC).timestamp()
    periods = complete_periods(start.timestamp(), end.timestamp(), tz, now)
    if not periods:
        return 0
    first = min(p.start for p in periods)
    last = max(p.end for p in periods)
    backfill(influx, datetime.fromtimestamp(first, UTC), datetime.fromtimestamp(last, UTC))
    return compute_and_write(facility, influx, periods, zones, progress)


def run_hourly(facility: Facility, influx: InfluxClient, now: datetime | None = None) -> int:
    """The hourly job: the last complete hours, `preservation.late_data` back."""
    t = (now or datetime.now(UTC)).timestamp()
    late = facility.preservation.late_data.total_seconds()
    periods = complete_periods(t - late, t, facility.site.tz, t, ("1h",))
    n = compute_and_write(facility, influx, periods)
    log.info("preservation: %d hourly point(s) up to %s", n, _utc(t))
    return n


def run_daily(facility: Facility, influx: InfluxClient, now: datetime | None = None) -> int:
    """The daily job: the last complete local day."""
    t = (now or datetime.now(UTC)).timestamp()
    tz = facility.site.tz
    today = local_midnight(t, tz).timestamp()
    periods = complete_periods(today - 1, today, tz, t, ("1d",))
    n = compute_and_write(facility, influx, periods)
    log.info("preservation: %d daily point(s) for the day before %s", n, _utc(today))
    return n


def _utc(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%MZ")


def _guarded(job: Callable[[Facility, InfluxClient], int], facility: Facility,
             influx: InfluxClient) -> None:
    # A failed run (InfluxDB away) must not kill the scheduler; the next hourly run
    # recomputes `late_data` back and so fills what this one missed.
    try:
        job(facility, influx)
    except Exception:
        log.exception("preservation job %s failed", job.__name__)


HOURLY_JOB = "preservation-hourly"
DAILY_JOB = "preservation-daily"


def start_preservation_scheduler(facility: Facility, influx: InfluxClient):
    """Start the hourly and daily jobs on a background thread; returns the scheduler
    (an APScheduler 3 BackgroundScheduler: call `.shutdown()` to stop it)."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    cfg = facility.preservation
    delay = int(cfg.delay.total_seconds())
    tz = facility.site.tz
    scheduler = BackgroundScheduler(timezone=tz)
    # A run missed while the process was busy or down is made up once, not many times.
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    scheduler.add_job(
        _guarded, CronTrigger(minute=delay // 60 % 60, second=delay % 60, timezone=UTC),
        args=(run_hourly, facility, influx), id=HOURLY_JOB,
        name="preservation metrics, hourly", **common,
    )
    scheduler.add_job(
        _guarded, CronTrigger(hour=delay // 3600 % 24, minute=delay // 60 % 60,
                              second=delay % 60, timezone=tz),
        args=(run_daily, facility, influx), id=DAILY_JOB,
        name="preservation metrics, daily", **common,
    )
    scheduler.start()
    log.info("preservation jobs scheduled: hourly at :%02d:%02d UTC, daily at %02d:%02d %s",
             delay // 60 % 60, delay % 60, delay // 3600 % 24, delay // 60 % 60, tz)
    return scheduler
