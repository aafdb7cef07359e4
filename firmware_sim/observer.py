"""What the running system says while a scenario runs: alert events, readings as the
pipeline publishes them, gateway status changes and dead letters, each with the wall-clock
time it was received."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cangjing.mqtt import MqttConnection
from cangjing.reading import Reading, ReadingError, parse_reading
from cangjing.topics import Topics


@dataclass(frozen=True)
class AlertSeen:
    doc: dict[str, Any]
    received: float  # wall clock

    def get(self, key: str, default: Any = None) -> Any:
        return self.doc.get(key, default)

    def at(self, key: str = "time") -> datetime | None:
        """A timestamp field of the event (reading time), if it has one."""
        return parse_time(self.doc.get(key))


def parse_time(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class StatusSeen:
    gateway: str
    state: str
    received: float
    retained: bool


class Observer:
    """`keep_readings=False` only counts readings (a simulated year would not fit)."""

    def __init__(self, url: str, topics: Topics, client_id: str = "cangjing-sim-verify-obs",
                 keep_readings: bool = True) -> None:
        self.topics = topics
        self.keep_readings = keep_readings
        self.alerts: list[AlertSeen] = []
        self.readings: dict[str, list[Reading]] = defaultdict(list)
        self.statuses: list[StatusSeen] = []
        self.deadletters: list[dict[str, Any]] = []
        self.count = 0
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.conn = MqttConnection(url, client_id, on_connect=self._subscribe,
                                   max_inflight=1000)
        self.conn.client.on_message = self._on_message
        self.conn.client.on_subscribe = lambda *a: self._subscribed.set()

    def _subscribe(self, conn: MqttConnection) -> None:
        t = self.topics
        conn.client.subscribe([(t.all_readings, 1), (t.all_alerts, 1),
                               (t.all_gateway_status, 1), (t.deadletter, 1)])

    def start(self, timeout: float = 10.0) -> Observer:
        self.conn.start()
        if not self._subscribed.wait(timeout):
            raise ConnectionError(f"cannot subscribe at the MQTT broker {self.conn.address}")
        return self

    def stop(self) -> None:
        self.conn.stop()

    def _on_message(self, client, userdata, msg) -> None:
        now = time.time()
        topic: str = msg.topic
        if topic.endswith("/reading"):
            if not self.keep_readings:
                self.count += 1
                return
            try:
                reading = parse_reading(msg.payload)
            except ReadingError:
                return
            with self._lock:
                self.readings[reading.sensor].append(reading)
                self.count += 1
            return
        try:
            doc = json.loads(msg.payload)
        except ValueError:
            return
        if not isinstance(doc, dict):
            return
        with self._lock:
            if topic == self.topics.deadletter:
                self.deadletters.append(doc)
            elif "/gateway/" in topic:
                self.statuses.append(StatusSeen(topic.split("/")[-2], str(doc.get("state")),
                                                now, bool(msg.retain)))
            elif "/alerts/" in topic:
                self.alerts.append(AlertSeen(doc, now))

    # snapshots for checks (the lists keep growing in the network thread)
    def alert_events(self) -> list[AlertSeen]:
        with self._lock:
            return list(self.alerts)

    def readings_of(self, sensor: str) -> list[Reading]:
        with self._lock:
            return list(self.readings.get(sensor, []))

    def status_changes(self) -> list[StatusSeen]:
        with self._lock:
            return list(self.statuses)

    def dead(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.deadletters)

    def last_status(self, gateway: str) -> StatusSeen | None:
        return next((s for s in reversed(self.status_changes()) if s.gateway == gateway), None)
