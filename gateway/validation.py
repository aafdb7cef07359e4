"""Validation that flags instead of dropping: a suspicious value is still published, with a
quality flag, so conservators see it and the alert engine can judge the sensor."""

from __future__ import annotations

from cangjing.reading import PHYSICAL_BOUNDS


def quality_flags(values: dict[str, float]) -> dict[str, str]:
    flags: dict[str, str] = {}
    for quantity, value in values.items():
        lo, hi = PHYSICAL_BOUNDS.get(quantity, (float("-inf"), float("inf")))
        if not lo <= value <= hi:
            flags[quantity] = "impossible"
    return flags
