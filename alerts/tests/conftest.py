"""Helpers for the alert engine's tests: a facility tuned to seconds, readings, a clock."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from alerts.engine import AlertEngine
from alerts.events import Alert
from alerts.notify import Notifier
from alerts.store import Store
from cangjing.config import Facility, parse_facility
from cangjing.reading import Reading

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC).timestamp()  # 16:00 in Shanghai


def tuned(facility: Facility, alerts: dict[str, Any] | None = None,
          notifications: dict[str, Any] | None = None, sensors: list | None = None) -> Facility:
    """The facility with alert/notification settings merged in (nested dicts merge)."""
    data = facility.model_dump(mode="json", exclude_none=True)
    data["influx"].pop("password", None)
    data["influx"].pop("token", None)
    data["alerts"] = _merge(data["alerts"], alerts or {})
    data["notifications"] = _merge(data["notifications"], notifications or {})
    if sensors is not None:
        data["sensors"] = sensors
    return parse_facility(data, "<test facility>")


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def webhook_only(url: str, **extra: Any) -> dict[str, Any]:
    """notifications: one JSON webhook channel taking everything."""
    return {"channels": [{"id": "hook", "url": url}],
            "routes": [{"channels": ["hook"]}],
            "retry": {"attempts": 2, "backoff": "50ms"}, **extra}


def reading(sensor: str, t: float, zone: str | None = None, quality: dict | None = None,
            **values: float) -> Reading:
    return Reading.model_validate({
        "site": "beiqijia", "zone": zone or sensor.split("-")[0], "sensor": sensor,
        "time": t, "values": values, "quality": quality})


class Clock:
    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


class Harness:
    """An engine on a test facility, with a clock and the events it recorded."""

    def __init__(self, facility: Facility, tmp: Path, clock: Clock | None = None) -> None:
        self.clock = clock or Clock()
        self.events: list[Alert] = []
        self.notifier = Notifier(facility.notifications.channels, facility.notifications.retry)
        self.store = Store(tmp / "alerts.sqlite")
        self.engine = AlertEngine(facility, self.notifier, self.store, self.events.append,
                                  clock=self.clock)

    def feed(self, r: Reading, now: float | None = None) -> list[Alert]:
        """Feed a reading arriving `now` (default: at its own time, i.e. live)."""
        self.clock.t = r.epoch if now is None else now
        return [a.copy() for a in self.engine.on_reading(r)]

    def of(self, rule: str) -> list[tuple[str, Alert]]:
        return [(e.state.value, e) for e in self.events if e.rule == rule]

    def states(self, rule: str) -> list[str]:
        return [s for s, _ in self.of(rule)]

    def close(self) -> None:
        self.notifier.close()
        self.engine.close()
        self.store.close()


@pytest.fixture
def harness(facility: Facility, tmp_path: Path) -> Iterator[Any]:
    made: list[Harness] = []

    def make(f: Facility | None = None, **kw: Any) -> Harness:
        kw.setdefault("notifications", {"channels": [], "routes": []})
        # quiet by default: no stale sensors, no swing alerts from the steps the tests make
        kw["alerts"] = {"stale": {"intervals": 1e9}, "swing": {"enabled": False},
                        **kw.get("alerts", {})}
        h = Harness(f or tuned(facility, **kw), tmp_path / f"h{len(made)}")
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


# --- the service on the real broker and InfluxDB ---

TOKEN = "test-token-0123"
KEY = "test-signing-key"


class Smtp:
    """A real SMTP server (aiosmtpd) that keeps what it accepts, or refuses everything."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        from cangjing.stack import free_port

        self.refuse = False
        self.mails: list[bytes] = []
        smtp = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, options):
                if smtp.refuse:
                    return "550 mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                smtp.mails.append(envelope.content)
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def apprise_url(self) -> str:
        return (f"mailto://127.0.0.1:{self.port}?from=cangjing@example.org"
                "&to=oncall@example.org&mode=insecure")

    def subjects(self) -> list[str]:
        from email import message_from_bytes
        from email.header import decode_header, make_header

        return [str(make_header(decode_header(message_from_bytes(m)["Subject"])))
                for m in self.mails]

    def close(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    server = Smtp()
    yield server
    server.close()


class Running:
    """An AlertService on the session broker, a fresh InfluxDB database and its own state
    directory, plus an MQTT client to publish readings with."""

    def __init__(self, facility: Facility, mqtt_url: str, influx, state_dir: Path) -> None:
        from alerts.service import AlertService
        from cangjing.mqtt import MqttConnection
        from cangjing.topics import Topics
        from firmware_sim.testing import wait_for

        self.facility = facility
        self.service = AlertService(facility, mqtt_url, influx, state_dir=state_dir)
        self.service.start()
        wait_for(self.service.subscribed.is_set, 10, "the service's subscription")
        self.topics = Topics(facility.mqtt.prefix, facility.site.id)
        self.pub = MqttConnection(mqtt_url, f"test-pub-{id(self)}").start()
        wait_for(self.pub.connected.is_set, 10, "the publisher")

    @property
    def engine(self) -> AlertEngine:
        return self.service.engine

    @property
    def api(self) -> str:
        assert self.service.api is not None
        return self.service.api.url

    def publish(self, r: Reading) -> None:
        self.pub.client.publish(self.topics.reading(r.zone, r.sensor), r.to_json(), qos=1)

    def stop(self) -> None:
        self.pub.stop()
        self.service.stop()


@pytest.fixture
def running(mqtt_url, influx, tmp_path, monkeypatch) -> Iterator[Any]:
    """running(facility, state_dir=None) -> a started Running; all are stopped at the end."""
    monkeypatch.setenv("CANGJING_ALERTS_TOKEN", TOKEN)
    monkeypatch.setenv("CANGJING_ALERTS_SIGNING_KEY", KEY)
    started: list[Running] = []

    def start(f: Facility, state_dir: Path | None = None) -> Running:
        r = Running(f, mqtt_url, influx, state_dir or tmp_path / "state")
        started.append(r)
        return r

    yield start
    for r in started:
        if r.service.scheduler.running:
            r.stop()


def service_settings(**extra: Any) -> dict[str, Any]:
    """alerts: settings for a live service test (time-driven parts in fractions of a second)."""
    base = {"range": {"hold": "0s"}, "group_wait": "0s", "tick": "200ms",
            "stale": {"intervals": 1e9}, "swing": {"enabled": False},
            "api": {"bind": "127.0.0.1:0"}}
    return _merge(base, extra)
