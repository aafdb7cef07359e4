"""Mould risk: the VTT mould growth model of Hukka & Viitanen (1999).

Model implemented (exactly this one)
------------------------------------
A. Hukka and H. A. Viitanen, "A mathematical model of mould growth on wooden
material", Wood Science and Technology 33(6):475-485, 1999, doi:10.1007/s002260050131
-- the original "VTT model" (pine/spruce sapwood, i.e. a very mould-sensitive organic
substrate), with its decline rule for unfavourable periods.  Equations (T in degC,
RH in percent, time in days, M = mould index):

- critical humidity:  RH_crit = -0.00267 T^3 + 0.160 T^2 - 3.13 T + 100   (T <= 20 degC)
                      RH_crit = 80                                        (T >  20 degC)
  growth is possible only for 0 < T < 50 degC and RH >= RH_crit;
- time to M = 1 (weeks): t_m = exp(-0.68 ln T - 13.9 ln RH + 0.14 W - 0.33 SQ + 66.02)
  time to M = 3 (weeks): t_v = exp(-0.74 ln T - 12.72 ln RH + 0.06 W + 61.50)
  (W = 0 pine, 1 spruce; SQ = 0 resawn surface, 1 original kiln-dried surface);
- growth:  dM/dt = k1 k2 / (7 t_m)   per day,
  k1 = 1 for M < 1, k1 = 2 / (t_v / t_m - 1) for M >= 1,
  k2 = max(1 - exp(2.3 (M - M_max)), 0),
  M_max = 1 + 7 x - 2 x^2,  x = (RH_crit - RH) / (RH_crit - 100);
- decline, counted from the moment conditions turn unfavourable:
  dM/dt = -0.032 per day for the first 6 h, 0 from 6 h to 24 h, -0.016 per day after
  24 h (i.e. -0.00133 and -0.000667 per hour); M never goes below 0.

These are the equations as published and as used in independent implementations
(e.g. A. Laukkarinen's ``mi.py`` of the Finnish mould growth model, ConSciR's
``calcMould_VTT``; note the latter has a sign slip, +3.13 T, in RH_crit).

``risk`` is the mould index M: 0 = no growth, 1 = first growth detectable under the
microscope (the end of the germination / initiation phase -- "germination expected"),
3 = growth visible to the eye, 6 = total coverage.  Between samples the conditions of
the earlier sample are held; the ODE is then integrated in closed form over each
interval, so the result does not depend on the sampling rate and, for constant
conditions, M reaches 1 exactly at :func:`days_to_germination`.

Why not IPI's Mould Risk Factor
-------------------------------
IPI's "days to mold" (dpcalc.org, eClimateNotebook MRF) is published only as a lookup
table (2-45 degC x 65-100 %RH, (c) IPI, not redistributed here) with no closed form,
and the rules by which eClimateNotebook accumulates and decays the MRF are not
documented in any source we could consult.  Per the project brief's fallback, the VTT
model was chosen because it is fully specified by a published source.

Caution: the two models differ a lot.  VTT needs RH >= 80 % above 20 degC (growth on
wood); IPI starts counting at 65 %RH (xerophilic moulds on collection materials) and is
much faster, e.g. at 25 degC/85 %RH IPI's table says 6 days to germination, VTT about
8 weeks to M = 1.  For a 65-80 %RH early warning use an RH threshold alongside this.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = [
    "MoldRiskAccumulator",
    "critical_rh",
    "days_to_germination",
    "mold_risk",
]

_A2 = 2.3  # k2 exponent (Hukka & Viitanen 1999)
_SECONDS_PER_DAY = 86400.0
_HOUR = 3600.0

# Decline (Hukka & Viitanen 1999), per day, by time since conditions became unfavourable.
DECLINE_FIRST_6H_PER_DAY = 0.032
DECLINE_AFTER_24H_PER_DAY = 0.016
_DECLINE_FAST_END_S = 6 * _HOUR
_DECLINE_SLOW_START_S = 24 * _HOUR

GROWTH_T_MIN_C = 0.0  # exclusive
GROWTH_T_MAX_C = 50.0  # exclusive


def critical_rh(t: float) -> float:
    """Hukka & Viitanen (1999) critical RH (percent) for mould growth at ``t`` degC."""
    if t > 20.0:
        return 80.0
    return -0.00267 * t**3 + 0.160 * t**2 - 3.13 * t + 100.0


def _favourable(t: float, rh: float) -> bool:
    return GROWTH_T_MIN_C < t < GROWTH_T_MAX_C and rh >= critical_rh(t)


def _t_m_weeks(t: float, rh: float, w: int, sq: int) -> float:
    return math.exp(-0.68 * math.log(t) - 13.9 * math.log(rh) + 0.14 * w - 0.33 * sq + 66.02)


def _t_v_weeks(t: float, rh: float, w: int) -> float:
    return math.exp(-0.74 * math.log(t) - 12.72 * math.log(rh) + 0.06 * w + 61.50)


def _m_max(t: float, rh: float) -> float:
    crit = critical_rh(t)
    if crit >= 100.0:  # only at T <= 0, where growth is excluded anyway
        return 0.0
    x = (crit - rh) / (crit - 100.0)
    return 1.0 + 7.0 * x - 2.0 * x * x


def _check(t: float, rh: float, w: int, sq: int) -> None:
    if math.isnan(t) or math.isnan(rh) or not (0.0 <= rh <= 100.0):
        raise ValueError(f"need a temperature and an RH in [0, 100] percent, got {t!r}, {rh!r}")
    if w not in (0, 1) or sq not in (0, 1):
        raise ValueError("w (0 pine, 1 spruce) and sq (0 resawn, 1 kiln-dried) must be 0 or 1")


def _solve(m0: float, m_max: float, rate: float, days: float) -> float:
    """Closed-form solution of dM/dt = rate * (1 - exp(2.3 (M - M_max))) from M0 < M_max.

    With y = exp(-2.3 (M - M_max)): dy/dt = -2.3 rate (y - 1), so
    y(t) = 1 + (y0 - 1) exp(-2.3 rate t).
    """
    y0 = math.exp(-_A2 * (m0 - m_max))
    y = 1.0 + (y0 - 1.0) * math.exp(-_A2 * rate * days)
    return m_max - math.log(y) / _A2


def _days_between(m0: float, m1: float, m_max: float, rate: float) -> float:
    """Days for the same ODE to go from M0 to M1 (M0 <= M1 < M_max)."""
    y0 = math.exp(-_A2 * (m0 - m_max))
    y1 = math.exp(-_A2 * (m1 - m_max))
    return math.log((y0 - 1.0) / (y1 - 1.0)) / (_A2 * rate)


def _grow(m: float, t: float, rh: float, w: int, sq: int, days: float) -> float:
    m_max = _m_max(t, rh)
    if m >= m_max or days <= 0.0:
        return m  # k2 = 0: no further growth (and no decline while favourable)
    t_m = _t_m_weeks(t, rh, w, sq)
    rate1 = 1.0 / (7.0 * t_m)  # per day, k1 = 1
    if m < 1.0:
        if m_max <= 1.0:
            return _solve(m, m_max, rate1, days)
        to_one = _days_between(m, 1.0, m_max, rate1)
        if to_one >= days:
            return _solve(m, m_max, rate1, days)
        m = 1.0
        days -= to_one
    ratio = _t_v_weeks(t, rh, w) / t_m
    k1 = 2.0 / (ratio - 1.0) if ratio > 1.0 else 1.0
    return _solve(m, m_max, rate1 * k1, days)


def _decline(m: float, dry_s: float, dur_s: float) -> float:
    start, end = dry_s, dry_s + dur_s
    fast = max(0.0, min(end, _DECLINE_FAST_END_S) - start)
    slow = max(0.0, end - max(start, _DECLINE_SLOW_START_S))
    drop = (DECLINE_FIRST_6H_PER_DAY * fast + DECLINE_AFTER_24H_PER_DAY * slow) / _SECONDS_PER_DAY
    return max(0.0, m - drop)


def days_to_germination(t: float, rh: float, *, w: int = 0, sq: int = 0) -> float | None:
    """Days of constant ``t`` degC / ``rh`` %RH for the VTT mould index to go 0 -> 1.

    Hukka & Viitanen (1999) with k2 included (so slightly longer than 7 t_m).  ``None``
    when growth is impossible: T outside (0, 50) degC, RH below the critical RH, or RH
    so close to it that M_max <= 1 and M = 1 is never reached.
    """
    _check(t, rh, w, sq)
    if not _favourable(t, rh):
        return None
    m_max = _m_max(t, rh)
    if m_max <= 1.0:
        return None
    rate1 = 1.0 / (7.0 * _t_m_weeks(t, rh, w, sq))
    return _days_between(0.0, 1.0, m_max, rate1)


class MoldRiskAccumulator:
    """Runs the VTT mould model (Hukka & Viitanen 1999) over samples in time order.

    Feed ``(timestamp_seconds, temperature_c, rh)`` with :meth:`add`; :attr:`risk` is
    the mould index M (0..6; >= 1 means germination / first growth expected).  Each
    sample's conditions are held until the next sample.  ``max_gap_s``: an interval
    longer than this is treated as missing data -- neither growth nor decline is
    credited for it (and the decline clock is not advanced); ``None`` holds across
    any gap.
    """

    def __init__(self, *, w: int = 0, sq: int = 0, max_gap_s: float | None = None) -> None:
        _check(20.0, 50.0, w, sq)
        if max_gap_s is not None and not max_gap_s > 0:
            raise ValueError("max_gap_s must be positive or None")
        self.w = w
        self.sq = sq
        self.max_gap_s = max_gap_s
        self._m = 0.0
        self._dry_s = 0.0
        self._last: tuple[float, float, float] | None = None

    @property
    def risk(self) -> float:
        """Current VTT mould index M (1 = germination / first microscopic growth)."""
        return self._m

    def add(self, timestamp_s: float, t: float, rh: float) -> float:
        """Add one sample; returns the updated :attr:`risk`."""
        _check(t, rh, self.w, self.sq)
        if math.isnan(timestamp_s):
            raise ValueError("timestamp is NaN")
        if self._last is not None:
            t0, temp0, rh0 = self._last
            dur = timestamp_s - t0
            if dur < 0:
                raise ValueError("samples not in time order")
            if self.max_gap_s is None or dur <= self.max_gap_s:
                self._advance(temp0, rh0, dur)
        self._last = (timestamp_s, t, rh)
        return self._m

    def _advance(self, t: float, rh: float, dur_s: float) -> None:
        if dur_s == 0.0:
            return
        if _favourable(t, rh):
            self._dry_s = 0.0
            self._m = _grow(self._m, t, rh, self.w, self.sq, dur_s / _SECONDS_PER_DAY)
        else:
            self._m = _decline(self._m, self._dry_s, dur_s)
            self._dry_s += dur_s


def mold_risk(
    samples: Iterable[tuple[float, float, float]],
    *,
    w: int = 0,
    sq: int = 0,
    max_gap_s: float | None = None,
) -> float:
    """Final VTT mould index M after ``(timestamp_seconds, t, rh)`` samples in time order.

    See :class:`MoldRiskAccumulator`; 0 for an empty series.
    """
    acc = MoldRiskAccumulator(w=w, sq=sq, max_gap_s=max_gap_s)
    for ts, t, rh in samples:
        acc.add(ts, t, rh)
    return acc.risk
