"""Condensation risk: air temperature within a margin of its dew point (Magnus form,
Alduchov & Eskridge 1996, cangjing.conservation.dewpoint); surfaces colder than the air
(outer walls, objects brought in from the cold) reach the dew point first."""

from __future__ import annotations

from cangjing.conservation.dewpoint import dew_point
from cangjing.reading import Reading

from ..events import Observation
from . import Context, obs


class CondensationRule:
    instant = True  # judges the reading alone (no window, no accumulator)

    def observe(self, reading: Reading, values: dict[str, float],
                ctx: Context) -> list[Observation]:
        t, rh = values.get("temperature"), values.get("humidity")
        if t is None or rh is None or not 0 < rh <= 100:
            return []
        s = ctx.settings.condensation
        spread = round(t - dew_point(t, rh), 2)
        breached = spread <= s.margin
        return [obs(reading, "condensation", "condensation", spread, s.margin,
                    "low" if breached else "", breached, spread >= s.margin + s.hysteresis,
                    s.severity, hold=s.hold, extra={"dew_point": round(t - spread, 2)})]
