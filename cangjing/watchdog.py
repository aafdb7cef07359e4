"""systemd's notify protocol (sd_notify), without a library: READY, WATCHDOG pings, STOPPING.

A unit with `Type=notify` and `WatchdogSec=` (config/systemd/cangjing-gateway.service)
restarts the service when the pings stop, i.e. when its main loop hangs, not only when
it exits. Outside systemd (no NOTIFY_SOCKET) every call does nothing.

Where to call it (run_until_signal in cangjing/service.py):
    ready() once the services have started; ping() on each turn of the wait loop
    (or Watchdog().tick(), which paces itself); stopping() before stopping them.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping


def _address(env: Mapping[str, str]) -> str | None:
    path = env.get("NOTIFY_SOCKET")
    if not path:
        return None
    # '@' names a socket in the abstract namespace
    return "\0" + path[1:] if path.startswith("@") else path


def notify(state: str, env: Mapping[str, str] | None = None) -> bool:
    """Send one notify message ("READY=1", "WATCHDOG=1", ...); False outside systemd."""
    address = _address(os.environ if env is None else env)
    if address is None:
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.sendto(state.encode(), address)
        except OSError:
            return False
    return True


def ready(status: str = "running") -> bool:
    return notify(f"READY=1\nSTATUS={status}")


def stopping() -> bool:
    return notify("STOPPING=1")


def ping() -> bool:
    return notify("WATCHDOG=1")


def interval(env: Mapping[str, str] | None = None) -> float | None:
    """Seconds between pings: half of WatchdogSec as systemd passes it, None if unset."""
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC")
    pid = env.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1e6 / 2


class Watchdog:
    """Pings at most every `interval()` seconds, from whatever loop calls `tick()`."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env
        self.every = interval(self.env)
        self._last = 0.0

    def tick(self) -> bool:
        """Ping if one is due; True when a ping was sent."""
        if self.every is None or time.monotonic() - self._last < self.every:
            return False
        self._last = time.monotonic()
        return notify("WATCHDOG=1", self.env)
