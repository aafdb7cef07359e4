"""The gateway service: sensors in, canonical readings out (QoS 1), never losing one.

Reads:  its Modbus RTU buses and ASCII ports (facility file `gateways[].buses`), and
        cangjing/<site>/node/+/up and tele/<device>/SENSOR for its MQTT nodes.
Writes: cangjing/<site>/<zone>/<sensor>/reading through the durable outbox (SQLite WAL
        under CANGJING_DATA_DIR), gateway status with per-sensor health (retained, LWT
        offline), cangjing/<site>/deadletter for unknown devices and undecodable payloads.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cangjing.config import Facility
from cangjing.config.connections import data_dir as default_data_dir
from cangjing.config.gateways import BusProtocol
from cangjing.config.gateways import Gateway as GatewayConfig
from cangjing.config.sensors import Decoder, Sensor, Transport
from cangjing.deadletter import DeadLetters
from cangjing.mqtt import MqttConnection
from cangjing.reading import Reading
from cangjing.topics import Topics

from .ascii_bus import AsciiBusReader
from .calibration import overdue
from .decoders import DecodeError, decode
from .forwarder import Forwarder
from .health import HealthBook
from .modbus_bus import ModbusBusPoller
from .outbox import Outbox
from .pipeline import Pipeline

log = logging.getLogger(__name__)

TASMOTA_FILTER = "tele/+/SENSOR"


class Gateway:
    def __init__(self, facility: Facility, mqtt_url: str, gateway_id: str | None = None,
                 *, data_dir: Path | None = None) -> None:
        self.facility = facility
        self.gateway_id = gateway_id or (facility.gateways[0].id if facility.gateways else "gw")
        self.config = next((g for g in facility.gateways if g.id == self.gateway_id),
                           GatewayConfig(id=self.gateway_id))
        self.topics = Topics(facility.mqtt.prefix, facility.site.id)
        self.sensors = [
            s for s in facility.sensors
            if (g := facility.gateway_of(s)) is None or g.id == self.gateway_id
        ]
        self.by_device: dict[str, Sensor] = {
            s.device: s for s in self.sensors if s.transport is Transport.mqtt and s.device
        }
        self.health = HealthBook()
        for s in self.sensors:
            self.health.add(s.id, s.transport.value, s.interval.total_seconds())

        status_topic = self.topics.gateway_status(self.gateway_id)
        window = self.config.replay_window
        # A persistent session: node payloads published while the gateway is away (restart,
        # power cut) wait in the broker and arrive when it is back. Each one is acked only
        # after it reached the outbox (the callback stores it before returning).
        self.conn = MqttConnection(
            mqtt_url, f"cangjing-gateway-{self.gateway_id}", clean=False,
            will=(status_topic, self._status_doc("offline")),
            on_connect=self._on_connect, max_inflight=window,
        )
        self.conn.client.reconnect_delay_set(1, max(1, int(self.config.reconnect_max
                                                           .total_seconds())))
        self.conn.client.on_message = self._on_message
        self.deadletters = DeadLetters(self.conn, self.topics.deadletter, "gateway")

        where = data_dir or default_data_dir()
        self.outbox = Outbox(where / f"gateway-{self.gateway_id}.outbox.sqlite",
                             self.config.queue_max, self.config.queue_full)
        self.forwarder = Forwarder(self.outbox, self.conn, window)
        self.pipeline = Pipeline(facility, self.gateway_id, self.outbox, self.config.validation)
        self.buses: list[ModbusBusPoller | AsciiBusReader] = []
        for bus in self.config.buses:
            on_bus = [s for s in self.sensors if s.bus == bus.id]
            if not on_bus:
                continue
            kind = ModbusBusPoller if bus.protocol is BusProtocol.modbus_rtu else AsciiBusReader
            self.buses.append(kind(bus, on_bus, self.health, self.pipeline.emit))
        self._stop = threading.Event()
        self._status_thread = threading.Thread(target=self._status_loop, name="gateway-status",
                                               daemon=True)
        self.started = time.time()

    @property
    def published(self) -> int:
        """Readings the broker acknowledged in this run."""
        return self.forwarder.acked

    def _status_doc(self, state: str) -> bytes:
        return json.dumps({"state": state, "gateway": self.gateway_id}).encode()

    # -- MQTT side ---------------------------------------------------------------------
    def _on_connect(self, conn: MqttConnection) -> None:
        conn.client.subscribe([(self.topics.all_nodes, 1), (TASMOTA_FILTER, 1)])
        self.publish_status("online")

    def status(self, state: str = "online") -> dict[str, Any]:
        """The status document: state, per-sensor health, buses and the queue."""
        doc: dict[str, Any] = {
            "state": state, "gateway": self.gateway_id,
            "time": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "uptime": round(time.time() - self.started, 1),
            "published": self.forwarder.acked, "rejected": self.deadletters.total,
            "queue": {"depth": self.outbox.depth, "max": self.outbox.max_items,
                      "policy": self.outbox.policy, "dropped": self.outbox.dropped,
                      "refused": self.pipeline.refused, "in_flight": self.forwarder.in_flight},
        }
        doc.update(self.health.snapshot())
        return doc

    def publish_status(self, state: str = "online") -> None:
        self.conn.client.publish(self.topics.gateway_status(self.gateway_id),
                                 json.dumps(self.status(state)), qos=1, retain=True)

    def _check_sensors(self) -> None:
        today = datetime.now(self.facility.site.tz).date()
        now = time.time()
        for s in self.sensors:
            health = self.health.devices[s.id]
            due = overdue(s.calibration, today)
            if due and not health.calibration_overdue:
                log.warning("sensor %s: calibration overdue since %s", s.id, s.calibration.due)
            health.calibration_overdue = due
            health.check_stale(now, self.config.stale_after)

    def _status_loop(self) -> None:
        period = self.config.status_interval.total_seconds()
        while not self._stop.wait(period):
            self._check_sensors()
            if self.conn.connected.is_set():
                self.publish_status("online")

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
        if msg.topic.startswith("tele/") and sensor.decoder is not Decoder.tasmota:
            self.deadletters.reject("wrong topic", "tasmota topic for a non-tasmota sensor",
                                    msg.topic, msg.payload)
            return
        try:
            when, values = decode(sensor.decoder, msg.payload, received, self.facility.site.tz)
        except DecodeError as exc:
            self.health.devices[sensor.id].error("undecodable")
            self.deadletters.reject(f"undecodable {sensor.decoder.value}", str(exc),
                                    msg.topic, msg.payload)
            return
        self.health.devices[sensor.id].success()
        self.emit(sensor, when, values)

    # -- the pipeline every transport ends in -------------------------------------------
    def emit(self, sensor: Sensor, when: datetime, raw: dict[str, float]) -> Reading | None:
        """Calibrate, validate and queue one reading of `sensor` for publishing (QoS 1)."""
        return self.pipeline.emit(sensor, when, raw)

    def start(self) -> None:
        self._check_sensors()
        self.forwarder.start()
        self.conn.start()
        for bus in self.buses:
            bus.start()
        self._status_thread.start()
        log.info("gateway %s: %d sensors (%d MQTT nodes, %d buses), %d readings queued from "
                 "before", self.gateway_id, len(self.sensors), len(self.by_device),
                 len(self.buses), self.outbox.depth)

    def stop(self) -> None:
        self._stop.set()
        for bus in self.buses:
            bus.stop()
        # What is queued stays on disk for the next start; give the broker a moment first.
        self.forwarder.drain(timeout=2.0)
        self.forwarder.stop()
        if self.conn.connected.is_set():
            info = self.conn.client.publish(
                self.topics.gateway_status(self.gateway_id),
                json.dumps(self.status("offline")), qos=1, retain=True,
            )
            info.wait_for_publish(2)
        self.conn.stop()
        self._status_thread.join(5)
        self.outbox.close()
        log.info("gateway %s stopped (%d readings left queued)", self.gateway_id,
                 self.outbox.depth)
