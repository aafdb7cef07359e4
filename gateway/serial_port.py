"""Keeping a serial port open: resolve its `${ENV}` path at open time, and when it is missing
or vanishes, retry with doubling backoff, logging once per state change (not per retry)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from cangjing.config.envref import MissingEnvironment, resolve
from cangjing.config.gateways import Bus

from .health import HealthBook

log = logging.getLogger(__name__)
T = TypeVar("T")


class PortKeeper:
    """Opens `bus.port` with `opener(path)` until it works or `stop` is set."""

    def __init__(self, bus: Bus, health: HealthBook, stop: threading.Event) -> None:
        self.bus = bus
        self.health = health
        self.stop = stop
        self.state = "closed"
        self.opens = 0
        self.attempts = 0

    def path(self) -> str:
        return resolve(self.bus.port)

    def open(self, opener: Callable[[str], T]) -> T | None:
        """The opened port, or None when stopping."""
        delay = self.bus.reopen_min.total_seconds()
        while not self.stop.is_set():
            self.attempts += 1
            try:
                path = self.path()
                port = opener(path)
            except MissingEnvironment as exc:
                self._change("missing", f"port {self.bus.port}: {exc}")
            except (OSError, ValueError) as exc:
                self._change("missing", f"cannot open {self.bus.port}: {exc}")
            else:
                self.opens += 1
                self._change("open", f"{path} at {self.bus.baudrate} baud")
                return port
            self.stop.wait(delay)
            delay = min(delay * 2, self.bus.reopen_max.total_seconds())
        return None

    def lost(self, why: str) -> None:
        self.health.bus_error(self.bus.id, "port_lost")
        self._change("lost", why)

    def _change(self, state: str, why: str) -> None:
        if state == self.state:
            return
        self.state = state
        self.health.set_bus_state(self.bus.id, state)
        level = logging.INFO if state == "open" else logging.WARNING
        suffix = "; retrying with backoff" if state != "open" else ""
        log.log(level, "bus %s: %s (%s)%s", self.bus.id, state, why, suffix)
