"""The simulated facility: the air of every zone and what every sensor reports."""

from __future__ import annotations

from datetime import datetime

from cangjing.config import Facility
from cangjing.config.sensors import Decoder, Sensor, Transport

from .faults import SensorFault, ZoneFault
from .outdoor import OutdoorClimate
from .physics import SensorModel, ZoneClimate
from .tuning import PhysicsTuning

# What each kind of device measures (gateway profiles: th, lux, uv; see gateway/README.md).
_PROFILE_QUANTITIES = {
    "th": ("temperature", "humidity"),
    "lux": ("illuminance",),
    "uv": ("illuminance", "uv"),
}
_NODE_QUANTITIES = ("temperature", "humidity", "illuminance")


def quantities_of(sensor: Sensor) -> tuple[str, ...]:
    if sensor.transport is Transport.modbus:
        regs = sensor.register_map() if hasattr(sensor, "register_map") else None
        if regs is not None:
            return tuple(f.quantity for f in regs.fields)
        return _PROFILE_QUANTITIES.get(sensor.profile or "th", ("temperature", "humidity"))
    if sensor.transport is Transport.mqtt and sensor.decoder is Decoder.cangjing_json:
        return (*_NODE_QUANTITIES, "battery")  # our nodes run on batteries and say so
    return _NODE_QUANTITIES


class FacilityModel:
    """The climate of every zone plus every sensor's own behaviour, under one seed."""

    def __init__(self, facility: Facility, seed: int = 1,
                 tuning: PhysicsTuning | None = None) -> None:
        self.facility = facility
        self.seed = seed
        self.tuning = tuning or PhysicsTuning()
        self.outdoor = OutdoorClimate(facility.site.tz, seed, self.tuning.outdoor)
        self.zones = {z.id: ZoneClimate(z, self.outdoor, self.tuning.zone, seed)
                      for z in facility.zones}
        self.sensors = {s.id: SensorModel(s.id, self.tuning.sensor, seed)
                        for s in facility.sensors}
        self._air: dict[tuple[str, datetime], dict[str, float]] = {}

    def air(self, zone: str, when: datetime) -> dict[str, float]:
        """The zone's air at `when`; the sensors of a zone share one evaluation."""
        key = (zone, when)
        air = self._air.get(key)
        if air is None:  # serial devices ask from their own threads: no read-after-write
            if len(self._air) > 256:
                self._air.clear()
            air = self._air[key] = self.zones[zone].at(when)
        return air

    def add_fault(self, fault: ZoneFault | SensorFault) -> None:
        self._air.clear()
        if isinstance(fault, ZoneFault):
            self.zones[fault.zone].faults.append(fault)
        else:
            self.sensors[fault.sensor].faults.append(fault)

    def clear_faults(self) -> None:
        self._air.clear()
        for z in self.zones.values():
            z.faults.clear()
        for s in self.sensors.values():
            s.faults.clear()

    def active_faults(self, when: datetime) -> list[str]:
        """"leak A1", "stuck_sensor A1-TH-03": what is wrong at `when` (for the live view)."""
        out = [f"{f.effect.value} {z.zone.id}" for z in self.zones.values() for f in z.faults
               if f.window.contains(when)]
        out += [f"{f.effect.value} {m.sensor_id}" for m in self.sensors.values()
                for f in m.faults if f.window.contains(when)]
        return out

    def reports(self, sensor: Sensor, when: datetime) -> bool:
        return self.sensors[sensor.id].reports(when)

    def garbled(self, sensor: Sensor, when: datetime) -> bool:
        return self.sensors[sensor.id].garbled(when)

    def measure(self, sensor: Sensor, when: datetime) -> dict[str, float]:
        """What `sensor` reports at `when` (a stuck sensor repeats its last good values)."""
        model = self.sensors[sensor.id]
        stuck = model.stuck_since(when)
        at = stuck or when
        values = model.apply(self.air(sensor.zone, at), at)
        values["battery"] = model.battery(when)
        wanted = quantities_of(sensor)
        return {q: values[q] for q in wanted if q in values}
