"""Per-sensor health: last seen, readings, error counts by kind, state; published in status.

States: `unknown` (nothing yet), `ok`, `failing` (last poll failed), `offline` (too many
failures in a row; tried rarely), `stale` (no reading for `stale_after` intervals).
A device's state changes are logged once each, never per failed poll.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("gateway.health")


@dataclass
class DeviceHealth:
    sensor: str
    transport: str
    interval: float
    state: str = "unknown"
    last_seen: float | None = None  # epoch seconds of the last good reading
    readings: int = 0
    retries: int = 0
    consecutive_failures: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    last_error: str | None = None
    calibration_overdue: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _set_state(self, state: str, why: str = "") -> None:
        if state != self.state:
            old, self.state = self.state, state
            level = logging.INFO if state == "ok" else logging.WARNING
            if old != "unknown" or state != "ok":
                log.log(level, "sensor %s: %s -> %s%s", self.sensor, old, state,
                        f" ({why})" if why else "")

    def success(self, retries: int = 0) -> None:
        with self._lock:
            self.last_seen = time.time()
            self.readings += 1
            self.retries += retries
            self.consecutive_failures = 0
            self._set_state("ok")

    def failure(self, kind: str, reason: str, offline_after: int | None = None,
                retries: int = 0) -> None:
        with self._lock:
            self.errors[kind] += 1
            self.retries += retries
            self.consecutive_failures += 1
            self.last_error = f"{kind}: {reason}"
            if offline_after is not None and self.consecutive_failures >= offline_after:
                self._set_state("offline", self.last_error)
            elif self.state != "offline":
                self._set_state("failing", self.last_error)

    def error(self, kind: str) -> None:
        """An error that does not change the device's state (e.g. one bad line)."""
        with self._lock:
            self.errors[kind] += 1

    def check_stale(self, now: float, stale_after: float) -> None:
        with self._lock:
            silent_since = self.last_seen
            if silent_since is not None and now - silent_since > stale_after * self.interval:
                self._set_state("stale", f"no reading for {now - silent_since:.0f}s")

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            doc: dict[str, Any] = {
                "state": self.state,
                "transport": self.transport,
                "last_seen": self.last_seen,
                "readings": self.readings,
                "errors": dict(self.errors),
                "retries": self.retries,
            }
            if self.last_error:
                doc["last_error"] = self.last_error
            if self.calibration_overdue:
                doc["calibration_overdue"] = True
            return doc


class HealthBook:
    """Health of every sensor of the gateway, plus bus-level counters (lines, ports)."""

    def __init__(self) -> None:
        self.devices: dict[str, DeviceHealth] = {}
        self.buses: dict[str, Counter[str]] = {}
        self.bus_state: dict[str, str] = {}
        self._lock = threading.Lock()

    def add(self, sensor: str, transport: str, interval: float) -> DeviceHealth:
        health = DeviceHealth(sensor, transport, interval)
        self.devices[sensor] = health
        return health

    def bus_error(self, bus: str, kind: str) -> None:
        with self._lock:
            self.buses.setdefault(bus, Counter())[kind] += 1

    def set_bus_state(self, bus: str, state: str) -> None:
        with self._lock:
            self.bus_state[bus] = state

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            buses = {b: {"state": self.bus_state.get(b, "unknown"),
                         "errors": dict(self.buses.get(b, {}))}
                     for b in set(self.bus_state) | set(self.buses)}
        return {"sensors": {k: v.snapshot() for k, v in self.devices.items()}, "buses": buses}
