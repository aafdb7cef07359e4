"""The alert engine as a pipeline of named stages (as Prometheus Alertmanager has them):

    evaluate (rules) -> lifecycle (dedupe, pending/firing/resolved) -> record (MQTT event,
    InfluxDB `alert` point) -> route (channels by zone/severity) -> notify (apprise)
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from cangjing.config import Facility
from cangjing.reading import Reading

from .events import AlertEvent, State
from .lifecycle import Lifecycle
from .messages import body, title
from .notify import Message, Notifier
from .routing import channels_for
from .rules.range import observe_range

log = logging.getLogger(__name__)

Recorder = Callable[[AlertEvent], None]


class AlertEngine:
    def __init__(self, facility: Facility, notifier: Notifier, recorders: list[Recorder]) -> None:
        self.facility = facility
        self.notifier = notifier
        self.recorders = recorders
        self.lifecycle = Lifecycle(facility.site.id)
        self.limits = {z.id: z.effective_limits() for z in facility.zones}
        self.zones = {z.id: z for z in facility.zones}

    def on_reading(self, reading: Reading) -> list[AlertEvent]:
        limits = self.limits.get(reading.zone)
        if limits is None or reading.site != self.facility.site.id:
            return []
        settings = self.facility.alerts.range
        events = []
        for obs in observe_range(reading, limits, settings):
            event = self.lifecycle.step(obs, settings.hold, settings.severity)
            if event is not None:
                events.append(event)
                self.handle(event)
        return events

    def handle(self, event: AlertEvent) -> None:
        log.info("alert %s %s %s/%s %s=%s (limit %s)", event.id, event.state.value, event.zone,
                 event.sensor, event.quantity, event.value, event.limit)
        for record in self.recorders:
            try:
                record(event)
            except Exception:  # a recorder failing must not stop notifications
                log.exception("recording alert %s failed", event.id)
        if event.state in (State.firing, State.resolved):
            self.notify(event)

    def notify(self, event: AlertEvent) -> None:
        zone = self.zones[event.zone]
        default_lang = self.facility.notifications.lang
        for channel in channels_for(event, self.facility.notifications):
            lang = self.notifier.lang_of(channel, default_lang)
            self.notifier.send(Message(channel, title(event, zone, lang),
                                       body(event, zone, self.facility.site.tz, lang)))
