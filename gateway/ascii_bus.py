"""Reading the USB-serial ASCII nodes of one port: lines in, readings out, one thread.

Garbage, partial lines, bad checksums and lines of nodes this gateway does not know are
counted (per bus; per sensor when the line names a known node) and skipped; the next good
line goes through. A port that is missing or vanishes is reopened with backoff.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import serial

from cangjing.config.gateways import Bus
from cangjing.config.sensors import Sensor

from .ascii_protocol import LineError, LineSplitter, parse_line
from .health import HealthBook
from .serial_port import PortKeeper

log = logging.getLogger(__name__)
Emit = Callable[[Sensor, datetime, dict[str, float]], object]


class AsciiBusReader:
    def __init__(self, bus: Bus, sensors: list[Sensor], health: HealthBook, emit: Emit) -> None:
        self.bus = bus
        self.by_node = {s.node: s for s in sensors if s.node}
        self.health = health
        self.emit = emit
        self.lines = 0
        self._logged: set[str] = set()
        self._stop = threading.Event()
        self.port = PortKeeper(bus, health, self._stop)
        self._thread = threading.Thread(target=self._run, name=f"ascii-{bus.id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _open(self, path: str) -> serial.Serial:
        port = serial.Serial(path, baudrate=self.bus.baudrate, parity=self.bus.parity,
                             stopbits=self.bus.stopbits, timeout=0.2, exclusive=True)
        port.reset_input_buffer()  # what piled up while nobody listened is stale
        return port

    def _run(self) -> None:
        while not self._stop.is_set():
            port = self.port.open(self._open)
            if port is None:
                return
            splitter = LineSplitter()
            try:
                while not self._stop.is_set():
                    data = port.read(max(1, port.in_waiting))
                    if data:
                        for item in splitter.feed(data):
                            self._handle(item)
            except (OSError, serial.SerialException) as exc:
                self.port.lost(f"port lost: {exc}")
            except Exception:  # a bug or a full disk must not end the bus
                log.exception("bus %s: unexpected error; reopening", self.bus.id)
                self._stop.wait(1.0)
            finally:
                port.close()

    def _reject(self, kind: str, reason: str, sensor: Sensor | None = None) -> None:
        self.health.bus_error(self.bus.id, kind)
        if sensor is not None:
            self.health.devices[sensor.id].error(kind)
        if kind not in self._logged:
            self._logged.add(kind)
            log.warning("bus %s: skipped a line (%s: %s); logged once per kind, counted",
                        self.bus.id, kind, reason)

    def _handle(self, item: bytes | LineError) -> None:
        if isinstance(item, LineError):
            self._reject(item.kind, str(item))
            return
        try:
            node, values = parse_line(item)
        except LineError as exc:
            self._reject(exc.kind, str(exc), self._node_of(item))
            return
        sensor = self.by_node.get(node)
        if sensor is None:
            self._reject("unknown_node", f"no sensor has node {node!r} on this bus")
            return
        self.lines += 1
        self.health.devices[sensor.id].success()
        self.emit(sensor, datetime.now(UTC), values)

    def _node_of(self, line: bytes) -> Sensor | None:
        """The known sensor a damaged line names, if it names one (for per-sensor counts)."""
        parts = line.split(b",")
        if len(parts) > 2:
            return self.by_node.get(parts[1].decode("ascii", "replace"))
        return None


