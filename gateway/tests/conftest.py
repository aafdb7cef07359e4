"""Helpers for the gateway's tests: small facilities, a fixed-value field, a reading sink."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cangjing.config import Facility, parse_facility
from cangjing.config.sensors import Sensor
from cangjing.mqtt import MqttConnection
from cangjing.reading import Reading, parse_reading
from gateway.service import Gateway

SITE = "gwtest"
_ids = itertools.count(1)


def make_facility(buses: list[dict], sensors: list[dict], **gateway: Any) -> Facility:
    """A one-zone facility with gateway `gw-t` owning `buses` and `sensors` in zone Z1."""
    doc = {
        "site": {"id": SITE, "name": "测试库房"},
        "gateways": [{"id": "gw-t", "buses": buses, **gateway}],
        "zones": [{"id": "Z1", "name": "测试区", "material": "metal"}],
        "sensors": [{"zone": "Z1", **s} for s in sensors],
    }
    return parse_facility(doc, "test facility")


def rtu_bus(bus_id: str = "rs485-t", **kw: Any) -> dict:
    return {"id": bus_id, "protocol": "modbus-rtu", "baudrate": 9600, "timeout": "200ms",
            "port": "${CANGJING_PORT_" + bus_id.upper().replace("-", "_") + ":-/nonexistent}",
            **kw}


class FixedModel:
    """The field: what each sensor measures, set by the test (readings must match it)."""

    def __init__(self, default: dict[str, float] | None = None) -> None:
        self.default = default or {"temperature": 20.0, "humidity": 50.0, "illuminance": 40.0,
                                   "uv": 10.0}
        self.values: dict[str, dict[str, float]] = {}

    def measure(self, sensor: Sensor, when: datetime) -> dict[str, float]:
        return dict(self.values.get(sensor.id, self.default))


class ReadingSink:
    """A subscriber with a persistent session (clean=False, QoS 1): the broker keeps what
    arrives while it is away, as a real consumer's session does, so a broker restart cannot
    make the sink miss what the gateway published."""

    def __init__(self, url: str) -> None:
        self.readings: list[Reading] = []
        self.status: list[dict] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.conn = MqttConnection(url, f"gw-sink-{next(_ids)}-{id(self)}", clean=False,
                                   on_connect=self._sub)
        self.conn.client.reconnect_delay_set(1, 1)
        self.conn.client.on_message = self._on_message
        self.conn.client.on_subscribe = lambda *a: self._subscribed.set()

    def _sub(self, conn: MqttConnection) -> None:
        conn.client.subscribe([(f"cangjing/{SITE}/+/+/reading", 1),
                               (f"cangjing/{SITE}/gateway/+/status", 1)])

    def _on_message(self, client, userdata, msg) -> None:
        with self._lock:
            if msg.topic.endswith("/status"):
                self.status.append(json.loads(msg.payload))
            else:
                self.readings.append(parse_reading(msg.payload))

    def start(self) -> ReadingSink:
        self.conn.start()
        assert self._subscribed.wait(15), "sink could not subscribe"
        return self

    def of(self, sensor: str) -> list[Reading]:
        with self._lock:
            return [r for r in self.readings if r.sensor == sensor]

    def seqs(self) -> list[int]:
        with self._lock:
            return [r.seq or 0 for r in self.readings]

    def last_status(self) -> dict | None:
        with self._lock:
            return self.status[-1] if self.status else None

    def stop(self) -> None:
        self.conn.stop()


@pytest.fixture
def sink(mqtt_url: str) -> Iterator[Callable[..., ReadingSink]]:
    sinks: list[ReadingSink] = []

    def make(url: str | None = None) -> ReadingSink:
        s = ReadingSink(url or mqtt_url).start()
        sinks.append(s)
        return s

    yield make
    for s in sinks:
        s.stop()


@pytest.fixture
def run_gateway(tmp_path: Path, mqtt_url: str) -> Iterator[Callable[..., Gateway]]:
    gateways: list[Gateway] = []

    def make(facility: Facility, url: str | None = None) -> Gateway:
        gw = Gateway(facility, url or mqtt_url, "gw-t", data_dir=tmp_path / "gw-data")
        gw.start()
        gateways.append(gw)
        return gw

    yield make
    for gw in gateways:
        gw.stop()
