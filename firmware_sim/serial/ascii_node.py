"""USB-serial sensor nodes speaking the $CJTH line protocol (grammar: gateway/README.md).

    $CJTH,NS11,20.41,55.2,120,2.98*3F\\r\\n

Each node sends a line every `interval` on its own; one thread per line paces the bytes
at the line's baud rate.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import reduce

from cangjing.config.sensors import Sensor

from .faults import Faults
from .modbus_slave import Model
from .wire import PtyLine, char_time


def checksum(body: bytes) -> str:
    """NMEA-style: XOR of every byte between '$' and '*', two hex digits."""
    return f"{reduce(lambda a, b: a ^ b, body, 0):02X}"


def _num(values: dict[str, float], key: str, fmt: str) -> str:
    return format(values[key], fmt) if key in values else ""


def cjth_line(node: str, values: dict[str, float], battery: float | None = None) -> bytes:
    fields = [
        "CJTH", node,
        _num(values, "temperature", ".2f"),
        _num(values, "humidity", ".1f"),
        _num(values, "illuminance", ".0f"),
    ]
    if battery is not None:
        fields.append(f"{battery:.2f}")
    body = ",".join(fields).encode()
    return b"$" + body + b"*" + checksum(body).encode() + b"\r\n"


@dataclass
class AsciiNode:
    sensor: Sensor
    model: Model
    interval: float
    faults: Faults = field(default_factory=Faults)
    lines: int = 0

    @property
    def node(self) -> str:
        assert self.sensor.node
        return self.sensor.node

    def line(self) -> bytes | None:
        f = self.faults
        if f.flat:
            return None  # battery exhausted: the node is silent
        hit = f.hits()
        if f.no_response and hit:
            return None
        if f.garbage and hit:
            return f.garbage_bytes(8, 40) + b"\r\n"
        values = f.apply(self.model.measure(self.sensor, datetime.now(UTC)))
        line = cjth_line(self.node, values, round(f.battery_now(), 2))
        if f.crc and hit:
            bad = f"{(int(line[-4:-2], 16) ^ 0x21):02X}".encode()
            line = line[:-4] + bad + b"\r\n"
        self.lines += 1
        return line


class AsciiLine:
    """One USB-serial line with its nodes; each node reports on its own interval."""

    def __init__(self, line: PtyLine, nodes: list[AsciiNode], baudrate: int,
                 parity: str = "N", stopbits: int = 1) -> None:
        self.line = line
        self.nodes = nodes
        self.char_s = char_time(baudrate, parity, stopbits)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"ascii-{line.port}", daemon=True)

    def start(self) -> AsciiLine:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def send(self, data: bytes) -> None:
        """Put raw bytes on the line (paced), e.g. noise or a partial line in tests."""
        with self._lock:
            self.line.write_paced(data, self.char_s)

    def _run(self) -> None:
        due = {id(n): time.monotonic() for n in self.nodes}
        while not self._stop.is_set():
            now = time.monotonic()
            for node in self.nodes:
                if due[id(node)] <= now:
                    due[id(node)] += node.interval
                    if due[id(node)] < now:  # fell behind (suspended): no burst of old lines
                        due[id(node)] = now + node.interval
                    data = node.line()
                    if data:
                        self.send(data)
            wait = min(due.values(), default=now + 0.1) - time.monotonic()
            self._stop.wait(max(0.0, min(wait, 0.1)))
