"""Polling the Modbus RTU transmitters of one RS-485 bus (pymodbus on pyserial), one thread.

Scheduling keeps healthy devices on their interval whatever the others do:
- a device that answered last time is polled when due, with the bus's retries;
- a device that failed last time (or has never answered) costs up to timeout × (1 +
  retries), so it is polled only where that fits before the next healthy device is due
  (or when it has waited a whole extra interval: nobody starves);
- after `offline_after` failures in a row a device is offline: tried once, without
  retries, every `offline_poll`, under the same rule.
Timeouts, retries, CRC errors, garbage and exception responses are counted per device;
none of them stops the bus. A port that is missing or vanishes is reopened with backoff.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from pymodbus.client import ModbusSerialClient
from pymodbus.exceptions import ConnectionException, ModbusException

from cangjing.config.gateways import Bus
from cangjing.config.registers import RegisterMap
from cangjing.config.sensors import Sensor

from .health import DeviceHealth, HealthBook
from .serial_port import PortKeeper

log = logging.getLogger(__name__)

SILENCE_CHARS = 3.5
Emit = Callable[[Sensor, datetime, dict[str, float]], object]


class PollError(Exception):
    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind


class PortLost(Exception):
    pass


def char_time(bus: Bus) -> float:
    bits = 1 + 8 + (0 if bus.parity == "N" else 1) + bus.stopbits
    return bits / bus.baudrate


@dataclass
class Slot:
    sensor: Sensor
    regmap: RegisterMap
    health: DeviceHealth
    interval: float
    due: float

    @property
    def proven(self) -> bool:
        return self.health.consecutive_failures == 0 and self.health.readings > 0

    @property
    def offline(self) -> bool:
        return self.health.state == "offline"


class ModbusBusPoller:
    def __init__(self, bus: Bus, sensors: list[Sensor], health: HealthBook, emit: Emit) -> None:
        self.bus = bus
        self.emit = emit
        self.health = health
        self.char_s = char_time(bus)
        self.timeout = bus.timeout.total_seconds()
        now = time.monotonic()
        self.slots = []
        for s in sensors:
            regmap = s.register_map()
            assert regmap is not None  # the facility model guarantees a map for modbus
            self.slots.append(Slot(s, regmap, health.devices[s.id], s.interval.total_seconds(),
                                   now))
        self._stop = threading.Event()
        self.port = PortKeeper(bus, health, self._stop)
        self._client: ModbusSerialClient | None = None
        self._rx = b""
        self._line_free = 0.0
        self.polls = 0
        self._thread = threading.Thread(target=self._run, name=f"modbus-{bus.id}", daemon=True)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        # pymodbus logs every timeout and failed open as an error; we count them per device
        # and log state changes instead (set here: logging set-up may run after import).
        logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self._close()

    def _open(self, path: str) -> ModbusSerialClient:
        client = ModbusSerialClient(
            path, baudrate=self.bus.baudrate, bytesize=8, parity=self.bus.parity,
            stopbits=self.bus.stopbits, timeout=self.timeout, retries=0,
            trace_packet=self._trace,
        )
        if not client.connect():
            raise OSError(f"cannot open {path}")
        assert client.socket is not None
        client.socket.reset_input_buffer()
        return client

    def _close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _trace(self, sending: bool, data: bytes) -> bytes:
        if not sending:
            self._rx = data  # what arrived for this attempt (to tell CRC errors from noise)
        return data

    # -- scheduling -------------------------------------------------------------------------
    def _pick(self, now: float) -> tuple[Slot | None, float]:
        """The slot to poll now, or None and how long to wait."""
        proven = [s for s in self.slots if s.proven]
        doubtful = sorted((s for s in self.slots if not s.proven and s.due <= now),
                          key=lambda s: s.due)
        starved = [s for s in doubtful if now - s.due > self._period(s)]
        if starved:  # no gap came for a whole period: its turn, whatever it costs
            return starved[0], 0.0
        due_proven = [s for s in proven if s.due <= now]
        if due_proven:
            return min(due_proven, key=lambda s: s.due), 0.0
        next_proven = min((s.due for s in proven), default=float("inf"))
        for slot in doubtful:
            if now + self._worst_cost(slot) <= next_proven:
                return slot, 0.0
        later = [s.due for s in self.slots if s.due > now]
        return None, max(0.0, min([*later, next_proven, now + 0.2]) - now)

    def _worst_cost(self, slot: Slot) -> float:
        tries = 1 if slot.offline else 1 + self.bus.retries
        return tries * (self.timeout + 2 * self.char_s * SILENCE_CHARS) + 0.01

    def _period(self, slot: Slot) -> float:
        return self.bus.offline_poll.total_seconds() if slot.offline else slot.interval

    def _reschedule(self, slot: Slot, now: float) -> None:
        period = self._period(slot)
        slot.due += period
        if slot.due <= now:  # fell behind: keep the phase, skip what cannot be caught up
            slot.due += period * ((now - slot.due) // period + 1)

    # -- polling ----------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            if self._client is None:
                self._client = self.port.open(self._open)
                if self._client is None:
                    return
            slot, wait = self._pick(time.monotonic())
            if slot is None:
                self._stop.wait(min(wait, 0.5))
                continue
            try:
                self._poll(slot)
            except PortLost as exc:
                self._close()
                self.port.lost(str(exc))
            except Exception as exc:  # e.g. the outbox's disk: never end the bus for it
                slot.health.failure("internal", repr(exc))
                log.exception("bus %s: unexpected error polling %s", self.bus.id, slot.sensor.id)
                self._stop.wait(1.0)
            finally:
                self._reschedule(slot, time.monotonic())

    def _poll(self, slot: Slot) -> None:
        tries = 1 if slot.offline else 1 + self.bus.retries
        failure: PollError | None = None
        for attempt in range(tries):
            try:
                registers = self._transact(slot)
            except PollError as exc:
                failure = exc
                if exc.kind == "exception":
                    break  # the device answered: asking again gets the same answer
                continue
            values = slot.regmap.decode(registers)
            slot.health.success(retries=attempt)
            self.emit(slot.sensor, datetime.now(UTC), values)
            return
        assert failure is not None
        slot.health.failure(failure.kind, str(failure), self.bus.offline_after,
                            retries=tries - 1 if failure.kind != "exception" else 0)

    def _transact(self, slot: Slot) -> list[int]:
        client = self._client
        assert client is not None
        # Modbus RTU: a new frame may start only after 3.5 characters of silence.
        gap = self._line_free - time.monotonic()
        if gap > 0:
            time.sleep(gap)
        self._rx = b""
        regmap, unit = slot.regmap, slot.sensor.unit or 0
        read = (client.read_holding_registers if regmap.function == 3
                else client.read_input_registers)
        self.polls += 1
        try:
            response = read(regmap.start, count=regmap.count, device_id=unit)
        except ConnectionException as exc:
            raise PortLost(f"port lost: {exc}") from None
        except ModbusException:
            raise self._classify(unit, regmap) from None
        except OSError as exc:
            raise PortLost(f"port lost: {exc}") from None
        finally:
            self._line_free = time.monotonic() + SILENCE_CHARS * self.char_s
        if response.isError():
            code = getattr(response, "exception_code", "?")
            raise PollError("exception", f"exception response, code {code}")
        registers = list(response.registers)
        if len(registers) != regmap.count:
            raise PollError("garbage", f"{len(registers)} registers, expected {regmap.count}")
        return registers

    def _classify(self, unit: int, regmap: RegisterMap) -> PollError:
        rx = self._rx
        if not rx:
            return PollError("timeout", f"no answer within {self.timeout:.3g}s")
        good_len = 5 + 2 * regmap.count
        if rx[0] == unit and len(rx) in (good_len, 5) and rx[1] & 0x7F == regmap.function:
            return PollError("crc", f"CRC error in a {len(rx)}-byte answer")
        return PollError("garbage", f"{len(rx)} bytes that are no answer: {rx[:16].hex()}")
