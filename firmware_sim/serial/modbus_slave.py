"""Modbus RTU transmitters on a simulated RS-485 bus (one pty per bus, several units on it).

Like a real half-duplex bus, one thread serves the line: it takes in a request (which needs
its bytes' wire time plus the 3.5-character silence that ends an RTU frame), lets the
addressed unit answer, and sends the answer paced at the baud rate. A request for an
address nobody has, or with a bad CRC, gets no answer, as on a real bus.
"""

from __future__ import annotations

import logging
import select
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from pymodbus.framer import FramerRTU

from cangjing.config.registers import RegisterMap
from cangjing.config.sensors import Sensor

from .faults import Faults
from .wire import PtyLine, char_time

log = logging.getLogger(__name__)

SILENCE_CHARS = 3.5  # Modbus RTU: a frame ends after 3.5 character times of silence


class Model(Protocol):
    def measure(self, sensor: Sensor, when: datetime) -> dict[str, float]: ...


def crc16(frame: bytes) -> bytes:
    return FramerRTU.compute_CRC(frame).to_bytes(2, "big")


def exception_frame(unit: int, function: int, code: int) -> bytes:
    body = bytes([unit, function | 0x80, code])
    return body + crc16(body)


@dataclass
class RtuSlave:
    """One transmitter: a unit address, its register map, what it measures, its faults."""

    sensor: Sensor
    model: Model
    faults: Faults = field(default_factory=Faults)
    requests: int = 0

    @property
    def unit(self) -> int:
        assert self.sensor.unit is not None
        return self.sensor.unit

    @property
    def map(self) -> RegisterMap:
        regs = self.sensor.register_map()
        assert regs is not None
        return regs

    def registers(self) -> list[int]:
        values = self.faults.apply(self.model.measure(self.sensor, datetime.now(UTC)))
        return self.map.encode(values)

    def answer(self, function: int, address: int, count: int) -> tuple[bytes | None, float]:
        """(response frame or None for silence, extra delay) for a read request."""
        self.requests += 1
        f = self.faults
        hit = f.hits()
        if f.no_response and hit:
            return None, 0.0
        if f.garbage and hit:
            return f.garbage_bytes(), f.slow
        if f.exception is not None and hit:
            return exception_frame(self.unit, function, f.exception), f.slow
        m = self.map
        if function != m.function:
            return exception_frame(self.unit, function, 1), f.slow  # illegal function
        if address < m.start or address + count > m.start + m.count or count < 1:
            return exception_frame(self.unit, function, 2), f.slow  # illegal data address
        regs = self.registers()[address - m.start: address - m.start + count]
        body = bytes([self.unit, function, 2 * count]) + struct.pack(f">{count}H", *regs)
        frame = body + crc16(body)
        if f.crc and hit:
            frame = frame[:-2] + bytes([frame[-2] ^ 0x5A, frame[-1]])
        return frame, f.slow


class RtuBus:
    """A thread serving every RtuSlave of one bus on one pty line."""

    def __init__(self, line: PtyLine, slaves: list[RtuSlave], baudrate: int,
                 parity: str = "N", stopbits: int = 1, turnaround: float = 0.0) -> None:
        self.line = line
        self.slaves = {s.unit: s for s in slaves}
        self.char_s = char_time(baudrate, parity, stopbits)
        self.turnaround = turnaround  # device processing time before it answers
        self.frames = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rtu-bus-{line.port}",
                                        daemon=True)

    def start(self) -> RtuBus:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _frame_length(self, buf: bytes) -> int | None:
        """Length of the request at the start of `buf`, if known from its function code."""
        if len(buf) < 2:
            return None
        function = buf[1]
        if function in (1, 2, 3, 4, 5, 6):
            return 8
        if function in (15, 16) and len(buf) >= 7:
            return 9 + buf[6]
        return None

    def _run(self) -> None:
        buf = b""
        first = last = 0.0
        silence = SILENCE_CHARS * self.char_s
        while not self._stop.is_set():
            ready, _, _ = select.select([self.line.master], [], [], 0.05)
            now = time.monotonic()
            if ready:
                data = self.line.read()
                if data:
                    if not buf:
                        first = now
                    buf += data
                    last = now
            if not buf:
                continue
            size = self._frame_length(buf)
            if size is not None and len(buf) >= size:
                frame, buf = buf[:size], buf[size:]
                # The request is complete on the wire only after its bytes' time.
                done = max(first + size * self.char_s, last)
                first = now
                self._serve(frame, done + silence)
            elif now - last > max(silence, 0.02):
                buf = b""  # an unknown or broken frame: a real device ignores it

    def _serve(self, frame: bytes, not_before: float) -> None:
        if len(frame) < 4 or crc16(frame[:-2]) != frame[-2:]:
            return
        slave = self.slaves.get(frame[0])
        if slave is None:
            return
        self.frames += 1
        function = frame[1]
        if function not in (3, 4):
            response: bytes | None = exception_frame(slave.unit, function, 1)
            delay = 0.0
        else:
            address, count = struct.unpack(">HH", frame[2:6])
            response, delay = slave.answer(function, address, count)
        if response is None:
            return
        start = not_before + self.turnaround + delay
        wait = start - time.monotonic()
        if wait > 0 and self._stop.wait(wait):
            return
        self.line.write_paced(response, self.char_s, start=max(start, time.monotonic()))
