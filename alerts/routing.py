"""Route stage: which channels an event goes to (routes from the facility file)."""

from __future__ import annotations

from cangjing.config.notifications import Notifications

from .events import AlertEvent


def channels_for(event: AlertEvent, notifications: Notifications) -> list[str]:
    out: list[str] = []
    for route in notifications.routes:
        if route.zones and event.zone not in route.zones:
            continue
        if route.severities and event.severity not in route.severities:
            continue
        out += [c for c in route.channels if c not in out]
    return out
