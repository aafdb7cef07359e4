"""What every long-running command shares: logging, and stopping on SIGTERM/SIGINT."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from typing import Protocol

from . import watchdog


class Service(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


def setup_logging(level: str | None = None) -> None:
    level = (level or os.environ.get("CANGJING_LOG_LEVEL") or "INFO").upper()
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("urllib3", "apscheduler", "pymodbus"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from .security.redact import install_redaction

    install_redaction()  # no password or token in any log line (docs/deployment.md)


def stop_event_on_signals() -> threading.Event:
    """An Event set by SIGTERM or SIGINT (the first one); a second SIGINT exits at once."""
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        logging.getLogger("cangjing").info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


def run_until_signal(*services: Service) -> None:
    """Start the services, wait for SIGTERM/SIGINT, stop them in reverse order."""
    stop = stop_event_on_signals()
    started: list[Service] = []
    dog = watchdog.Watchdog()
    try:
        for svc in services:
            svc.start()
            started.append(svc)
        watchdog.ready()  # systemd Type=notify: started; no-op outside systemd
        while not stop.wait(0.5):
            dog.tick()
    finally:
        watchdog.stopping()
        for svc in reversed(started):
            svc.stop()
