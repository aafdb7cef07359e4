"""The alert service: readings and gateway status in; alert events, annotations and
notifications out; state in SQLite; a small HTTP API for people.

Reads:  cangjing/<site>/+/+/reading (QoS 1), cangjing/<site>/gateway/+/status (retained),
        InfluxDB `environment` (raw) once on start to rebuild the rolling windows.
Writes: cangjing/<site>/alerts/<zone> (QoS 1), InfluxDB measurement `alert`,
        notifications through the facility's apprise channels,
        $CANGJING_DATA_DIR/alerts.sqlite (alerts and silences),
        cangjing/<site>/deadletter for payloads it cannot parse.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from cangjing.config import Facility
from cangjing.config.connections import data_dir
from cangjing.config.envref import MissingEnvironment, resolve
from cangjing.deadletter import DeadLetters
from cangjing.influx import InfluxClient, InfluxError
from cangjing.mqtt import MqttConnection
from cangjing.reading import ReadingError, parse_reading
from cangjing.topics import Topics

from .api import ApiServer
from .engine import AlertEngine
from .notify import Notifier
from .rebuild import rebuild
from .record import Recorder
from .signing import Signer
from .store import Store

log = logging.getLogger(__name__)

STATE_FILE = "alerts.sqlite"


def secret(reference: str | None, what: str) -> str | None:
    """Resolve a ${ENV} reference; None (with a warning) when it is unset or empty."""
    if not reference:
        return None
    try:
        value = resolve(reference)
    except MissingEnvironment as exc:
        log.warning("%s not configured: %s", what, exc)
        return None
    return value or None


class AlertService:
    def __init__(self, facility: Facility, mqtt_url: str, influx: InfluxClient | None, *,
                 state_dir: Path | None = None, clock: Callable[[], float] = time.time) -> None:
        self.facility = facility
        self.topics = Topics(facility.mqtt.prefix, facility.site.id)
        self.influx = influx
        self.clock = clock
        settings = facility.alerts
        self.token = secret(settings.api.token, "alerts API token (API disabled)")
        key = secret(settings.signing_key, "ack link signing key (messages carry no links)")
        self.signer = Signer(key) if key else None
        self.conn = MqttConnection(mqtt_url, f"cangjing-alerts-{facility.site.id}-"
                                   f"{secrets.token_hex(3)}", on_connect=self._on_connect)
        self.conn.client.on_message = self._on_message
        self.conn.client.on_subscribe = lambda *a: self.subscribed.set()
        self.subscribed = threading.Event()  # readings flow from here on
        self.deadletters = DeadLetters(self.conn, self.topics.deadletter, "alerts")
        self.store = Store((state_dir or data_dir()) / STATE_FILE)
        self.notifier = Notifier(facility.notifications.channels, facility.notifications.retry,
                                 on_failure=lambda w, m, e: self.engine.channel_failed(w, m, e))
        lang = facility.notifications.lang
        self.recorder = Recorder(self.conn, self.topics, influx,
                                 {z.id: z.display_name(lang) for z in facility.zones},
                                 facility.site.tz, lang)
        self.api: ApiServer | None = None
        self.rebuilt: dict[str, int] = {}
        if self.token:
            try:
                self.api = ApiServer(None, settings.api.bind, self.token, self.signer)  # type: ignore[arg-type]
            except OSError as exc:  # alerts must still flow without the API
                log.error("alerts API cannot listen on %s (alerts.api.bind): %s; running "
                          "without it", settings.api.bind, exc)
        public_url = settings.api.public_url or (self.api.url if self.api else None)
        self.engine = AlertEngine(facility, self.notifier, self.store, self.recorder,
                                  clock=clock, signer=self.signer, public_url=public_url)
        if self.api:
            self.api.engine = self.engine
        self.scheduler = BackgroundScheduler(timezone=facility.site.tz,
                                             job_defaults={"coalesce": True, "max_instances": 1})

    # --- MQTT ---

    def _on_connect(self, conn: MqttConnection) -> None:
        conn.client.subscribe([(self.topics.all_readings, 1),
                               (self.topics.all_gateway_status, 1)])

    def _on_message(self, client, userdata, msg) -> None:
        try:
            if msg.topic.endswith("/reading"):
                try:
                    reading = parse_reading(msg.payload)
                except ReadingError as exc:
                    self.deadletters.reject("invalid reading", str(exc), msg.topic, msg.payload)
                    return
                self.engine.on_reading(reading)
            elif msg.topic.endswith("/status"):
                self._gateway_status(msg.topic, msg.payload)
        except Exception:  # one bad message must not stop the service
            log.exception("alerts: handling %s failed", msg.topic)

    def _gateway_status(self, topic: str, payload: bytes) -> None:
        if not payload:
            return  # retained status cleared
        gateway = topic.split("/")[-2]
        try:
            state = json.loads(payload).get("state")
        except (ValueError, AttributeError):
            state = None
        if state not in ("online", "offline"):
            self.deadletters.reject("invalid gateway status", "needs {\"state\": \"online\"|"
                                    "\"offline\"}", topic, payload)
            return
        self.engine.on_gateway(gateway, state == "offline")

    # --- life ---

    def start(self) -> None:
        if self.influx is not None:
            try:
                self.influx.ensure_database()
                counts = self.rebuilt = rebuild(self.engine, self.influx, self.clock())
                log.info("alerts rebuilt their windows from InfluxDB: %s", counts)
            except InfluxError as exc:
                log.warning("InfluxDB not available, rules start without history: %s", exc)
        if self.api:
            self.api.start()
        self.conn.start()
        s = self.facility.alerts
        self.scheduler.add_job(self.engine.tick, "interval", seconds=s.tick.total_seconds(),
                               id="tick")
        self.scheduler.add_job(self.engine.check_calibration, "interval",
                               seconds=s.calibration.check_every.total_seconds(),
                               id="calibration", next_run_time=_now_dt(self.facility))
        digest = self.facility.notifications.digest
        if digest.at is not None and digest.channels:
            self.scheduler.add_job(self.engine.send_digest, CronTrigger(
                hour=digest.at.hour, minute=digest.at.minute, timezone=self.facility.site.tz),
                id="digest")
        self.scheduler.start()
        log.info("alerts watching %d zones, %d sensors; %d active alert(s) restored",
                 len(self.facility.zones), len(self.facility.sensors),
                 len(self.engine.lifecycle.tracks))

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.conn.stop()
        self.engine.close()
        if self.api:
            self.api.close()
        self.recorder.close()
        self.notifier.close()
        self.store.close()
        log.info("alerts stopped")


def _now_dt(facility: Facility) -> datetime:
    return datetime.now(facility.site.tz)
