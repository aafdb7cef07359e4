"""The alert service: readings in; alert events, annotations and notifications out.

Reads:  cangjing/<site>/+/+/reading (QoS 1)
Writes: cangjing/<site>/alerts/<zone> (QoS 1), InfluxDB measurement `alert`,
        notifications through the facility's apprise channels,
        cangjing/<site>/deadletter for readings it cannot parse.
"""

from __future__ import annotations

import logging

from cangjing.config import Facility
from cangjing.deadletter import DeadLetters
from cangjing.influx import InfluxClient, InfluxError
from cangjing.lineprotocol import encode
from cangjing.mqtt import MqttConnection
from cangjing.reading import ReadingError, parse_reading
from cangjing.topics import Topics

from .engine import AlertEngine
from .events import AlertEvent
from .messages import body
from .notify import Notifier

log = logging.getLogger(__name__)


def alert_line(event: AlertEvent, message: str) -> str:
    tags = {"site": event.site, "zone": event.zone, "sensor": event.sensor, "rule": event.rule,
            "severity": event.severity, "state": event.state.value}
    fields = {"value": float(event.value), "limit": None if event.limit is None
              else float(event.limit), "message": message, "id": event.id}
    return encode("alert", tags, fields, int(event.time.timestamp() * 1e9))


class AlertService:
    def __init__(self, facility: Facility, mqtt_url: str, influx: InfluxClient | None) -> None:
        self.facility = facility
        self.topics = Topics(facility.mqtt.prefix, facility.site.id)
        self.influx = influx
        self.conn = MqttConnection(mqtt_url, "cangjing-alerts", on_connect=self._on_connect)
        self.conn.client.on_message = self._on_message
        self.deadletters = DeadLetters(self.conn, self.topics.deadletter, "alerts")
        self.notifier = Notifier(facility.notifications.channels)
        self.engine = AlertEngine(facility, self.notifier, [self.publish, self.annotate])

    def _on_connect(self, conn: MqttConnection) -> None:
        conn.client.subscribe(self.topics.all_readings, qos=1)

    def _on_message(self, client, userdata, msg) -> None:
        try:
            reading = parse_reading(msg.payload)
        except ReadingError as exc:
            self.deadletters.reject("invalid reading", str(exc), msg.topic, msg.payload)
            return
        self.engine.on_reading(reading)

    def publish(self, event: AlertEvent) -> None:
        self.conn.client.publish(self.topics.alerts(event.zone), event.to_json(), qos=1)

    def annotate(self, event: AlertEvent) -> None:
        if self.influx is None:
            return
        zone = self.facility.zone(event.zone)
        text = body(event, zone, self.facility.site.tz, self.facility.notifications.lang)
        try:
            self.influx.write(alert_line(event, text))
        except InfluxError as exc:
            log.warning("could not annotate alert %s in InfluxDB: %s", event.id, exc)

    def start(self) -> None:
        if self.influx is not None:
            try:
                self.influx.ensure_database()
            except InfluxError as exc:
                log.warning("InfluxDB not ready for alert annotations: %s", exc)
        self.conn.start()
        log.info("alerts watching %d zones", len(self.facility.zones))

    def stop(self) -> None:
        self.conn.stop()
        self.notifier.close()
        log.info("alerts stopped")
