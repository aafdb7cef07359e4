"""What can go wrong, as the physics sees it: effects on a zone or a sensor over a window.

Scenario files (scenarios.py) are turned into these. An effect does not switch on and off
like a lamp: a room warms with its thermal mass, so each effect has a weight that rises
towards 1 with a time constant while it lasts and decays after it ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime | None = None  # None: until the end of the run

    def contains(self, when: datetime) -> bool:
        return self.start <= when and (self.end is None or when < self.end)

    def weight(self, when: datetime, tau_on: timedelta, tau_off: timedelta) -> float:
        """0 before, → 1 while active (time constant tau_on), → 0 after (tau_off)."""
        if when < self.start:
            return 0.0
        if self.end is None or when < self.end:
            return 1.0 - math.exp(-(when - self.start) / tau_on)
        peak = 1.0 - math.exp(-(self.end - self.start) / tau_on)
        return peak * math.exp(-(when - self.end) / tau_off)


class ZoneEffect(StrEnum):
    air_handler = "air_handler"  # the zone's air handler stops: room free-runs
    dehumidifier = "dehumidifier"  # only the drying stops
    door = "door"  # a door stands open (value: coupling to outdoors)
    leak = "leak"  # water: RH towards `value` %
    lights = "lights"  # lights on at `value` lux
    power = "power"  # no mains: air handler and lights off


class SensorEffect(StrEnum):
    drift = "drift"  # bias grows by `value` per day on `quantity`
    stuck = "stuck"  # repeats the values it had at the start
    battery = "battery"  # battery drains to `value` V over the window, then silence
    noisy = "noisy"  # `value` share of its messages arrive garbled
    silent = "silent"  # reports nothing (no power, no network)


@dataclass(frozen=True)
class ZoneFault:
    effect: ZoneEffect
    zone: str
    window: Window
    value: float | None = None


@dataclass(frozen=True)
class SensorFault:
    effect: SensorEffect
    sensor: str
    window: Window
    value: float | None = None
    quantity: str | None = None
