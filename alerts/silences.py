"""Silences (one-off, from the CLI or the API) and maintenance windows (weekly, from the
facility file): alerts they match are still recorded, but not sent while they last. When a
silence ends and the alert is still firing, it is sent then."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import datetime

from cangjing.config.alerting import WEEKDAYS, MaintenanceWindow, TimeWindow

from .events import Alert


@dataclass
class Silence:
    id: str
    zone: str  # a zone id, or "*" for every zone
    starts: float  # epoch seconds
    ends: float
    reason: str
    created_by: str = ""
    sensor: str | None = None

    @classmethod
    def new(cls, zone: str, starts: float, seconds: float, reason: str, by: str = "",
            sensor: str | None = None) -> Silence:
        return cls(secrets.token_hex(4), zone, starts, starts + seconds, reason, by, sensor)

    def active(self, now: float) -> bool:
        return self.starts <= now < self.ends

    def matches(self, alert: Alert, now: float) -> bool:
        if not self.active(now):
            return False
        if self.sensor and self.sensor != alert.sensor:
            return False
        return self.zone == "*" or self.zone == alert.zone or self.zone in alert.extra.get(
            "zones", ())

    def doc(self) -> dict:
        return asdict(self)


def in_window(window: TimeWindow, local: datetime) -> bool:
    """Is the local time inside the weekly window (which may run past midnight)?"""
    day = WEEKDAYS[local.weekday()]
    prev = WEEKDAYS[(local.weekday() - 1) % 7]
    t = local.time().replace(tzinfo=None)
    if window.start < window.end:
        return day in window.days and window.start <= t < window.end
    if window.start == window.end:  # the whole day
        return day in window.days
    return (day in window.days and t >= window.start) or (
        prev in window.days and t < window.end)


def maintenance_of(alert: Alert, windows: list[MaintenanceWindow],
                   local: datetime) -> MaintenanceWindow | None:
    zones = {alert.zone, *alert.extra.get("zones", ())}
    for mw in windows:
        if (not mw.zones or zones & set(mw.zones)) and in_window(mw.window, local):
            return mw
    return None
