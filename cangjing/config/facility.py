"""The facility file's root model and the cross-references between its sections."""

from __future__ import annotations

from pydantic import Field

from .alerting import AlertSettings
from .collector import CollectorSettings
from .connections import InfluxSection, MqttSection
from .gateways import Bus, BusProtocol, Gateway
from .limits import Strict
from .notifications import Notifications
from .preservation import PreservationSettings
from .sensors import Sensor, Transport
from .site import Site
from .zones import RESERVED_ZONE_IDS, Zone

Problem = tuple[str, str]  # (path in the file, message)


class Facility(Strict):
    site: Site
    mqtt: MqttSection = Field(default_factory=MqttSection)
    influx: InfluxSection = Field(default_factory=InfluxSection)
    gateways: list[Gateway] = Field(default_factory=list)
    zones: list[Zone] = Field(min_length=1)
    sensors: list[Sensor] = Field(default_factory=list)
    notifications: Notifications = Field(default_factory=Notifications)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    collector: CollectorSettings = Field(default_factory=CollectorSettings)
    preservation: PreservationSettings = Field(default_factory=PreservationSettings)

    def zone(self, zone_id: str) -> Zone:
        return next(z for z in self.zones if z.id == zone_id)

    def sensor(self, sensor_id: str) -> Sensor:
        return next(s for s in self.sensors if s.id == sensor_id)

    def sensors_in(self, zone_id: str) -> list[Sensor]:
        return [s for s in self.sensors if s.zone == zone_id]

    def gateway_of(self, sensor: Sensor) -> Gateway | None:
        gw_id = sensor.gateway or (self.gateways[0].id if self.gateways else None)
        return next((g for g in self.gateways if g.id == gw_id), None)

    def bus_of(self, sensor: Sensor) -> Bus | None:
        gw = self.gateway_of(sensor)
        return next((b for b in gw.buses if b.id == sensor.bus), None) if gw else None

    def problems(self) -> list[Problem]:
        """Everything wrong between sections (each section is already valid on its own)."""
        out: list[Problem] = []
        out += _duplicates("zones", [z.id for z in self.zones])
        out += _duplicates("sensors", [s.id for s in self.sensors])
        out += _duplicates("gateways", [g.id for g in self.gateways])
        out += _duplicates("notifications.channels", [c.id for c in self.notifications.channels])
        for i, zone in enumerate(self.zones):
            if zone.id.lower() in RESERVED_ZONE_IDS:
                out.append((f"zones[{i}].id", f"{zone.id!r} is reserved (topic level word)"))
            out += [(f"zones[{i}].{path}", msg) for path, msg in zone.limit_errors()]
        zone_ids = {z.id for z in self.zones}
        for i, sensor in enumerate(self.sensors):
            out += [(f"sensors[{i}].{path}", msg) for path, msg in self._sensor_problems(sensor)]
            if sensor.zone not in zone_ids:
                out.append((f"sensors[{i}].zone", f"no zone {sensor.zone!r} in zones"))
        out += self._device_clashes()
        channels = {c.id for c in self.notifications.channels}
        for i, route in enumerate(self.notifications.routes):
            for j, ch in enumerate(route.channels):
                if ch not in channels:
                    out.append((f"notifications.routes[{i}].channels[{j}]", f"no channel {ch!r}"))
            for j, z in enumerate(route.zones):
                if z not in zone_ids:
                    out.append((f"notifications.routes[{i}].zones[{j}]", f"no zone {z!r}"))
        out += self.notifications.problems() + self.alerts.problems(zone_ids)
        return out

    def _sensor_problems(self, sensor: Sensor) -> list[Problem]:
        out: list[Problem] = []
        if sensor.gateway and sensor.gateway not in {g.id for g in self.gateways}:
            out.append(("gateway", f"no gateway {sensor.gateway!r} in gateways"))
        if sensor.transport is Transport.mqtt:
            if not sensor.device:
                out.append(("device", "required for transport mqtt"))
            return out
        modbus = sensor.transport is Transport.modbus
        needed = BusProtocol.modbus_rtu if modbus else BusProtocol.ascii
        if not sensor.bus:
            out.append(("bus", f"required for transport {sensor.transport.value}"))
        elif (bus := self.bus_of(sensor)) is None:
            out.append(("bus", f"no bus {sensor.bus!r} on the sensor's gateway"))
        elif bus.protocol is not needed:
            out.append(("bus", f"bus {bus.id!r} speaks {bus.protocol.value}, not {needed.value}"))
        if sensor.transport is Transport.modbus and sensor.unit is None:
            out.append(("unit", "required for transport modbus (slave address 1-247)"))
        if sensor.transport is Transport.modbus and sensor.register_map() is None:
            out.append(("profile", "required for transport modbus: th, lux, uv (or registers)"))
        if sensor.transport is Transport.ascii and not sensor.node:
            out.append(("node", "required for transport ascii"))
        return out

    def _device_clashes(self) -> list[Problem]:
        seen: dict[tuple, int] = {}
        out: list[Problem] = []
        for i, s in enumerate(self.sensors):
            if s.transport is Transport.mqtt:
                key: tuple = ("mqtt", s.device)
            elif s.transport is Transport.modbus:
                key = ("modbus", s.gateway, s.bus, s.unit)
            else:
                key = ("ascii", s.gateway, s.bus, s.node)
            if key in seen and None not in key:
                out.append((f"sensors[{i}]", f"same device as sensors[{seen[key]}]"))
            seen.setdefault(key, i)
        return out


def _duplicates(path: str, ids: list[str]) -> list[Problem]:
    first: dict[str, int] = {}
    out: list[Problem] = []
    for i, value in enumerate(ids):
        if value in first:
            out.append((f"{path}[{i}].id", f"duplicate id {value!r} (also {path}[{first[value]}])"))
        first.setdefault(value, i)
    return out
