"""Light exposure (dose, lx*h) and annual budgets.

Budgets: GB/T 23863-2009 *博物馆照明设计规范* (Code for lighting design of museums), limits
of annual exposure for exhibits, as given in DESIGN.md ("Conservation reference"):

- light-extremely-sensitive (对光特别敏感: textiles, paper, dyed leather, ...):
  illuminance <= 50 lx, annual exposure <= 50,000 lx*h/year;
- light-sensitive (对光敏感: oil paintings, lacquer, wood, bone, ...):
  illuminance <= 150 lx, annual exposure <= 360,000 lx*h/year.

GB/T 23863-2009 has been superseded by GB/T 23863-2024 (in force 2024-12-01); the values
above are the 2009 edition's as recorded in DESIGN.md and were not re-checked against
the 2024 text.

Dose = integral of illuminance over time, by the trapezoidal rule between successive
samples, in lux-hours.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = [
    "DEFAULT_MAX_GAP_S",
    "EXTREMELY_SENSITIVE_ANNUAL_BUDGET_LXH",
    "EXTREMELY_SENSITIVE_MAX_LUX",
    "SENSITIVE_ANNUAL_BUDGET_LXH",
    "SENSITIVE_MAX_LUX",
    "dose_fraction",
    "light_dose",
]

EXTREMELY_SENSITIVE_ANNUAL_BUDGET_LXH = 50_000.0  # GB/T 23863-2009
SENSITIVE_ANNUAL_BUDGET_LXH = 360_000.0  # GB/T 23863-2009
EXTREMELY_SENSITIVE_MAX_LUX = 50.0  # GB/T 23863-2009
SENSITIVE_MAX_LUX = 150.0  # GB/T 23863-2009

# Default gap limit: two hours, so an hourly logger (with jitter, or one missed reading)
# is integrated, while longer outages are not.
DEFAULT_MAX_GAP_S = 7200.0
_SECONDS_PER_HOUR = 3600.0


def light_dose(
    samples: Iterable[tuple[float, float]],
    max_gap_s: float | None = DEFAULT_MAX_GAP_S,
) -> float:
    """Light dose in lux-hours from ``(timestamp_seconds, lux)`` samples in time order.

    Trapezoidal integration: each interval between consecutive samples contributes
    ``(lux_i + lux_{i+1}) / 2 * dt``.  An interval longer than ``max_gap_s`` seconds is
    a data gap and contributes nothing -- neither end is extrapolated across it, so a
    record with gaps yields a lower bound of the true dose.  ``max_gap_s=None``
    integrates across every interval.  Fewer than two samples -> 0.

    Raises ValueError for negative or NaN lux, or timestamps going backwards.
    """
    if max_gap_s is not None and not max_gap_s > 0:
        raise ValueError("max_gap_s must be positive or None")
    total = 0.0
    prev: tuple[float, float] | None = None
    for ts, lux in samples:
        if math.isnan(lux) or lux < 0:
            raise ValueError(f"illuminance must be >= 0 lux, got {lux!r}")
        if prev is not None:
            dt = ts - prev[0]
            if math.isnan(dt) or dt < 0:
                raise ValueError("samples not in time order")
            if max_gap_s is None or dt <= max_gap_s:
                total += 0.5 * (prev[1] + lux) * dt
        prev = (ts, lux)
    return total / _SECONDS_PER_HOUR


def dose_fraction(dose: float, budget: float) -> float:
    """Fraction of ``budget`` (lx*h) used by ``dose`` (lx*h); 1.0 = budget exhausted."""
    if math.isnan(budget) or budget <= 0:
        raise ValueError(f"budget must be positive, got {budget!r}")
    if math.isnan(dose) or dose < 0:
        raise ValueError(f"dose must be >= 0, got {dose!r}")
    return dose / budget
