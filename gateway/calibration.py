"""Per-sensor calibration: corrected = raw * scale + offset, per quantity."""

from __future__ import annotations

from cangjing.config.sensors import Calibration


def calibrate(values: dict[str, float], calibration: Calibration) -> dict[str, float]:
    out = dict(values)
    for quantity, raw in values.items():
        adj = calibration.adjustment(quantity)
        if adj is not None:
            out[quantity] = raw * adj.scale + adj.offset
    return out
