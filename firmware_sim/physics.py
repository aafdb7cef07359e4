"""Plausible storage-room climate: what a zone's sensors would measure at a given time.

Deliberately simple and deterministic under a seed: a slow diurnal temperature wave around
the middle of the zone's range, RH that falls when the air warms (constant absolute
humidity, roughly -3 %RH per K near 20 °C) and lights on only during work hours.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from cangjing.config.limits import Limits


@dataclass
class ZoneClimate:
    limits: Limits
    tz: ZoneInfo
    seed: int = 0
    diurnal_amplitude: float = 0.6  # K
    work_hours: tuple[int, int] = (8, 18)
    lit_fraction: float = 0.6  # of the zone's lux limit while lit
    offsets: dict[str, float] = field(default_factory=dict)  # injected breaches

    def __post_init__(self) -> None:
        rnd = random.Random(self.seed)
        self.phase = rnd.uniform(0, 2 * math.pi)
        t, rh = self.limits.temperature, self.limits.humidity
        self.t_mid = ((t.min or 15) + (t.max or 25)) / 2
        self.rh_mid = ((rh.min if rh.min is not None else 30) + (rh.max or 60)) / 2

    def at(self, when: datetime) -> dict[str, float]:
        local = when.astimezone(self.tz)
        hours = local.hour + local.minute / 60 + local.second / 3600
        wave = math.sin(2 * math.pi * (hours - 9) / 24 + self.phase * 0.1)
        temperature = self.t_mid + self.diurnal_amplitude * wave
        humidity = self.rh_mid - 3.0 * (temperature - self.t_mid)
        lit = self.work_hours[0] <= local.hour < self.work_hours[1] and local.weekday() < 6
        lux = self.limits.illuminance_max * self.lit_fraction if lit else 0.0
        values = {"temperature": temperature, "humidity": humidity, "illuminance": lux,
                  "uv": 5.0 if lit else 0.0}
        for key, delta in self.offsets.items():
            values[key] = values.get(key, 0.0) + delta
        values["humidity"] = min(100.0, max(0.0, values["humidity"]))
        return values


@dataclass
class SensorNoise:
    """Each sensor's own small bias and noise."""

    seed: int
    noise: float = 0.05

    def __post_init__(self) -> None:
        self.rnd = random.Random(self.seed)
        self.bias_t = self.rnd.uniform(-0.2, 0.2)
        self.bias_rh = self.rnd.uniform(-1.0, 1.0)

    def apply(self, values: dict[str, float]) -> dict[str, float]:
        out = dict(values)
        out["temperature"] = values["temperature"] + self.bias_t + self.rnd.gauss(0, self.noise)
        out["humidity"] = min(100.0, max(0.0, values["humidity"] + self.bias_rh
                                         + self.rnd.gauss(0, self.noise * 4)))
        return out
