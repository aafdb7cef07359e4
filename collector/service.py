"""The collector: canonical readings in, InfluxDB `environment` points out, at least once.

It subscribes through a shared subscription (`$share/<group>/<prefix>/<site>/+/+/reading`)
with a persistent session at QoS 1, and acknowledges a message (paho's manual ack) only
after InfluxDB accepted the batch holding it or the durable spool (spool.py) holds it.
A collector killed mid-batch therefore gets the unacknowledged readings again from the
broker; re-writing them is idempotent (same series and time).

Threads: paho's network thread parses and encodes each message; the writer thread
batches (by size and time), writes, spools when InfluxDB is away, and acknowledges; the
replayer thread drains the spool, oldest first, while the writer keeps live data flowing;
the metrics thread queues a `cangjing_pipeline` point every interval.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cangjing import rollups
from cangjing.config import Facility
from cangjing.config.collector import CollectorSettings
from cangjing.config.connections import data_dir as default_data_dir
from cangjing.deadletter import DeadLetters
from cangjing.influx import InfluxClient, InfluxError, retention_text
from cangjing.lineprotocol import LineProtocolError, reading_line
from cangjing.mqtt import MqttConnection, end_session
from cangjing.reading import ReadingError, parse_reading
from cangjing.topics import Topics, shared

from .health import StatusError, health_lines
from .metrics import PipelineStats
from .spool import Spool
from .writing import Backoff, write_splitting

log = logging.getLogger(__name__)

_READING_PREFIX = "environment,"


@dataclass(slots=True)
class _Pending:
    mid: int
    qos: int
    generation: int  # the MQTT connection it came on; acks only go back on that one
    topic: str
    line: str | None  # None: rejected (dead-lettered), ack only
    epoch: float = 0.0


def default_instance() -> str:
    """This process's name in its group: $CANGJING_COLLECTOR_INSTANCE, else the host name.

    It names the persistent session and the spool file, so it must stay the same across
    restarts of the same collector and differ between collectors."""
    return os.environ.get("CANGJING_COLLECTOR_INSTANCE") or socket.gethostname()


class Collector:
    def __init__(
        self,
        facility: Facility,
        mqtt_url: str,
        influx: InfluxClient,
        *,
        client_id: str | None = None,
        instance: str | None = None,
        data_dir: Path | None = None,
        settings: CollectorSettings | None = None,
    ) -> None:
        self.facility = facility
        self.influx = influx
        self.settings = s = settings or facility.collector
        if instance is None and client_id:  # one spool per session, also for old callers
            instance = client_id.removeprefix("cangjing-collector-")
        self.instance = instance or default_instance()
        self.topics = Topics(facility.mqtt.prefix, facility.site.id)
        self.subscription = (shared(self.topics.all_readings, s.group) if s.group
                             else self.topics.all_readings)
        self.conn = MqttConnection(
            mqtt_url, client_id or f"cangjing-collector-{self.instance}",
            clean=False, on_connect=self._on_connect,
        )
        self.conn.client.manual_ack_set(True)
        self.conn.client.on_message = self._on_message
        self.conn.client.on_subscribe = self._on_subscribe
        self.subscribed = threading.Event()  # readings published from now on reach us
        self.deadletters = DeadLetters(self.conn, self.topics.deadletter, "collector")
        spool_dir = s.spool_dir or (data_dir or default_data_dir()) / "collector"
        self.spool = Spool(spool_dir / f"{self.instance}.sqlite", s.spool_max_points)
        self.stats = PipelineStats()
        self.backoff = Backoff(s.retry_min.total_seconds(), s.retry_max.total_seconds())
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._extra_lines: list[str] = []  # self-metrics waiting for the next batch
        self._extra_lock = threading.Lock()
        self._generation = 0
        self._database_ready = False
        self._late: tuple[float, float] | None = None  # readings written after their hour
        self._late_lock = threading.Lock()
        self._stop = threading.Event()
        self._spooled = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- MQTT side (paho's network thread) ---------------------------------------------

    def _on_connect(self, conn: MqttConnection) -> None:
        self._generation += 1
        # Gateway status is low-rate and retained: every collector takes it (not shared),
        # and writing the same status twice gives the same points.
        conn.client.subscribe([(self.subscription, 1), (self.topics.all_gateway_status, 1)])

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        if all(not rc.is_failure for rc in reason_codes):
            log.info("subscribed to %s (session kept by the broker)", self.subscription)
            self.subscribed.set()
        else:
            log.error("broker refused the subscription %s: %s", self.subscription,
                      reason_codes)

    def _on_message(self, client, userdata, msg) -> None:
        if msg.topic.endswith("/status"):
            self._on_gateway_status(msg)
            return
        self.stats.add("received")
        try:
            reading = parse_reading(msg.payload)
            line: str | None = reading_line(reading)
            epoch = reading.epoch
        except (ReadingError, LineProtocolError) as exc:
            line, epoch = self._reject("invalid reading", str(exc), msg), 0.0
        except Exception as exc:  # no payload may stop the collector
            reason = f"{type(exc).__name__}: {exc}"
            line, epoch = self._reject("unreadable reading", reason, msg), 0.0
        self._queue.put(_Pending(msg.mid, msg.qos, self._generation, msg.topic, line, epoch))

    def _on_gateway_status(self, msg) -> None:
        try:
            lines = health_lines(msg.payload, self.facility)
        except StatusError as exc:
            self._reject("invalid gateway status", str(exc), msg)
            lines = []
        with self._extra_lock:
            self._extra_lines.extend(lines)
        # acked with the next batch, after the lines went to InfluxDB or the spool
        self._queue.put(_Pending(msg.mid, msg.qos, self._generation, msg.topic, None))

    def _reject(self, kind: str, reason: str, msg) -> None:
        self.deadletters.reject(kind, reason, msg.topic, msg.payload)
        self.stats.add("dead_lettered")

    def _ack(self, batch: list[_Pending]) -> None:
        generation = self._generation
        for p in batch:
            # After a reconnect the broker redelivers what was not acked, possibly under
            # the same packet id as a new message: acking the old copy could ack that one.
            if p.qos and p.generation == generation:
                self.conn.client.ack(p.mid, p.qos)

    # --- InfluxDB side -------------------------------------------------------------------

    def _ensure_database(self) -> None:
        """Database, retention policies and rollups; once per process, and again after a
        write found the database gone."""
        if self._database_ready:
            return
        seconds = self.facility.influx.raw_retention.total_seconds()
        try:
            self.influx.ensure_database(retention_text(seconds))
            rollups.ensure_rollups(self.influx)
        except InfluxError as exc:
            if not exc.is_client_error:
                raise  # InfluxDB away: try again before the next write
            # Refused, not failed (InfluxDB 2.x/3.x have no CREATE DATABASE or continuous
            # queries; a token without admin rights): write anyway, set up by hand.
            log.warning("database set-up refused (%s): set it up as collector/README.md "
                        "says; writing anyway", exc)
        else:
            log.info("database %s ready (raw retention %s, rollups %s)", self.influx.database,
                     retention_text(seconds), ", ".join(rollups.ROLLUPS))
        self._database_ready = True

    def _write(self, lines: list[str], topics: list[str] | None, epochs: list[float]) -> None:
        """Write to InfluxDB, dead-lettering the points it refuses; InfluxError = try later."""
        self._ensure_database()
        started = time.monotonic()
        try:
            rejected = write_splitting(self.influx, lines)
        except InfluxError as exc:
            if exc.status == 404:
                self._database_ready = False  # dropped under us: create it on the next try
            raise
        for r in rejected:
            topic = topics[r.index] if topics and r.index < len(topics) else "spool"
            self.deadletters.reject("refused by InfluxDB", r.reason, topic,
                                    lines[r.index].encode())
        self.stats.add("dead_lettered", len(rejected))
        # Self-metrics and sensor_health points ride in the same batches but are not
        # readings: only readings count as written.
        readings = sum(1 for line in lines if line.startswith(_READING_PREFIX))
        written = readings - sum(1 for r in rejected
                                 if lines[r.index].startswith(_READING_PREFIX))
        if not epochs:  # a replayed batch: the times are in the lines
            epochs = [int(line.rsplit(" ", 1)[1]) / 1e9 for line in lines
                      if line.startswith(_READING_PREFIX)]
        self.stats.wrote(written, time.monotonic() - started, max(epochs, default=None))
        self._note_late(epochs)
        came_back_after = self.backoff.succeeded()
        if came_back_after is not None:
            log.info("InfluxDB is back after %.0fs; replaying %d spooled points",
                     came_back_after, self.spool.depth)

    def _note_late(self, epochs: list[float]) -> None:
        """Remember readings written after their hour had closed: the continuous query has
        already run for it, so the rollups must be recomputed (see _backfill_rollups)."""
        if not epochs:
            return
        oldest = min(epochs)
        if oldest >= time.time() // 3600 * 3600:
            return
        newest = max(epochs)
        with self._late_lock:
            lo, hi = self._late or (oldest, newest)
            self._late = (min(lo, oldest), max(hi, newest))

    def _backfill_rollups(self) -> None:
        with self._late_lock:
            late, self._late = self._late, None
        if late is None:
            return
        try:
            done = rollups.backfill_late(self.influx, late[0], late[1], time.time())
        except InfluxError as exc:
            log.warning("rollups for late readings not recomputed yet (%s); will retry", exc)
            self._note_late(list(late))
            return
        if done:
            log.info("recomputed %s for readings written late (%s .. %s)", ", ".join(done),
                     time.strftime("%Y-%m-%d %H:%M", time.gmtime(late[0])),
                     time.strftime("%Y-%m-%d %H:%M", time.gmtime(late[1])))

    def _influx_failed(self, exc: InfluxError, what: str) -> None:
        if self.backoff.failed():
            log.warning("InfluxDB unavailable (%s); %s goes to the spool %s until it is back",
                        exc, what, self.spool.path)

    # --- writer thread ---------------------------------------------------------------------

    def _take_batch(self) -> list[_Pending]:
        batch: list[_Pending] = []
        try:
            batch.append(self._queue.get(timeout=0.2))
        except queue.Empty:
            return batch
        size = self.settings.batch_size
        deadline = time.monotonic() + self.settings.batch_wait.total_seconds()
        while len(batch) < size:
            try:
                batch.append(self._queue.get_nowait())
                continue
            except queue.Empty:
                pass
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=remaining))
            except queue.Empty:
                break
        return batch

    def _deliver(self, batch: list[_Pending]) -> bool:
        """Write or spool the batch, then ack it; False if stopping before it was held."""
        good = [p for p in batch if p.line is not None]
        with self._extra_lock:
            extra, self._extra_lines = self._extra_lines, []
        lines = [p.line for p in good] + extra  # type: ignore[misc]
        if lines and not self._write_or_spool(lines, [p.topic for p in good],
                                              [p.epoch for p in good]):
            with self._extra_lock:
                self._extra_lines[:0] = extra
            return False
        self._ack(batch)
        return True

    def _write_or_spool(self, lines: list[str], topics: list[str], epochs: list[float]) -> bool:
        if self.backoff.available():
            try:
                self._write(lines, topics, epochs)
                return True
            except InfluxError as exc:
                self._influx_failed(exc, "live data")
        # Durable before the ack. A full spool keeps the batch unacknowledged: the broker
        # holds it (its queue is sized for that) until there is room again.
        while not self.spool.put(lines):
            if self._stop.wait(1.0):
                return False
        self.stats.add("spooled", len(topics))
        self._spooled.set()
        return True

    def _run_writer(self) -> None:
        while not self._stop.is_set():
            batch = self._take_batch()
            if batch or self._extra_lines:
                self._deliver(batch)
        # Stopping: hold on to what has been received (write or spool it, then ack).
        rest: list[_Pending] = []
        while True:
            try:
                rest.append(self._queue.get_nowait())
            except queue.Empty:
                break
        for i in range(0, len(rest), self.settings.batch_size):
            self._deliver(rest[i:i + self.settings.batch_size])

    # --- replayer thread -------------------------------------------------------------------

    def _run_replayer(self) -> None:
        while not self._stop.is_set():
            batch = self.spool.oldest()
            if batch is None:
                self._spooled.wait(1.0)
                self._spooled.clear()
                continue
            if not self.backoff.available():
                self._stop.wait(min(1.0, self.backoff.seconds_until_available()))
                continue
            try:
                self._write(batch.lines, None, [])
            except InfluxError as exc:
                self._influx_failed(exc, "the spool")
                continue
            self.spool.delete(batch)
            if self.spool.depth == 0:
                log.info("spool replayed: every held reading is in InfluxDB")

    # --- metrics thread --------------------------------------------------------------------

    def _run_metrics(self) -> None:
        interval = self.settings.metrics_interval.total_seconds()
        while not self._stop.wait(interval):
            self.push_metrics()
            self._backfill_rollups()

    def push_metrics(self) -> None:
        """Queue this interval's `cangjing_pipeline` point for the next write."""
        line = self.stats.take_point(self.facility.site.id, self.instance, self.spool.depth)
        with self._extra_lock:
            self._extra_lines.append(line)

    # --- life cycle ------------------------------------------------------------------------

    @property
    def written(self) -> int:
        return self.stats.totals["written"]

    def start(self) -> None:
        try:
            self._ensure_database()
        except InfluxError as exc:
            # Not fatal: readings are spooled and the set-up is retried before each write.
            self._influx_failed(exc, "every reading")
        self.conn.start()
        for name, target in (("writer", self._run_writer), ("replayer", self._run_replayer),
                             ("metrics", self._run_metrics)):
            t = threading.Thread(target=target, name=f"collector-{name}", daemon=True)
            t.start()
            self._threads.append(t)
        log.info("collector %s: %s -> %s database %s (spool %s, %d points held)",
                 self.instance, self.subscription, self.influx.url, self.influx.database,
                 self.spool.path, self.spool.depth)

    def stop(self) -> None:
        self._stop.set()
        self._spooled.set()
        for t in self._threads:
            t.join(30)
        self.conn.stop()
        self.spool.close()
        log.info("collector stopped: %s", ", ".join(f"{k} {v}" for k, v in
                                                    self.stats.totals.items()))


def forget_session(mqtt_url: str, instance: str | None = None, timeout: float = 10.0) -> None:
    """End an instance's persistent session (connect once with a clean session)."""
    name = instance or default_instance()
    end_session(mqtt_url, f"cangjing-collector-{name}", timeout)
    log.info("session of collector %s ended", name)
