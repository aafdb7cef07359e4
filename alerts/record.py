"""Record stage: every alert transition goes to `cangjing/<site>/alerts/<zone>` (QoS 1) and
to InfluxDB measurement `alert` (tags site/zone/sensor/rule/severity/state; fields value,
limit, message, id, past) for Grafana annotations. A background thread does the writing so
that a slow or absent InfluxDB never delays a notification; points wait (bounded) and are
retried while InfluxDB is away."""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from zoneinfo import ZoneInfo

from cangjing.influx import InfluxClient, InfluxError
from cangjing.lineprotocol import encode
from cangjing.mqtt import MqttConnection
from cangjing.topics import Topics

from .events import Alert, State
from .messages import annotation, where

log = logging.getLogger(__name__)

BACKLOG_MAX = 100_000  # annotation points kept while InfluxDB is away


def alert_line(alert: Alert, message: str) -> str:
    tags = {"site": alert.site, "zone": alert.zone, "sensor": alert.sensor, "rule": alert.rule,
            "severity": alert.severity, "state": alert.state.value}
    fields = {"value": float(alert.value),
              "limit": None if alert.limit is None else float(alert.limit),
              "message": message, "id": alert.id, "past": alert.past}
    # an acknowledgement is annotated when it happened, the other states at reading time
    t = alert.acked_at if alert.state is State.acknowledged and alert.acked_at else (
        alert.time.timestamp())
    return encode("alert", tags, fields, int(t * 1e9))


class Recorder:
    def __init__(self, conn: MqttConnection | None, topics: Topics, influx: InfluxClient | None,
                 places: dict[str, str], tz: ZoneInfo, lang: str,
                 retry_s: float = 5.0) -> None:
        self.conn = conn
        self.topics = topics
        self.influx = influx
        self.places = places
        self.tz = tz
        self.lang = lang
        self.retry_s = retry_s
        self.queue: queue.Queue[Alert | None] = queue.Queue()
        self.backlog: deque[str] = deque(maxlen=BACKLOG_MAX)
        self.written = 0
        self._influx_down = False
        self.thread = threading.Thread(target=self._run, name="alerts-record", daemon=True)
        self.thread.start()

    def __call__(self, alert: Alert) -> None:
        self.queue.put(alert)

    def _run(self) -> None:
        while True:
            try:
                items: list[Alert | str | None] = [
                    self.queue.get(timeout=self.retry_s if self.backlog else None)]
            except queue.Empty:
                items = ["retry"]  # nothing new: retry the backlog
            while True:
                try:
                    items.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            batch = [a for a in items if isinstance(a, Alert)]
            for alert in batch:
                self._publish(alert)
            self._write(batch)
            if None in items:
                return

    def _publish(self, alert: Alert) -> None:
        if self.conn is not None:
            self.conn.client.publish(self.topics.alerts(alert.zone), alert.to_json(), qos=1)

    def _write(self, batch: list[Alert]) -> None:
        if self.influx is None:
            return
        for a in batch:
            place = where(a, self.places, self.lang)
            self.backlog.append(alert_line(a, annotation(a, place, self.tz, self.lang)))
        if not self.backlog:
            return
        lines = list(self.backlog)
        try:
            self.influx.write("\n".join(lines))
        except InfluxError as exc:
            if exc.is_client_error:
                log.error("InfluxDB refused %d alert point(s), dropped: %s", len(lines), exc)
                self.backlog.clear()
            elif not self._influx_down:
                log.warning("InfluxDB away, keeping alert annotations to retry: %s", exc)
            self._influx_down = not exc.is_client_error
            return
        if self._influx_down:
            log.info("InfluxDB back: wrote %d waiting alert annotation(s)", len(lines))
        self._influx_down = False
        self.written += len(lines)
        self.backlog.clear()

    def idle(self) -> bool:
        return self.queue.empty() and not self.backlog

    def close(self, timeout: float = 5.0) -> None:
        self.queue.put(None)
        self.thread.join(timeout)
