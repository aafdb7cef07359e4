"""Daily swing (max − min of RH and temperature over a rolling 24 h window, against the
zone's ASHRAE-class swing limit) and rate (max − min within the last hour)."""

from __future__ import annotations

from cangjing.config.alerting import SwingRule as SwingSettings
from cangjing.reading import Reading

from ..events import Observation
from ..windows import RollingExtremes
from . import Context, obs

QUANTITIES = ("temperature", "humidity")


class SwingRule:
    def __init__(self) -> None:
        # (sensor, quantity) -> (daily window, rate window)
        self.windows: dict[tuple[str, str], tuple[RollingExtremes, RollingExtremes]] = {}

    def feed(self, sensor: str, quantity: str, t: float, value: float,
             s: SwingSettings) -> tuple[RollingExtremes, RollingExtremes]:
        """Add a value to the sensor's windows (also used to rebuild them from history)."""
        pair = self.windows.get((sensor, quantity))
        if pair is None:
            res = s.resolution.total_seconds()
            pair = (RollingExtremes(s.window.total_seconds(), res),
                    RollingExtremes(s.rate_window.total_seconds(), res))
            self.windows[(sensor, quantity)] = pair
        pair[0].add(t, value)
        pair[1].add(t, value)
        return pair

    def observe(self, reading: Reading, values: dict[str, float],
                ctx: Context) -> list[Observation]:
        s = ctx.settings.swing
        if not s.enabled:
            return []
        out = []
        t = reading.epoch
        for quantity in QUANTITIES:
            value = values.get(quantity)
            if value is None:
                continue
            daily, hourly = self.feed(reading.sensor, quantity, t, value, s)
            margin = s.hysteresis.of(quantity)
            for rule, window, limit in (
                (f"{quantity}_swing", daily, getattr(ctx.limits, f"{quantity}_swing")),
                (f"{quantity}_rate", hourly, getattr(s.rate, quantity)),
            ):
                spread = window.spread()
                if spread is None:
                    continue
                out.append(obs(reading, rule, quantity, spread, limit, "high" if spread > limit
                               else "", spread > limit, spread <= limit - margin, s.severity))
        return out
