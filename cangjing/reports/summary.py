"""What a report says about one zone over a period: the numbers, computed once.

Everything comes from the zone-mean series (hourly rollups for long periods, raw buckets
of `preservation.step` for short ones) and the metric functions of cangjing.conservation.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from ..config import Facility
from ..config.zones import Zone
from ..conservation import (
    corrosion_risk,
    daily_swings,
    dew_point,
    percent_days_within_swing,
    percent_time_in_range,
    time_weighted_preservation_index,
    twpi_verdict,
    wood_emc,
)
from ..conservation.mold import MoldRiskAccumulator
from ..conservation.periods import Bucket, bucket_dose, held, time_in_limits, weighted_mean
from ..conservation.zonedata import HOUR_S, hourly_buckets, raw_buckets
from ..influx import InfluxClient
from .alerthistory import AlertSpan, alert_spans


@dataclass
class Climate:
    t_mean: float
    t_min: float
    t_max: float
    rh_mean: float
    rh_min: float
    rh_max: float
    twpi: float
    twpi_band: str  # good / ok / risk (IPI)
    pct_in_range: float
    pct_t_in_range: float
    pct_rh_in_range: float
    rh_swings: dict[date, float]
    t_swings: dict[date, float]
    pct_days_rh_swing_ok: float
    pct_days_t_swing_ok: float
    mold_max: float
    emc_mean: float
    emc_min: float
    emc_max: float
    corrosion_share: dict[str, float]  # band -> % of the time
    dew_point_mean: float
    dew_point_max: float


@dataclass
class Light:
    dose: float  # lx·h in the period
    budget: float | None  # for the period: the annual budget pro rata (whole years: itself)
    annual_budget: float | None
    fraction: float | None
    cumulative: list[tuple[float, float]]  # (ts, lx·h since the local new year)


@dataclass
class ZoneSummary:
    zone: Zone
    start: float
    end: float
    buckets: list[Bucket]
    coverage: float  # % of the period with temperature/RH data
    climate: Climate | None
    light: Light | None
    alerts: list[AlertSpan] = field(default_factory=list)


def period_days(start: float, end: float) -> float:
    return (end - start) / 86400.0


def summarise(
    facility: Facility, influx: InfluxClient, zone: Zone, start: float, end: float
) -> ZoneSummary:
    cfg = facility.preservation
    site, tz = facility.site.id, facility.site.tz
    hold = cfg.max_gap.total_seconds()
    if period_days(start, end) > cfg.report.raw_max_days:
        buckets = hourly_buckets(influx, site, zone.id, start, end, hold)
    else:
        step = int(cfg.step.total_seconds())
        buckets = raw_buckets(influx, site, zone.id, start, end, step, hold)
    warmup = hourly_buckets(influx, site, zone.id, start - cfg.mold_warmup.total_seconds(),
                            start, hold)
    climate_buckets = [b for b in buckets if b.climate]
    covered = sum(min(b.end, end) - b.ts for b in climate_buckets)
    return ZoneSummary(
        zone=zone, start=start, end=end, buckets=buckets,
        coverage=min(100.0, 100.0 * covered / (end - start)),
        climate=_climate(facility, zone, warmup, climate_buckets, tz) if climate_buckets else None,
        light=_light(zone, buckets, start, end, tz),
        alerts=alert_spans(influx, site, zone.id, start, end),
    )


def _climate(
    facility: Facility, zone: Zone, warmup: list[Bucket], cb: list[Bucket], tz: tzinfo
) -> Climate:
    limits = zone.effective_limits()
    max_gap = facility.preservation.max_gap.total_seconds()
    temps = [b.temperature for b in cb]
    hums = [b.humidity for b in cb]
    t_series = [(b.ts, b.temperature) for b in cb]
    rh_series = [(b.ts, b.humidity) for b in cb]
    emcs = [wood_emc(b.temperature, b.humidity) for b in cb]
    dews = [dew_point(b.temperature, b.humidity) for b in cb if b.humidity > 0] or [math.nan]
    twpi = time_weighted_preservation_index(
        (ts, b.temperature, b.humidity) for ts, b in held(cb, lambda b: b)
    )
    metal = facility.preservation.metal_of(zone.id)
    bands = Counter()
    for b in cb:
        bands[corrosion_risk(b.humidity, metal)] += b.dur
    total = sum(bands.values())
    return Climate(
        t_mean=weighted_mean(cb, lambda b: b.temperature), t_min=min(temps), t_max=max(temps),
        rh_mean=weighted_mean(cb, lambda b: b.humidity), rh_min=min(hums), rh_max=max(hums),
        twpi=twpi, twpi_band=twpi_verdict(twpi),
        pct_in_range=time_in_limits(cb, limits, max_gap),
        pct_t_in_range=_pct_in(cb, lambda b: b.temperature, limits.temperature, max_gap),
        pct_rh_in_range=_pct_in(cb, lambda b: b.humidity, limits.humidity, max_gap),
        rh_swings=daily_swings(rh_series, tz), t_swings=daily_swings(t_series, tz),
        pct_days_rh_swing_ok=percent_days_within_swing(rh_series, limits.humidity_swing, tz),
        pct_days_t_swing_ok=percent_days_within_swing(t_series, limits.temperature_swing, tz),
        mold_max=_mold_max(warmup, cb, max_gap),
        emc_mean=weighted_mean(cb, lambda b: wood_emc(b.temperature, b.humidity)),
        emc_min=min(emcs), emc_max=max(emcs),
        corrosion_share={k: 100.0 * bands[k] / total for k in ("low", "moderate", "high")},
        dew_point_mean=sum(dews) / len(dews), dew_point_max=max(dews),
    )


def _pct_in(cb: list[Bucket], value_of, rng, max_gap: float) -> float:
    lo = -math.inf if rng.min is None else rng.min
    hi = math.inf if rng.max is None else rng.max
    return percent_time_in_range(held(cb, value_of), lo, hi, max_gap_s=max_gap)


def _mold_max(warmup: list[Bucket], cb: list[Bucket], max_gap: float) -> float:
    """Highest VTT mould index in the period, the model run from the warm-up on."""
    acc = MoldRiskAccumulator(max_gap_s=max_gap)
    for b in warmup:
        if b.climate:
            acc.add(b.ts, b.temperature, b.humidity)
    worst = 0.0
    for b in cb:
        worst = max(worst, acc.add(b.ts, b.temperature, b.humidity))
    last = cb[-1]
    return max(worst, acc.add(last.end, last.temperature, last.humidity))


def _light(zone: Zone, buckets: list[Bucket], start: float, end: float, tz: tzinfo) -> Light | None:
    lit = [b for b in buckets if b.illuminance is not None]
    if not lit:
        return None
    cumulative: list[tuple[float, float]] = []
    year, running = None, 0.0
    for b in lit:
        y = datetime.fromtimestamp(b.ts, tz).year
        if y != year:
            year, running = y, 0.0
        running += b.illuminance * b.dur / HOUR_S
        cumulative.append((b.end, running))
    dose = bucket_dose(lit)
    annual = zone.effective_limits().light_dose_per_year
    budget = None if annual is None else annual * _years(start, end, tz)
    return Light(dose, budget, annual, None if budget is None else dose / budget, cumulative)


def _years(start: float, end: float, tz: tzinfo) -> float:
    """The period in years: each whole year counts one, the rest by days of 365."""
    s, e = datetime.fromtimestamp(start, tz), datetime.fromtimestamp(end, tz)
    whole = e.year - s.year
    while whole > 0 and _plus_years(s, whole) > e:
        whole -= 1
    return whole + (e - _plus_years(s, whole)).total_seconds() / (365 * 86400)


def _plus_years(d: datetime, n: int) -> datetime:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)
