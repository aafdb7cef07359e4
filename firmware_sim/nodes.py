"""Simulated MQTT sensor nodes: each mqtt sensor of the facility publishes its own payload.

Our nodes publish on cangjing/<site>/node/<device>/up; Tasmota devices on their own
tele/<device>/SENSOR topic, as a stock Tasmota does.

A running simulator listens on cangjing/<site>/sim/control: {"pause": SECONDS} stops it
publishing for that long (0 resumes), so that `cangjing sim verify` can play the field
side of a running system without two simulators reporting the same sensors.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from cangjing.config import Facility
from cangjing.config.sensors import Decoder, Sensor, Transport
from cangjing.mqtt import MqttConnection
from cangjing.topics import Topics

from .model import FacilityModel
from .payloads import cangjing_json, garble, tasmota_sensor

log = logging.getLogger(__name__)

__all__ = ["FacilityModel", "MqttNodes", "control_topic", "node_payload", "node_topic"]


def tasmota_topic(device: str) -> str:
    return f"tele/{device}/SENSOR"


def control_topic(topics: Topics) -> str:
    return f"{topics.base}/sim/control"


def node_topic(topics: Topics, sensor: Sensor) -> str:
    assert sensor.device
    if sensor.decoder is Decoder.tasmota:
        return tasmota_topic(sensor.device)
    return topics.node_up(sensor.device)


def node_payload(model: FacilityModel, sensor: Sensor, when: datetime,
                 stamp: datetime | None = None) -> bytes:
    """The bytes the node sends at `when` (stamped `stamp`, default `when`), garbled when
    its link is noisy."""
    values = model.measure(sensor, when)
    stamp = stamp or when
    if sensor.decoder is Decoder.tasmota:
        payload = tasmota_sensor(values, stamp, model.facility.site.tz)
    else:
        payload = cangjing_json(values, stamp, values.get("battery", 3.0))
    if model.garbled(sensor, when):
        payload = garble(payload, f"{model.seed}:{sensor.id}:{when.timestamp()}")
    return payload


class MqttNodes:
    """Publishes every mqtt sensor's payload every `interval` seconds (or its own interval)."""

    def __init__(
        self,
        facility: Facility,
        mqtt_url: str,
        *,
        model: FacilityModel | None = None,
        interval: float | None = None,
        client_id: str = "cangjing-sim-nodes",
        climate_shift: timedelta = timedelta(0),
    ) -> None:
        """`climate_shift`: the physics runs that far in the past (a July scenario played
        live in November), the payloads carry the real time."""
        self.facility = facility
        self.model = model or FacilityModel(facility)
        self.topics = Topics(facility.mqtt.prefix, facility.site.id)
        self.sensors = [s for s in facility.sensors if s.transport is Transport.mqtt]
        self.interval = interval
        self.climate_shift = climate_shift
        self.conn = MqttConnection(mqtt_url, client_id, on_connect=self._on_connect)
        self.conn.client.on_message = self._on_control
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._paused_until = 0.0
        self.published = 0
        self.last: dict[str, dict[str, float]] = {}  # sensor -> last values (live view)

    def _on_connect(self, conn: MqttConnection) -> None:
        conn.client.subscribe(control_topic(self.topics), qos=1)

    def _on_control(self, client, userdata, msg) -> None:
        try:
            pause = float(json.loads(msg.payload)["pause"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring sim control message %r", msg.payload[:100])
            return
        self._paused_until = time.monotonic() + pause
        log.info("paused for %.0fs" if pause > 0 else "resumed", pause)

    @property
    def paused(self) -> bool:
        return time.monotonic() < self._paused_until

    def topic_of(self, sensor: Sensor) -> str:
        return node_topic(self.topics, sensor)

    def payload_of(self, sensor: Sensor, when: datetime) -> bytes:
        return node_payload(self.model, sensor, when - self.climate_shift, when)

    def publish_all(self, when: datetime | None = None) -> None:
        when = when or datetime.now(UTC)
        climate = when - self.climate_shift
        for sensor in self.sensors:
            if not self.model.reports(sensor, climate):
                continue
            self.last[sensor.id] = self.model.measure(sensor, climate)
            self.conn.client.publish(self.topic_of(sensor), self.payload_of(sensor, when), qos=1)
            self.published += 1

    def _run(self) -> None:
        period = self.interval or min(s.interval.total_seconds() for s in self.sensors)
        while not self._stop.is_set():
            if not self.paused:
                self.publish_all()
            self._stop.wait(period)

    def start(self) -> None:
        self.conn.start()
        if not self.sensors:
            return
        self._thread = threading.Thread(target=self._run, name="sim-nodes", daemon=True)
        self._thread.start()
        log.info("simulating %d MQTT nodes", len(self.sensors))

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(5)
        self.conn.stop()
