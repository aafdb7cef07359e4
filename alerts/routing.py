"""Route stage: which channels an alert goes to, by zone and severity, within the on-call
windows of each route (site time zone), and which channels its escalation steps add."""

from __future__ import annotations

from datetime import datetime

from cangjing.config.notifications import Notifications, Route

from .events import Alert
from .silences import in_window


def _matches(route: Route, alert: Alert, local: datetime) -> bool:
    zones = {alert.zone, *alert.extra.get("zones", ())}  # a gateway serves several zones
    if route.zones and not zones & set(route.zones):
        return False
    if route.severities and alert.severity not in route.severities:
        return False
    return not route.windows or any(in_window(w, local) for w in route.windows)


def routes_for(alert: Alert, notifications: Notifications,
               local: datetime) -> list[tuple[int, Route]]:
    return [(i, r) for i, r in enumerate(notifications.routes) if _matches(r, alert, local)]


def channels_for(alert: Alert, notifications: Notifications, local: datetime) -> list[str]:
    out: list[str] = []
    for _, route in routes_for(alert, notifications, local):
        out += [c for c in route.channels if c not in out]
    return out


def escalations_due(alert: Alert, notifications: Notifications, local: datetime,
                    unacked_s: float) -> list[tuple[str, list[str]]]:
    """(step key, channels) of escalation steps due and not yet done for this alert."""
    out = []
    for i, route in routes_for(alert, notifications, local):
        for j, step in enumerate(route.escalate):
            key = f"r{i}e{j}"
            if key not in alert.escalated and unacked_s >= step.after.total_seconds():
                out.append((key, list(step.channels)))
    return out
