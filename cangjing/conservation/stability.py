"""Stability metrics: time in range, daily swings.

Context: the daily-fluctuation limits these feed are the ASHRAE Handbook -- HVAC
Applications, chapter "Museums, Galleries, Archives and Libraries", control classes
AA/A/B (short-term fluctuations; a "+-5 %RH" class means a daily max - min of 10 %RH),
see DESIGN.md and ``cangjing.config.materials``.

Conventions (documented choices, not taken from a standard):
- Samples are ``(timestamp_seconds, value)`` (POSIX seconds, UTC), in time order.
- Time weighting holds each sample's value until the next sample (zero-order hold);
  the last sample closes the record and carries no weight.
- A daily swing is max - min of the samples whose local calendar date (in the given
  time zone) is that day; no interpolation to midnight, and a partial first/last day
  counts with the samples it has.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, tzinfo
from itertools import pairwise
from zoneinfo import ZoneInfo

__all__ = ["daily_swings", "percent_days_within_swing", "percent_time_in_range"]


def _rows(samples: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    rows = [(float(ts), float(v)) for ts, v in samples]
    if not rows:
        raise ValueError("no samples")
    for i, (ts, v) in enumerate(rows):
        if math.isnan(ts) or math.isnan(v):
            raise ValueError(f"NaN in sample {i}")
        if i and ts < rows[i - 1][0]:
            raise ValueError(f"samples not in time order at index {i}")
    return rows


def _zone(tz: tzinfo | str) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def percent_time_in_range(
    samples: Iterable[tuple[float, float]],
    lo: float,
    hi: float,
    *,
    max_gap_s: float | None = None,
) -> float:
    """Percent of the time (0-100) that the value was within ``[lo, hi]`` (inclusive).

    Time-weighted with a zero-order hold (see module docstring).  An interval longer
    than ``max_gap_s`` is a data gap and is left out of both numerator and
    denominator.  If no time elapses (one sample, or all at one instant, or every
    interval a gap), the plain share of samples in range is returned.
    """
    if lo > hi:
        raise ValueError(f"lo ({lo}) > hi ({hi})")
    if max_gap_s is not None and not max_gap_s > 0:
        raise ValueError("max_gap_s must be positive or None")
    rows = _rows(samples)
    inside = 0.0
    total = 0.0
    for (t0, v0), (t1, _) in pairwise(rows):
        dt = t1 - t0
        if max_gap_s is not None and dt > max_gap_s:
            continue
        total += dt
        if lo <= v0 <= hi:
            inside += dt
    if total == 0.0:
        return 100.0 * (sum(lo <= v <= hi for _, v in rows) / len(rows))
    return 100.0 * (inside / total)


def daily_swings(samples: Iterable[tuple[float, float]], tz: tzinfo | str) -> dict[date, float]:
    """Max - min of the value per local calendar day, ``{date: swing}`` in date order.

    ``tz`` is a ``tzinfo`` (e.g. ``ZoneInfo("Asia/Shanghai")``) or an IANA zone name;
    days follow that zone's local midnight (DST days are 23 or 25 h long).
    """
    zone = _zone(tz)
    lows: dict[date, float] = {}
    highs: dict[date, float] = {}
    for ts, v in _rows(samples):
        day = datetime.fromtimestamp(ts, tz=zone).date()
        if day in lows:
            lows[day] = min(lows[day], v)
            highs[day] = max(highs[day], v)
        else:
            lows[day] = highs[day] = v
    return {day: highs[day] - lows[day] for day in sorted(lows)}


def percent_days_within_swing(
    samples: Iterable[tuple[float, float]], limit: float, tz: tzinfo | str
) -> float:
    """Percent of calendar days (0-100) whose max - min is <= ``limit``.

    Days as in :func:`daily_swings`; only days with at least one sample count.
    """
    if math.isnan(limit) or limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit!r}")
    swings = daily_swings(samples, tz)
    return 100.0 * (sum(s <= limit for s in swings.values()) / len(swings))
