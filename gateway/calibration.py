"""Per-sensor calibration: corrected = raw * scale + offset, per quantity; and whether the
sensor's calibration is overdue (its `due` date has passed)."""

from __future__ import annotations

from datetime import date

from cangjing.config.sensors import Calibration


def calibrate(values: dict[str, float], calibration: Calibration) -> dict[str, float]:
    out = dict(values)
    for quantity, raw in values.items():
        adj = calibration.adjustment(quantity)
        if adj is not None:
            # rounded: 50.0 × 1.1 is 55.00000000000001 in binary floating point
            out[quantity] = round(raw * adj.scale + adj.offset, 6)
    return out


def overdue(calibration: Calibration, today: date) -> bool:
    """True when a due date is set and lies before `today` (the site's local date)."""
    return calibration.due is not None and calibration.due < today
