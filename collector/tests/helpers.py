"""What the collector's tests share: a publisher that plays the gateway, counting in
InfluxDB, and collectors with settings made for tests (short waits, own group)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from cangjing.config import Facility
from cangjing.config.collector import CollectorSettings
from cangjing.influx import InfluxClient
from cangjing.mqtt import MqttConnection
from cangjing.topics import Topics
from collector.service import Collector, forget_session

# Yesterday 01:00 UTC: inside any retention a test sets, and an hour away from the
# day and week boundaries of InfluxDB's shards (a type conflict is per shard).
BASE_EPOCH = (time.time() // 86400 - 1) * 86400 + 3600


class ReadingPublisher:
    """Publishes canonical readings at QoS 1 like a gateway: persistent session, paho
    keeps every unacknowledged reading and sends it again after a reconnect."""

    def __init__(self, url: str, facility: Facility, sensors: int = 10) -> None:
        self.topics = Topics(facility.mqtt.prefix, facility.site.id)
        self.site = facility.site.id
        self.sensors = [f"T-{i:03d}" for i in range(sensors)]
        self.conn = MqttConnection(url, f"pub-{uuid.uuid4().hex[:8]}", clean=False,
                                   max_inflight=1000)
        self.acked = 0
        self.sent: Counter[str] = Counter()  # readings per sensor
        self._lock = threading.Lock()
        self.conn.client.on_publish = self._on_publish
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        with self._lock:
            self.acked += 1

    def start(self) -> ReadingPublisher:
        self.conn.start()
        assert self.conn.wait_connected(10), "publisher could not connect"
        return self

    def payload(self, sensor: str, n: int, **values: float) -> bytes:
        doc = {"site": self.site, "zone": "A1", "sensor": sensor,
               "time": BASE_EPOCH + n * 0.001,  # distinct per (sensor, n): no collisions
               "values": values or {"temperature": 20.0 + (n % 50) / 10, "humidity": 55.5}}
        return json.dumps(doc).encode()

    def publish(self, n: int, sensor: str | None = None, **values: float) -> None:
        sensor = sensor or self.sensors[n % len(self.sensors)]
        self.conn.client.publish(self.topics.reading("A1", sensor),
                                 self.payload(sensor, n, **values), qos=1)
        with self._lock:
            self.sent[sensor] += 1

    def publish_raw(self, payload: bytes, sensor: str = "raw") -> None:
        self.conn.client.publish(self.topics.reading("A1", sensor), payload, qos=1)

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    def stream(self, rate: float, first: int = 0) -> ReadingPublisher:
        """Publish `rate` readings a second from a thread until stop_stream()."""

        def run() -> None:
            n, started = first, time.monotonic()
            while not self._stop.is_set():
                due = first + int((time.monotonic() - started) * rate)
                while n < due:
                    self.publish(n)
                    n += 1
                self._stop.wait(0.01)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        return self

    def stop_stream(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(5)

    def all_acked(self) -> bool:
        with self._lock:
            return self.acked >= self.total

    def stop(self) -> None:
        self.stop_stream()
        self.conn.stop()


def counts_by_sensor(influx: InfluxClient) -> dict[str, int]:
    """Points of `environment` per sensor (one reading = one point; a duplicate cannot
    hide as a second point, so an exact count means none missing and none extra)."""
    try:
        series = influx.query('SELECT count("temperature") FROM "environment" GROUP BY "sensor"')
    except Exception:  # InfluxDB restarting: not counted yet
        return {}
    return {s.tags["sensor"]: int(s.values[0][1]) for s in series}


def settings_for_test(**overrides: object) -> CollectorSettings:
    """Short waits, and a group of its own so collectors of other tests on the session
    broker do not take a share of this test's readings."""
    base: dict[str, object] = {
        "group": f"g{uuid.uuid4().hex[:10]}", "batch_wait": "50ms",
        "retry_min": "200ms", "retry_max": "1s", "metrics_interval": "1h",
    }
    return CollectorSettings.model_validate({**base, **overrides})


def make_collector(facility: Facility, url: str, influx: InfluxClient, data_dir: Path,
                   **overrides: object) -> Collector:
    instance = f"t{uuid.uuid4().hex[:8]}"
    return Collector(facility, url, influx, instance=instance, data_dir=data_dir,
                     settings=settings_for_test(**overrides))


def forget(collector: Collector, url: str) -> None:
    """End a stopped test collector's persistent session: it would keep its share."""
    forget_session(url, collector.instance)
