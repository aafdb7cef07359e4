"""All serial devices of a facility, one pty pair per bus, linked where the gateway looks."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from cangjing.config import Facility
from cangjing.config.envref import references
from cangjing.config.gateways import Bus, BusProtocol
from cangjing.config.sensors import Transport

from .ascii_node import AsciiLine, AsciiNode
from .modbus_slave import Model, RtuBus, RtuSlave
from .wire import PtyLine

log = logging.getLogger(__name__)


def env_name(bus_id: str) -> str:
    """CANGJING_PORT_<BUS ID upper-cased, '-' and '.' as '_'>, e.g. CANGJING_PORT_RS485_1."""
    return "CANGJING_PORT_" + bus_id.upper().replace("-", "_").replace(".", "_")


def _buses(facility: Facility, gateway_id: str | None) -> Iterator[tuple[str, Bus]]:
    seen: set[str] = set()
    for gw in facility.gateways:
        if gateway_id and gw.id != gateway_id:
            continue
        for bus in gw.buses:
            if bus.id in seen:
                log.warning("bus id %s appears on two gateways; simulating the first", bus.id)
                continue
            seen.add(bus.id)
            yield gw.id, bus


def port_env(facility: Facility, links_dir: Path, gateway_id: str | None = None
             ) -> dict[str, str]:
    """The environment that points every bus's port at its simulated line: the variables
    the facility file's `port: ${VAR:-...}` references name, and CANGJING_PORT_<BUS_ID>."""
    env: dict[str, str] = {}
    for _, bus in _buses(facility, gateway_id):
        link = str(Path(links_dir) / bus.id)
        env[env_name(bus.id)] = link
        for name in references(bus.port):
            env[name] = link
    return env


class SerialDevices:
    """The running simulated lines; `device(sensor_id)` gives a device to inject faults."""

    def __init__(self) -> None:
        self.lines: dict[str, PtyLine] = {}
        self.rtu: dict[str, RtuBus] = {}
        self.ascii: dict[str, AsciiLine] = {}
        self.devices: dict[str, RtuSlave | AsciiNode] = {}

    def device(self, sensor_id: str) -> RtuSlave | AsciiNode:
        return self.devices[sensor_id]

    def stop(self) -> None:
        for bus in [*self.rtu.values(), *self.ascii.values()]:
            bus.stop()
        for line in self.lines.values():
            line.close()

    def __enter__(self) -> SerialDevices:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_serial_devices(
    facility: Facility,
    links_dir: Path,
    model: Model,
    *,
    gateway_id: str | None = None,
    ascii_interval: float | None = None,
    turnaround: float = 0.0,
) -> SerialDevices:
    """One pty pair per bus (of `gateway_id`, else of every gateway), its devices running,
    and `links_dir/<bus-id>` linked to the port the gateway opens.

    `ascii_interval` overrides how often ASCII nodes report (default: the sensor's
    interval); `turnaround` is a Modbus device's processing time before it answers."""
    out = SerialDevices()
    try:
        for gw_id, bus in _buses(facility, gateway_id):
            sensors = [s for s in facility.sensors
                       if s.bus == bus.id and (g := facility.gateway_of(s)) and g.id == gw_id]
            line = PtyLine(Path(links_dir) / bus.id)
            out.lines[bus.id] = line
            if bus.protocol is BusProtocol.modbus_rtu:
                slaves = [RtuSlave(s, model) for s in sensors if s.transport is Transport.modbus]
                out.rtu[bus.id] = RtuBus(line, slaves, bus.baudrate, bus.parity, bus.stopbits,
                                         turnaround=turnaround).start()
                out.devices.update({s.sensor.id: s for s in slaves})
            else:
                nodes = [AsciiNode(s, model, ascii_interval or s.interval.total_seconds())
                         for s in sensors if s.transport is Transport.ascii]
                out.ascii[bus.id] = AsciiLine(line, nodes, bus.baudrate, bus.parity,
                                              bus.stopbits).start()
                out.devices.update({n.sensor.id: n for n in nodes})
            log.info("simulating bus %s (%s) on %s -> %s", bus.id, bus.protocol.value,
                     line.link, line.port)
    except BaseException:
        out.stop()
        raise
    return out
