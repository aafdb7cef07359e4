"""A zone's climate as buckets of zone-mean values, and the metrics of a period of them.

The continuous job and the reports work on the mean of all of a zone's sensors per
bucket (10 min, 1 h...). A bucket's mean stands for the whole bucket: each value is held
from the bucket's start until its end (zero-order hold), which is how the metric
functions of this package weight their samples too.

Pure functions; the InfluxDB side is in :mod:`.zonedata`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from ..config.limits import Limits, Range
from .corrosion import corrosion_risk
from .dewpoint import dew_point
from .emc import wood_emc
from .mold import MoldRiskAccumulator
from .preservation import preservation_index, time_weighted_preservation_index
from .stability import percent_time_in_range

CORROSION_LEVEL = {"low": 0, "moderate": 1, "high": 2}
_HOUR_S = 3600.0


@dataclass(frozen=True)
class Bucket:
    """Zone means over [ts, ts + dur) seconds; a quantity no sensor measured is None."""

    ts: float
    dur: float
    temperature: float | None = None
    humidity: float | None = None
    illuminance: float | None = None

    @property
    def end(self) -> float:
        return self.ts + self.dur

    @property
    def climate(self) -> bool:
        return self.temperature is not None and self.humidity is not None


def within(buckets: Sequence[Bucket], start: float, end: float) -> list[Bucket]:
    return [b for b in buckets if start <= b.ts < end]


def in_range(value: float, rng: Range) -> bool:
    """Inside a limit range; a missing bound does not limit."""
    return (rng.min is None or value >= rng.min) and (rng.max is None or value <= rng.max)


def held(buckets: Sequence[Bucket], value_of) -> list[tuple[float, float]]:
    """(ts, value) samples plus a closing sample at the last bucket's end.

    The metric functions weight a sample by the time to the next one; the closing sample
    gives the last bucket its own duration instead of nothing.
    """
    rows = [(b.ts, value_of(b)) for b in buckets]
    if rows:
        rows.append((buckets[-1].end, rows[-1][1]))
    return rows


def weighted_mean(buckets: Sequence[Bucket], value_of) -> float:
    total = sum(b.dur for b in buckets)
    return sum(value_of(b) * b.dur for b in buckets) / total


def bucket_dose(buckets: Iterable[Bucket]) -> float:
    """Light dose in lx·h of illuminance bucket means: each mean times its duration.

    Not :func:`.light.light_dose` (trapezoids between point samples): a bucket mean already
    is the integral of its readings divided by the bucket's length, so mean × duration is
    the dose of the bucket whatever the bucket size, and hourly rollups and 10-minute raw
    buckets add up to the same year.
    """
    return sum(b.illuminance * b.dur for b in buckets if b.illuminance is not None) / _HOUR_S


def time_in_limits(climate: Sequence[Bucket], limits: Limits, max_gap_s: float) -> float:
    """% of the time that temperature and RH were both inside the zone's limits."""
    ok = held(climate, lambda b: 1.0 if in_range(b.temperature, limits.temperature)
              and in_range(b.humidity, limits.humidity) else 0.0)
    return percent_time_in_range(ok, 1.0, 1.0, max_gap_s=max_gap_s)


def period_fields(
    buckets: Sequence[Bucket], limits: Limits, *, metal: str, max_gap_s: float
) -> dict[str, float | int | None]:
    """The fields of a `preservation` point computed from the period's own buckets.

    (The cumulative ones, mould index and light dose year-to-date, come from
    :class:`RunningState`.) Empty when the period has no temperature/RH data.
    """
    climate = [b for b in buckets if b.climate]
    if not climate:
        return {}
    t = weighted_mean(climate, lambda b: b.temperature)
    rh = weighted_mean(climate, lambda b: b.humidity)
    temps = [b.temperature for b in climate]
    hums = [b.humidity for b in climate]
    return {
        "pi": preservation_index(t, rh),
        "twpi": time_weighted_preservation_index(
            (ts, b.temperature, b.humidity)
            for ts, b in held(climate, lambda b: b)
        ),
        "emc": wood_emc(t, rh),
        "corrosion_risk_level": CORROSION_LEVEL[corrosion_risk(rh, metal)],
        "pct_time_in_range": time_in_limits(climate, limits, max_gap_s),
        "humidity_swing": max(hums) - min(hums),
        "temperature_swing": max(temps) - min(temps),
        "dew_point": weighted_mean(
            [b for b in climate if b.humidity > 0], lambda b: dew_point(b.temperature, b.humidity)
        ) if any(b.humidity > 0 for b in climate) else None,
    }


class RunningState:
    """What accumulates over a zone's history: the VTT mould index and the light dose of
    the current calendar year (site time zone). Feed buckets in time order."""

    def __init__(self, tz: tzinfo, max_gap_s: float) -> None:
        self.tz = tz
        self.mold = MoldRiskAccumulator(max_gap_s=max_gap_s)
        self.year: int | None = None
        self.dose = 0.0
        self._last_climate: Bucket | None = None
        self.mold_time = -math.inf  # time of the model's latest sample

    def add(self, b: Bucket) -> None:
        year = datetime.fromtimestamp(b.ts, self.tz).year
        if year != self.year:
            self.year, self.dose = year, 0.0
        if b.illuminance is not None:
            self.dose += b.illuminance * b.dur / _HOUR_S
        if b.climate:
            self.mold.add(b.ts, b.temperature, b.humidity)
            self.mold_time = b.ts
            self._last_climate = b

    def mold_at(self, end: float) -> float | None:
        """The mould index at `end`, the last bucket's conditions held until then."""
        last = self._last_climate
        if last is None:
            return None
        until = min(last.end, end)
        if until > self.mold_time:
            # The model advances a sample's conditions only when the next sample arrives;
            # a sample at `until` with the same conditions closes the hold without changing
            # what the model sees when the next bucket does arrive.
            self.mold.add(until, last.temperature, last.humidity)
            self.mold_time = until
        return self.mold.risk
