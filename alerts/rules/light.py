"""Light: illuminance above the zone's limit while lit, UV above its limit while lit
(µW/lm means nothing in the dark), and the calendar-year light dose (site time zone)
against the zone's annual budget with warnings at its levels (GB/T 23863; DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cangjing.reading import Reading

from ..events import Observation
from . import Context, obs


class LightRule:
    instant = True  # judges the reading alone (no window, no accumulator)

    def observe(self, reading: Reading, values: dict[str, float],
                ctx: Context) -> list[Observation]:
        s = ctx.settings.light
        margins = ctx.settings.range.hysteresis
        out = []
        lux = values.get("illuminance")
        if lux is not None:
            limit = ctx.limits.illuminance_max
            out.append(obs(reading, "illuminance", "illuminance", lux, limit,
                           "high" if lux > limit else "", lux > limit,
                           lux <= limit - margins.illuminance, s.severity, hold=s.hold))
        uv = values.get("uv")
        if uv is not None:
            limit = ctx.limits.uv_max
            lit = lux is None or lux >= s.lit_above
            breached = lit and uv > limit
            out.append(obs(reading, "uv", "uv", uv, limit, "high" if breached else "", breached,
                           not lit or uv <= limit - margins.uv, s.uv_severity, hold=s.uv_hold))
        return out


@dataclass(slots=True)
class DoseState:
    year: int
    dose: float  # lx·h since 1 January (site time zone)
    last_t: float | None = None
    last_lux: float = 0.0


class LightDoseRule:
    def __init__(self) -> None:
        self.state: dict[str, DoseState] = {}

    def seed(self, sensor: str, year: int, dose: float, last_t: float | None,
             last_lux: float = 0.0) -> None:
        """Start from a dose rebuilt from history (InfluxDB) up to `last_t`."""
        self.state[sensor] = DoseState(year, dose, last_t, last_lux)

    def observe(self, reading: Reading, values: dict[str, float],
                ctx: Context) -> list[Observation]:
        lux = values.get("illuminance")
        budget = ctx.limits.light_dose_per_year
        if lux is None or not budget:
            return []
        t = reading.epoch
        year = datetime.fromtimestamp(t, ctx.tz).year
        st = self.state.get(reading.sensor)
        if st is None or year > st.year:
            st = self.state[reading.sensor] = DoseState(year, 0.0)
        if st.last_t is not None and t <= st.last_t:
            return []  # already counted (replay, or history rebuilt on start)
        gap = ctx.settings.light_dose.max_gap.total_seconds()
        if st.last_t is not None and t - st.last_t <= gap:
            st.dose += 0.5 * (st.last_lux + lux) * (t - st.last_t) / 3600.0
        st.last_t, st.last_lux = t, lux
        out = []
        for level in ctx.settings.light_dose.levels:
            limit = budget * level.percent / 100.0
            reached = st.dose >= limit
            out.append(obs(reading, f"light_dose_{level.percent:g}", "light_dose",
                           round(st.dose, 1), limit, "high" if reached else "", reached,
                           not reached, level.severity,
                           extra={"budget": budget, "percent": level.percent, "year": year}))
        return out
