"""A live view (rich) of what the simulator injects: per sensor the values it reports, the
faults at work, simulated time and progress, messages published."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from cangjing.config import Facility

_COLUMNS = (("temperature", "T °C", 1), ("humidity", "RH %", 1), ("illuminance", "lux", 0),
            ("battery", "bat V", 2))


@dataclass
class Snapshot:
    mode: str  # "live", "accelerated", "verify <scenario>"
    climate: datetime | None = None  # the instant the physics is at
    stamp: datetime | None = None  # the timestamp published
    progress: float | None = None  # 0..1 for a run with an end
    published: int = 0
    seen: int | None = None
    values: dict[str, dict[str, float]] = field(default_factory=dict)
    active: list[str] = field(default_factory=list)
    silent: set[str] = field(default_factory=set)


class InjectionView:
    def __init__(self, facility: Facility, console: Console | None = None) -> None:
        self.facility = facility
        self.console = console or Console(stderr=True)
        self.snapshot = Snapshot("starting")
        self._lock = threading.Lock()
        self._began = time.monotonic()
        self._live: Live | None = None

    def update(self, snapshot: Snapshot) -> None:
        with self._lock:
            self.snapshot = snapshot

    def render(self) -> Group:
        with self._lock:
            s = self.snapshot
        tz = self.facility.site.tz
        rate = s.published / max(1e-6, time.monotonic() - self._began)
        head = Text.assemble(
            (f"{self.facility.site.name} — {s.mode}", "bold"),
            f"   simulated {s.climate.astimezone(tz):%Y-%m-%d %H:%M}" if s.climate else "",
            f" (published as {s.stamp.astimezone(tz):%Y-%m-%d %H:%M})"
            if s.stamp and s.climate and s.stamp != s.climate else "",
            f"   {s.published} messages, {rate:.0f}/s",
            f", {s.seen} readings back" if s.seen is not None else "",
        )
        table = Table(box=None, pad_edge=False)
        table.add_column("zone")
        table.add_column("sensor")
        for _, title, _ in _COLUMNS:
            table.add_column(title, justify="right")
        table.add_column("")
        for sensor in self.facility.sensors:
            values = s.values.get(sensor.id, {})
            cells = [f"{values[q]:.{d}f}" if q in values else "–" for q, _, d in _COLUMNS]
            marks = [a.split(" ", 1)[0] for a in s.active
                     if a.endswith(f" {sensor.id}") or a.endswith(f" {sensor.zone}")]
            if sensor.id in s.silent:
                marks.append("silent")
            table.add_row(sensor.zone, sensor.id, *cells,
                          Text(", ".join(marks), style="bold red" if marks else ""))
        parts: list = [head]
        if s.progress is not None:
            parts.append(ProgressBar(total=1.0, completed=s.progress, width=60))
        parts.append(table)
        if s.active:
            parts.append(Text("injecting: " + "; ".join(s.active), style="yellow"))
        return Group(*parts)

    def __enter__(self) -> InjectionView:
        self._live = Live(get_renderable=self.render, console=self.console,
                          refresh_per_second=4, transient=False)
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)
