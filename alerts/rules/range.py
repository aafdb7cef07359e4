"""Range rule: a value outside the zone's [min, max] (cleared with hysteresis)."""

from __future__ import annotations

from cangjing.config.alerting import RangeRule
from cangjing.config.limits import Limits
from cangjing.reading import Reading

from ..events import Observation

QUANTITIES = ("temperature", "humidity", "illuminance", "uv")


def observe_range(reading: Reading, limits: Limits, settings: RangeRule) -> list[Observation]:
    out: list[Observation] = []
    for quantity in QUANTITIES:
        value = reading.get(quantity)
        rng = limits.range_of(quantity)
        if value is None or rng is None:
            continue
        margin = settings.hysteresis.of(quantity)
        direction, limit = "", None
        if rng.max is not None and value > rng.max:
            direction, limit = "high", rng.max
        elif rng.min is not None and value < rng.min:
            direction, limit = "low", rng.min
        breached = bool(direction)
        cleared = not breached and (rng.max is None or value <= rng.max - margin) and (
            rng.min is None or value >= rng.min + margin
        )
        if not breached:
            # nearest limit, for messages and annotations of the clearing reading
            near = [x for x in (rng.max, rng.min) if x is not None]
            limit = min(near, key=lambda x: abs(x - value)) if near else None
        out.append(Observation(
            rule=f"{quantity}_range", zone=reading.zone, sensor=reading.sensor,
            quantity=quantity, value=value, limit=limit, direction=direction,
            breached=breached, time=reading.time, cleared=cleared,
        ))
    return out
