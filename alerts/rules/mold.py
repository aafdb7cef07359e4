"""Mould risk: the VTT mould index (Hukka & Viitanen 1999, as implemented in
cangjing.conservation.mold) accumulated per sensor from its temperature and RH; it grows
only above the critical RH (the germination isopleth of that model) and declines slowly
below it."""

from __future__ import annotations

from cangjing.conservation.mold import MoldRiskAccumulator
from cangjing.reading import Reading

from ..events import Observation
from . import Context, obs


class MoldRule:
    def __init__(self) -> None:
        self.acc: dict[str, MoldRiskAccumulator] = {}

    def feed(self, sensor: str, t: float, temperature: float, rh: float,
             max_gap_s: float) -> float | None:
        acc = self.acc.get(sensor)
        if acc is None:
            acc = self.acc[sensor] = MoldRiskAccumulator(max_gap_s=max_gap_s)
        try:
            return acc.add(t, temperature, rh)
        except ValueError:  # out of order or out of the model's domain: no verdict
            return None

    def observe(self, reading: Reading, values: dict[str, float],
                ctx: Context) -> list[Observation]:
        t, rh = values.get("temperature"), values.get("humidity")
        if t is None or rh is None:
            return []
        s = ctx.settings.mold
        m = self.feed(reading.sensor, reading.epoch, t, rh, s.max_gap.total_seconds())
        if m is None:
            return []
        m = round(m, 3)
        return [obs(reading, "mold", "mold_index", m, s.index, "high" if m >= s.index else "",
                    m >= s.index, m <= s.index - s.hysteresis, s.severity)]
