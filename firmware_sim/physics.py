"""What a zone's air does and what each sensor in it reports, at any given time.

A zone follows its HVAC set point (the middle of its limits), with a small share of the
outdoor deviation getting through the envelope; staff visits on workdays switch the
lights on and open the door; faults (faults.py) take the air handler, the dehumidifier,
the door, the lights or the water away from normal. Sensors add their own bias and noise.
Every value is a pure function of (seed, time): deterministic under a seed, in any order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from cangjing.config.limits import Limits
from cangjing.config.materials import RoomKind
from cangjing.config.zones import Zone

from .determinism import gauss, rng, unit
from .faults import SensorEffect, SensorFault, Window, ZoneEffect, ZoneFault
from .outdoor import OutdoorClimate, relative_humidity, vapour_pressure
from .tuning import SensorTuning, ZoneTuning

_HVAC = (ZoneEffect.air_handler, ZoneEffect.power)


def set_points(limits: Limits) -> tuple[float, float]:
    """The HVAC set point: the middle of the zone's ranges. A range open at the bottom
    (metals: 0–40 %RH) is run in its upper part, as a dehumidifier is set in practice."""
    t, rh = limits.temperature, limits.humidity
    t_hi = t.max if t.max is not None else 24.0
    t_lo = t.min if t.min is not None else t_hi - 8.0
    rh_hi = rh.max if rh.max is not None else 60.0
    rh_lo = max(rh.min if rh.min is not None else 0.0, rh_hi - 20.0)
    return (t_lo + t_hi) / 2, (rh_lo + rh_hi) / 2


@dataclass
class Visit:
    """A member of staff in the zone: lights on throughout, door open on the way in/out."""

    window: Window
    door_minutes: float

    def doors(self) -> list[Window]:
        assert self.window.end is not None
        d = timedelta(minutes=self.door_minutes)
        return [Window(self.window.start, self.window.start + d),
                Window(self.window.end - d, self.window.end)]


@dataclass
class ZoneClimate:
    zone: Zone
    outdoor: OutdoorClimate
    tuning: ZoneTuning = field(default_factory=ZoneTuning)
    seed: int = 1
    offsets: dict[str, float] = field(default_factory=dict)  # --breach: added to the air
    faults: list[ZoneFault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.limits = self.zone.effective_limits()
        self.t_set, self.rh_set = set_points(self.limits)
        self.phase = 2 * math.pi * unit(self.seed, self.zone.id, "ripple")
        self._visits = lru_cache(maxsize=64)(self._visits_on)

    @property
    def tz(self) -> ZoneInfo:
        return self.outdoor.tz

    # -- routine -------------------------------------------------------------------------
    def _visits_on(self, day: date) -> list[Visit]:
        k = self.tuning
        if day.weekday() >= 5:  # Monday–Friday, as the museum works
            return []
        r = rng(self.seed, self.zone.id, day.isoformat(), "visits")
        visits = []
        shortest, longest = k.visit_minutes
        for _ in range(r.randint(0, k.visits_per_day)):
            minutes = r.uniform(shortest, longest)
            latest = max(k.work_start, k.work_end - minutes / 60)
            hour = r.uniform(k.work_start, latest)
            start = datetime.combine(day, time(0), self.tz) + timedelta(hours=hour)
            visits.append(Visit(Window(start, start + timedelta(minutes=minutes)),
                                k.door_minutes))
        return visits

    def _study_hours(self, local: datetime) -> bool:
        k = self.tuning
        hour = local.hour + local.minute / 60
        return (k.study_rooms_lit and self.zone.room is RoomKind.study
                and local.weekday() < 5 and k.work_start <= hour < k.work_end)

    def routine_lit(self, when: datetime) -> bool:
        local = when.astimezone(self.tz)
        if self._study_hours(local):
            return True
        return any(v.window.contains(when) for v in self._visits(local.date()))

    def routine_door(self, when: datetime) -> float:
        k = self.tuning
        local = when.astimezone(self.tz)
        weights = [w.weight(when, k.door_tau, k.door_tau)
                   for v in self._visits(local.date()) for w in v.doors()]
        return max(weights, default=0.0)

    # -- faults --------------------------------------------------------------------------
    def _weight(self, effects: tuple[ZoneEffect, ...], when: datetime, tau_on: timedelta,
                tau_off: timedelta) -> float:
        return max((f.window.weight(when, tau_on, tau_off) for f in self.faults
                    if f.effect in effects), default=0.0)

    def _active(self, effect: ZoneEffect, when: datetime) -> ZoneFault | None:
        return next((f for f in self.faults if f.effect is effect and f.window.contains(when)),
                    None)

    def lux(self, when: datetime) -> float:
        if self._active(ZoneEffect.power, when):
            return 0.0
        left_on = self._active(ZoneEffect.lights, when)
        if left_on is not None:
            return float(left_on.value if left_on.value is not None
                         else self.limits.illuminance_max * self.tuning.lit_fraction)
        return self.limits.illuminance_max * self.tuning.lit_fraction if self.routine_lit(
            when) else 0.0

    # -- the air -------------------------------------------------------------------------
    def at(self, when: datetime) -> dict[str, float]:
        k = self.tuning
        mean = self.outdoor.daily_mean(when)
        now = self.outdoor.at(when, mean)
        e_set = vapour_pressure(self.t_set, self.rh_set)
        ripple = k.hvac_ripple * math.sin(
            2 * math.pi * when.timestamp() / k.hvac_ripple_period.total_seconds() + self.phase)
        t = self.t_set + k.envelope_coupling * (mean.temperature - self.t_set) + ripple
        e = e_set + k.envelope_coupling * (mean.vapour - e_set)
        # Without its air handler a room drifts to where its envelope and mass take it.
        t_free = self.t_set + k.free_running_coupling * (mean.temperature - self.t_set)
        e_free = e_set + k.free_running_coupling * (mean.vapour - e_set)
        e_damp = e_set + k.dehumidifier_coupling * (mean.vapour - e_set)
        e += self._weight((ZoneEffect.dehumidifier,), when, k.moisture_tau, k.recovery_tau) * (
            e_damp - e)
        t += self._weight(_HVAC, when, k.thermal_tau, k.recovery_tau) * (t_free - t)
        e += self._weight(_HVAC, when, k.moisture_tau, k.recovery_tau) * (e_free - e)
        door = max(self.routine_door(when) * k.door_coupling,
                   max((f.window.weight(when, k.door_tau, k.door_tau)
                        * (f.value if f.value is not None else k.door_coupling)
                        for f in self.faults if f.effect is ZoneEffect.door), default=0.0))
        t += door * (now.temperature - t)
        e += door * (now.vapour - e)
        lux = self.lux(when)
        if lux > 0:
            t += k.light_heat
        for leak in (f for f in self.faults if f.effect is ZoneEffect.leak):
            w = leak.window.weight(when, k.leak_tau, k.moisture_tau)
            target = vapour_pressure(t, leak.value if leak.value is not None else 90.0)
            e += w * max(0.0, target - e)
        t += self.offsets.get("temperature", 0.0)
        values = {
            "temperature": t,
            "humidity": relative_humidity(t, e) + self.offsets.get("humidity", 0.0),
            "illuminance": max(0.0, lux + self.offsets.get("illuminance", 0.0)),
            "uv": k.uv_lit if lux > 0 else 0.0,
        }
        values["humidity"] = min(100.0, max(0.0, values["humidity"]))
        for key, delta in self.offsets.items():
            if key not in ("temperature", "humidity", "illuminance"):
                values[key] = values.get(key, 0.0) + delta
        return values


@dataclass
class SensorModel:
    """One sensor's own bias and noise, and the faults of that sensor."""

    sensor_id: str
    tuning: SensorTuning = field(default_factory=SensorTuning)
    seed: int = 1
    faults: list[SensorFault] = field(default_factory=list)

    def __post_init__(self) -> None:
        k = self.tuning
        self.bias = {
            "temperature": (2 * unit(self.seed, self.sensor_id, "bias-t") - 1) * k.bias_temperature,
            "humidity": (2 * unit(self.seed, self.sensor_id, "bias-rh") - 1) * k.bias_humidity,
        }
        self.noise = {"temperature": k.noise_temperature, "humidity": k.noise_humidity,
                      "illuminance": k.noise_illuminance}

    def _fault(self, effect: SensorEffect, when: datetime) -> SensorFault | None:
        return next((f for f in self.faults if f.effect is effect and f.window.start <= when
                     and (f.window.end is None or when < f.window.end
                          or effect is SensorEffect.drift)), None)

    def stuck_since(self, when: datetime) -> datetime | None:
        fault = self._fault(SensorEffect.stuck, when)
        return fault.window.start if fault else None

    def reports(self, when: datetime) -> bool:
        """False while the sensor is silent: no power, or its battery is flat."""
        if self._fault(SensorEffect.silent, when):
            return False
        return not any(f.effect is SensorEffect.battery and f.window.end is not None
                       and when >= f.window.end for f in self.faults)

    def battery(self, when: datetime) -> float:
        full = self.tuning.battery_full
        for f in self.faults:
            if f.effect is not SensorEffect.battery or when < f.window.start:
                continue
            assert f.window.end is not None, "a battery drain needs an end"
            cutoff = f.value if f.value is not None else 2.4
            share = min(1.0, (when - f.window.start) / (f.window.end - f.window.start))
            return full - (full - cutoff) * share
        return full - 0.02 * unit(self.seed, self.sensor_id, "battery")

    def garbled(self, when: datetime) -> bool:
        fault = self._fault(SensorEffect.noisy, when)
        share = fault.value if fault and fault.value is not None else 0.3
        return fault is not None and unit(self.seed, self.sensor_id, when.timestamp(),
                                          "garble") < share

    def apply(self, air: dict[str, float], when: datetime) -> dict[str, float]:
        out = dict(air)
        stamp = when.timestamp()
        for q, sigma in self.noise.items():
            if q in out and (q != "illuminance" or out[q] > 0):  # dark reads a clean 0
                out[q] += self.bias.get(q, 0.0) + sigma * gauss(self.seed, self.sensor_id, stamp, q)
        for f in self.faults:
            if f.effect is SensorEffect.drift and when >= f.window.start and f.quantity in out:
                until = min(when, f.window.end) if f.window.end else when
                out[f.quantity] += (f.value or 0.0) * (until - f.window.start) / timedelta(days=1)
        out["humidity"] = min(100.0, max(0.0, out.get("humidity", 0.0)))
        out["illuminance"] = max(0.0, out.get("illuminance", 0.0))
        return out
