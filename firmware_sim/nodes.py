"""Simulated MQTT sensor nodes: each mqtt sensor of the facility publishes its own payload.

Our nodes publish on cangjing/<site>/node/<device>/up; Tasmota devices on their own
tele/<device>/SENSOR topic, as a stock Tasmota does.
"""

from __future__ import annotations

import logging
import threading
import zlib
from datetime import UTC, datetime

from cangjing.config import Facility
from cangjing.config.sensors import Decoder, Sensor, Transport
from cangjing.mqtt import MqttConnection
from cangjing.topics import Topics

from .payloads import cangjing_json, tasmota_sensor
from .physics import SensorNoise, ZoneClimate

log = logging.getLogger(__name__)


def tasmota_topic(device: str) -> str:
    return f"tele/{device}/SENSOR"


class FacilityModel:
    """The climate of every zone plus every sensor's own noise, under one seed."""

    def __init__(self, facility: Facility, seed: int = 1) -> None:
        tz = facility.site.tz
        self.zones = {
            z.id: ZoneClimate(z.effective_limits(), tz, seed=seed + i)
            for i, z in enumerate(facility.zones)
        }
        self.noise = {s.id: SensorNoise(seed + zlib.crc32(s.id.encode())) for s in facility.sensors}

    def measure(self, sensor: Sensor, when: datetime) -> dict[str, float]:
        return self.noise[sensor.id].apply(self.zones[sensor.zone].at(when))


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
    ) -> None:
        self.facility = facility
        self.model = model or FacilityModel(facility)
        self.topics = Topics(facility.mqtt.prefix, facility.site.id)
        self.sensors = [s for s in facility.sensors if s.transport is Transport.mqtt]
        self.interval = interval
        self.conn = MqttConnection(mqtt_url, client_id)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.published = 0

    def topic_of(self, sensor: Sensor) -> str:
        assert sensor.device
        if sensor.decoder is Decoder.tasmota:
            return tasmota_topic(sensor.device)
        return self.topics.node_up(sensor.device)

    def payload_of(self, sensor: Sensor, when: datetime) -> bytes:
        values = self.model.measure(sensor, when)
        if sensor.decoder is Decoder.tasmota:
            return tasmota_sensor(values, when, self.facility.site.tz)
        return cangjing_json(values, when)

    def publish_all(self, when: datetime | None = None) -> None:
        when = when or datetime.now(UTC)
        for sensor in self.sensors:
            self.conn.client.publish(self.topic_of(sensor), self.payload_of(sensor, when), qos=1)
            self.published += 1

    def _run(self) -> None:
        period = self.interval or min(s.interval.total_seconds() for s in self.sensors)
        while not self._stop.is_set():
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
