"""Range rule: temperature or RH outside the zone's [min, max] for `hold`, cleared only
when back inside by the hysteresis margin."""

from __future__ import annotations

from cangjing.config.limits import Range
from cangjing.reading import Reading

from ..events import Observation
from . import Context, obs

QUANTITIES = ("temperature", "humidity")


def judge(value: float, rng: Range, margin: float) -> tuple[str, float | None, bool]:
    """(direction, limit, cleared) of a value against a range with a clearing margin."""
    if rng.max is not None and value > rng.max:
        return "high", rng.max, False
    if rng.min is not None and value < rng.min:
        return "low", rng.min, False
    cleared = (rng.max is None or value <= rng.max - margin) and (
        rng.min is None or value >= rng.min + margin)
    near = [x for x in (rng.max, rng.min) if x is not None]
    return "", min(near, key=lambda x: abs(x - value)) if near else None, cleared


class RangeRule:
    instant = True  # judges the reading alone (no window, no accumulator)

    def observe(self, reading: Reading, values: dict[str, float],
                ctx: Context) -> list[Observation]:
        s = ctx.settings.range
        out = []
        for quantity in QUANTITIES:
            value = values.get(quantity)
            rng = ctx.limits.range_of(quantity)
            if value is None or rng is None:
                continue
            direction, limit, cleared = judge(value, rng, s.hysteresis.of(quantity))
            out.append(obs(reading, f"{quantity}_range", quantity, value, limit, direction,
                           bool(direction), cleared, s.severity, hold=s.hold))
        return out
