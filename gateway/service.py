"""The gateway service: device payloads in, canonical readings out (QoS 1).

Reads:  cangjing/<site>/node/+/up and tele/<device>/SENSOR (MQTT nodes of this gateway)
Writes: cangjing/<site>/<zone>/<sensor>/reading, gateway status (retained, LWT offline),
        cangjing/<site>/deadletter for unknown devices and undecodable payloads.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime

from cangjing.config import Facility
from cangjing.config.sensors import Decoder, Sensor, Transport
from cangjing.deadletter import DeadLetters
from cangjing.mqtt import MqttConnection
from cangjing.reading import Reading
from cangjing.topics import Topics

from .calibration import calibrate
from .decoders import DecodeError, decode
from .validation import quality_flags

log = logging.getLogger(__name__)

TASMOTA_FILTER = "tele/+/SENSOR"


class Gateway:
    def __init__(self, facility: Facility, mqtt_url: str, gateway_id: str | None = None) -> None:
        self.facility = facility
        self.gateway_id = gateway_id or (facility.gateways[0].id if facility.gateways else "gw")
        self.topics = Topics(facility.mqtt.prefix, facility.site.id)
        self.sensors = [
            s for s in facility.sensors
            if (g := facility.gateway_of(s)) is None or g.id == self.gateway_id
        ]
        self.by_device: dict[str, Sensor] = {
            s.device: s for s in self.sensors if s.transport is Transport.mqtt and s.device
        }
        status_topic = self.topics.gateway_status(self.gateway_id)
        self.conn = MqttConnection(
            mqtt_url, f"cangjing-gateway-{self.gateway_id}",
            will=(status_topic, self._status_doc("offline")),
            on_connect=self._on_connect,
        )
        self.conn.client.on_message = self._on_message
        self.deadletters = DeadLetters(self.conn, self.topics.deadletter, "gateway")
        self._seq = 0
        self._lock = threading.Lock()
        self.published = 0

    def _status_doc(self, state: str) -> bytes:
        return json.dumps({"state": state, "gateway": self.gateway_id}).encode()

    # -- MQTT side ---------------------------------------------------------------------
    def _on_connect(self, conn: MqttConnection) -> None:
        conn.client.subscribe([(self.topics.all_nodes, 1), (TASMOTA_FILTER, 1)])
        self.publish_status("online")

    def publish_status(self, state: str) -> None:
        doc = {"state": state, "gateway": self.gateway_id, "sensors": len(self.sensors),
               "published": self.published, "rejected": self.deadletters.total,
               "time": datetime.now(UTC).isoformat()}
        self.conn.client.publish(
            self.topics.gateway_status(self.gateway_id), json.dumps(doc), qos=1, retain=True
        )

    def _on_message(self, client, userdata, msg) -> None:
        received = datetime.now(UTC)
        device = self.topics.device_of(msg.topic)
        if device is None and msg.topic.startswith("tele/"):
            device = msg.topic.split("/")[1]
        sensor = self.by_device.get(device or "")
        if sensor is None:
            self.deadletters.reject("unknown device", f"no sensor has device {device!r}",
                                    msg.topic, msg.payload)
            return
        try:
            when, values = decode(sensor.decoder, msg.payload, received, self.facility.site.tz)
        except DecodeError as exc:
            self.deadletters.reject(f"undecodable {sensor.decoder.value}", str(exc),
                                    msg.topic, msg.payload)
            return
        if msg.topic.startswith("tele/") and sensor.decoder is not Decoder.tasmota:
            self.deadletters.reject("wrong topic", "tasmota topic for a non-tasmota sensor",
                                    msg.topic, msg.payload)
            return
        self.emit(sensor, when, values)

    # -- the pipeline every transport ends in -------------------------------------------
    def emit(self, sensor: Sensor, when: datetime, raw: dict[str, float]) -> Reading:
        """Calibrate, validate, publish one reading of `sensor` (QoS 1)."""
        values = calibrate(raw, sensor.calibration)
        with self._lock:
            self._seq += 1
            seq = self._seq
        reading = Reading(
            site=self.facility.site.id, zone=sensor.zone, sensor=sensor.id, time=when,
            values=values, seq=seq, gateway=self.gateway_id, quality=quality_flags(values) or None,
        )
        self.conn.client.publish(
            self.topics.reading(sensor.zone, sensor.id), reading.to_json(), qos=1
        )
        self.published += 1
        return reading

    def start(self) -> None:
        self.conn.start()
        log.info("gateway %s: %d sensors (%d MQTT nodes)", self.gateway_id,
                 len(self.sensors), len(self.by_device))

    def stop(self) -> None:
        if self.conn.connected.is_set():
            info = self.conn.client.publish(
                self.topics.gateway_status(self.gateway_id),
                json.dumps({"state": "offline", "gateway": self.gateway_id}), qos=1, retain=True,
            )
            info.wait_for_publish(2)
        self.conn.stop()
        log.info("gateway %s stopped", self.gateway_id)
