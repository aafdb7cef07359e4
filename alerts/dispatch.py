"""Dispatch stage (as Alertmanager's): suppress (silences, maintenance windows, inhibition by
an offline gateway, past breaches), group per zone for `group_wait`, route, send; repeat
until acknowledged; escalate to further channels; send the resolved message to whoever was
told of the alert.

An alert that cannot be sent now (silenced, in maintenance, inhibited, or no route's on-call
window open) keeps `notified_at` empty, and the next tick sends it once nothing holds it
back any more; one already sent is never sent again as new, so a restart does not page
twice. Info alerts are sent once: no repeats, no escalation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cangjing.config import Facility

from .events import Alert, State
from .health import GATEWAY_ZONE, Health
from .lifecycle import Lifecycle
from .messages import group_message, where
from .notify import Message, Notifier
from .routing import channels_for, escalations_due
from .signing import Signer
from .silences import Silence, maintenance_of
from .store import Store

log = logging.getLogger(__name__)

PAGING = ("firing", "repeat", "escalation")


@dataclass
class Group:
    deadline: float
    alerts: dict[str, tuple[Alert, list[str] | None]] = field(default_factory=dict)


class Dispatcher:
    def __init__(self, facility: Facility, lifecycle: Lifecycle, notifier: Notifier,
                 store: Store, signer: Signer | None, public_url: str | None) -> None:
        self.facility = facility
        self.settings = facility.alerts
        self.notifications = facility.notifications
        self.lifecycle = lifecycle
        self.notifier = notifier
        self.store = store
        self.signer = signer
        self.public_url = public_url
        self.tz = facility.site.tz
        self.silences: list[Silence] = store.silences()
        self.groups: dict[tuple[str, str], Group] = {}
        self.health: Health | None = None  # set by the engine: gateway inhibition
        self.queued: set[str] = set()
        self.last_page: dict[str, float] = {}  # zone -> time of its last "firing" message
        self.places = {lang: {z.id: z.display_name(lang) for z in facility.zones}
                       for lang in ("zh", "en")}

    def _local(self, now: float) -> datetime:
        return datetime.fromtimestamp(now, UTC).astimezone(self.tz)

    def suppression(self, alert: Alert, now: float) -> str:
        """Why this firing alert must not be sent now ("" = send it)."""
        if alert.past:
            return "past breach (replayed readings)"
        for s in self.silences:
            if s.matches(alert, now):
                return f"silenced ({s.id}: {s.reason})"
        mw = maintenance_of(alert, self.settings.maintenance, self._local(now))
        if mw is not None:
            return f"maintenance ({mw.reason})"
        if alert.rule == "stale" and self.health is not None:
            gw = alert.extra.get("gateway")
            gw_alert = self.lifecycle.tracks.get(("gateway_offline", GATEWAY_ZONE, gw or ""))
            if (gw_alert is not None and gw_alert.state is not State.pending) or (
                    gw_alert is None and self.health.inhibits(gw, alert.sensor, now)):
                return f"inhibited (gateway {gw} offline)"
        return ""

    def on_transition(self, alert: Alert, now: float) -> None:
        if alert.state is State.firing:
            alert.suppressed = self.suppression(alert, now)
            if not alert.suppressed and alert.notified_at is None:
                self.enqueue(alert, "firing", now, self.settings.group_wait.total_seconds())
        elif alert.state is State.resolved:
            if alert.channels:
                self.enqueue(alert, "resolved", now, self.settings.group_wait.total_seconds(),
                             list(alert.channels))
            elif alert.past:
                self.enqueue(alert, "past", now, self.settings.group_wait.total_seconds())
        self.flush_due(now)

    def enqueue(self, alert: Alert, kind: str, now: float, wait: float,
                channels: list[str] | None = None) -> None:
        deadline = now + wait
        if kind == "firing":  # not sooner than group_interval after the zone's last page
            deadline = max(deadline, self.last_page.get(alert.zone, -1e18)
                           + self.settings.group_interval.total_seconds())
        group = self.groups.setdefault((alert.zone, kind), Group(deadline))
        group.alerts[alert.id] = (alert, channels)
        if kind in PAGING:
            self.queued.add(alert.id)

    def next_deadline(self) -> float | None:
        return min((g.deadline for g in self.groups.values()), default=None)

    def flush_due(self, now: float) -> None:
        for key in [k for k, g in self.groups.items() if g.deadline <= now]:
            self._flush(key, self.groups.pop(key), now)

    def _flush(self, key: tuple[str, str], group: Group, now: float) -> None:
        kind = key[1]
        local = self._local(now)
        per_channel: dict[str, list[Alert]] = {}
        for alert, fixed in group.alerts.values():
            self.queued.discard(alert.id)
            if kind in PAGING:
                live = self.lifecycle.tracks.get(alert.key)
                if live is not alert or alert.state is not State.firing:
                    continue  # acknowledged or resolved while it waited
                alert.suppressed = self.suppression(alert, now)
                if alert.suppressed:
                    continue
            channels = fixed if fixed is not None else channels_for(
                alert, self.notifications, local)
            channels = [c for c in channels if c in self.notifier.workers]
            if not channels and kind in PAGING:
                alert.suppressed = "no route open now (on-call schedule)"
                continue
            for ch in channels:
                per_channel.setdefault(ch, []).append(alert)
            if kind in PAGING:
                alert.notified_at = now
                alert.first_notified_at = alert.first_notified_at or now
                alert.notify_count += 1
                alert.channels += [c for c in channels if c not in alert.channels]
        if per_channel and kind == "firing":
            self.last_page[key[0]] = now
        everyone = tuple(per_channel)
        for channel, alerts in per_channel.items():
            self._send(channel, kind, alerts, tuple(c for c in everyone if c != channel))
        if kind in PAGING:  # after sending: see AlertEngine._apply
            for alert in {a.id: a for items in per_channel.values() for a in items}.values():
                self.store.save(alert, now)

    def _send(self, channel: str, kind: str, alerts: list[Alert],
              fallback: tuple[str, ...]) -> None:
        lang = self.notifier.lang_of(channel, self.notifications.lang)
        place = where(alerts[0], self.places[lang], lang)
        links = {}
        if self.signer and self.public_url and kind in PAGING:
            links = {a.id: self.signer.link(self.public_url, a.id) for a in alerts}
        title, body = group_message(kind, place, alerts, self.tz, lang, links)
        self.notifier.send(Message(channel, title, body, fallback))
        log.info("sent %s message for %d alert(s) in %s to %s", kind, len(alerts),
                 alerts[0].zone, channel)

    def tick(self, now: float) -> None:
        repeat = self.notifications.repeat.total_seconds()
        group_wait = self.settings.group_wait.total_seconds()
        local = self._local(now)
        for alert in self.lifecycle.active():
            if alert.state is not State.firing:
                continue
            reason = self.suppression(alert, now)
            waiting = not reason and alert.suppressed.startswith("no route")  # retried below
            if reason != alert.suppressed and not waiting:
                alert.suppressed = reason
                self.store.save(alert, now)
            if reason or alert.id in self.queued:
                continue
            if alert.notified_at is None:
                self.enqueue(alert, "firing", now, group_wait)  # held back until now
                continue
            if alert.severity == "info":
                continue
            if repeat > 0 and now - alert.notified_at >= repeat:
                self.enqueue(alert, "repeat", now, 0)
            assert alert.first_notified_at is not None
            for step, channels in escalations_due(alert, self.notifications, local,
                                                  now - alert.first_notified_at):
                alert.escalated.append(step)
                self.enqueue(alert, "escalation", now, 0, channels)
        self.flush_due(now)

    def notice(self, channels: tuple[str, ...],
               make: Callable[[str], tuple[str, str]]) -> None:
        """Send a service notice (e.g. a channel failing) to the healthy channels given."""
        for ch in channels:
            if self.notifier.healthy(ch):
                lang = self.notifier.lang_of(ch, self.notifications.lang)
                title, body = make(lang)
                self.notifier.send(Message(ch, title, body))
