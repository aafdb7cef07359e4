"""The collector: canonical readings in, InfluxDB `environment` points out.

At-least-once: it subscribes with a persistent session at QoS 1 and acknowledges each
message (paho's manual ack) only after InfluxDB accepted the batch holding it. A
collector killed mid-batch therefore gets the unacknowledged readings again from the
broker; re-writing them is idempotent (same series and time).
"""

from __future__ import annotations

import logging
import queue
import random
import socket
import threading
import time
from dataclasses import dataclass

from cangjing.config import Facility
from cangjing.deadletter import DeadLetters
from cangjing.influx import InfluxClient, InfluxError
from cangjing.lineprotocol import LineProtocolError, reading_line
from cangjing.mqtt import MqttConnection
from cangjing.reading import ReadingError, parse_reading
from cangjing.topics import Topics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchSettings:
    max_points: int = 1000
    max_wait: float = 0.5  # seconds a reading may wait for its batch to fill
    retry_min: float = 0.5
    retry_max: float = 30.0


@dataclass
class _Pending:
    mid: int
    qos: int
    line: str | None  # None: rejected, ack only


class Collector:
    def __init__(
        self,
        facility: Facility,
        mqtt_url: str,
        influx: InfluxClient,
        *,
        client_id: str | None = None,
        batch: BatchSettings | None = None,
    ) -> None:
        self.facility = facility
        self.influx = influx
        self.batch = batch or BatchSettings()
        self.topics = Topics(facility.mqtt.prefix, facility.site.id)
        self.conn = MqttConnection(
            mqtt_url, client_id or f"cangjing-collector-{socket.gethostname()}",
            clean=False, on_connect=self._on_connect, max_inflight=self.batch.max_points,
        )
        self.conn.client.manual_ack_set(True)
        self.conn.client.on_message = self._on_message
        self.deadletters = DeadLetters(self.conn, self.topics.deadletter, "collector")
        self._queue: queue.Queue[_Pending] = queue.Queue()
        self._stop = threading.Event()
        self._writer: threading.Thread | None = None
        self.written = 0

    def _on_connect(self, conn: MqttConnection) -> None:
        conn.client.subscribe(self.topics.all_readings, qos=1)

    def _on_message(self, client, userdata, msg) -> None:
        try:
            reading = parse_reading(msg.payload)
            line: str | None = reading_line(reading)
        except (ReadingError, LineProtocolError) as exc:
            self.deadletters.reject("invalid reading", str(exc), msg.topic, msg.payload)
            line = None
        self._queue.put(_Pending(msg.mid, msg.qos, line))

    def _take_batch(self) -> list[_Pending]:
        batch: list[_Pending] = []
        try:
            batch.append(self._queue.get(timeout=0.2))
        except queue.Empty:
            return batch
        deadline = time.monotonic() + self.batch.max_wait
        while len(batch) < self.batch.max_points:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=remaining))
            except queue.Empty:
                break
        return batch

    def _write_until_accepted(self, lines: list[str]) -> bool:
        """Write with backoff and jitter; False only when stopping before it succeeded."""
        delay = self.batch.retry_min
        while True:
            try:
                self.influx.write("\n".join(lines), precision="ns")
                return True
            except InfluxError as exc:
                log.warning("write of %d points failed (%s); retrying in %.1fs",
                            len(lines), exc, delay)
            if self._stop.wait(delay * random.uniform(0.5, 1.0)):
                return False
            delay = min(delay * 2, self.batch.retry_max)

    def _run(self) -> None:
        while not self._stop.is_set() or not self._queue.empty():
            batch = self._take_batch()
            if not batch:
                continue
            lines = [p.line for p in batch if p.line is not None]
            if lines and not self._write_until_accepted(lines):
                return  # not acked: the broker redelivers them to the next session
            for p in batch:
                self.conn.client.ack(p.mid, p.qos)
            self.written += len(lines)

    def start(self) -> None:
        self.influx.ensure_database()
        self.conn.start()
        self._writer = threading.Thread(target=self._run, name="collector-writer", daemon=True)
        self._writer.start()
        log.info("collector writing to %s database %s", self.influx.url, self.influx.database)

    def stop(self) -> None:
        self._stop.set()
        if self._writer:
            self._writer.join(10)
        self.conn.stop()
        log.info("collector stopped after writing %d points", self.written)
