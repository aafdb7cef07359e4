"""Helpers for tests against a running Cangjing system: probes that collect MQTT messages,
an HTTP receiver for webhook notifications, and waiting on a condition with a deadline."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cangjing.influx import InfluxClient
from cangjing.mqtt import MqttConnection
from cangjing.reading import Reading, ReadingError, parse_reading
from cangjing.stack import LocalStack, child_env, wait_until

__all__ = ["BENCH_FACILITY", "HttpReceiver", "MqttProbe", "ServiceProcesses", "wait_for",
           "wait_for_alert", "wait_for_reading", "wait_until"]


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Wait until `predicate()` is truthy and return its value; fail the test after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.05)


@dataclass
class Received:
    topic: str
    payload: bytes
    retain: bool = False

    def json(self) -> Any:
        return json.loads(self.payload)


class MqttProbe:
    """Subscribes to topic filters and keeps every message it gets, in order."""

    def __init__(self, url: str, *filters: str, client_id: str | None = None) -> None:
        self.filters = filters
        self.messages: list[Received] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.conn = MqttConnection(url, client_id or f"probe-{id(self)}", on_connect=self._sub)
        self.conn.client.on_message = self._on_message
        self.conn.client.on_subscribe = lambda *a: self._subscribed.set()

    def _sub(self, conn: MqttConnection) -> None:
        conn.client.subscribe([(f, 1) for f in self.filters])

    def _on_message(self, client, userdata, msg) -> None:
        with self._lock:
            self.messages.append(Received(msg.topic, msg.payload, msg.retain))

    def start(self, timeout: float = 10.0) -> MqttProbe:
        self.conn.start()
        if not self._subscribed.wait(timeout):
            raise AssertionError(f"probe could not subscribe to {self.filters}")
        return self

    def stop(self) -> None:
        self.conn.stop()

    def matching(self, topic_part: str = "") -> list[Received]:
        with self._lock:
            return [m for m in self.messages if topic_part in m.topic]

    def wait_for(self, predicate: Callable[[Received], bool], timeout: float = 10.0,
                 count: int = 1) -> list[Received]:
        def found() -> list[Received] | None:
            with self._lock:
                hits = [m for m in self.messages if predicate(m)]
            return hits if len(hits) >= count else None

        return wait_for(found, timeout, f"{count} MQTT message(s) on {self.filters}")


@dataclass
class HttpRequest:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """A real HTTP server on a free loopback port that records what is POSTed to it.

    `status` is what it answers (set it to 500 to play a webhook that is down)."""

    status: int = 200
    requests: list[HttpRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                code = receiver.status
                if code < 300:
                    receiver.requests.append(HttpRequest(self.path, dict(self.headers), body))
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def apprise_json_url(self, path: str = "/hook") -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- for technicians' own tests: services, simulated facilities, scenarios ----------------

BENCH_FACILITY = Path(__file__).resolve().parent / "testdata" / "bench.yaml"


class ServiceProcesses:
    """`cangjing <service>` processes (gateway, collector, alerts) against a stack, each in
    its own process as deployed, with their own InfluxDB database and data directory."""

    def __init__(self, stack: LocalStack, config: str | Path, workdir: Path,
                 database: str | None = None) -> None:
        self.stack = stack
        self.config = Path(config)
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.database = database or f"t_{uuid.uuid4().hex[:12]}"
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def env(self) -> dict[str, str]:
        # INFO: readiness is read from the "mqtt connected" line of each service's log
        return {**self.stack.env(), "CANGJING_INFLUX_DB": self.database,
                "CANGJING_LOG_LEVEL": "INFO",
                "CANGJING_DATA_DIR": str(self.workdir / "data"),
                "CANGJING_CONFIG": str(self.config)}

    def influx(self) -> InfluxClient:
        return InfluxClient(self.stack.influxd.url, self.database)

    def log(self, service: str) -> str:
        path = self.workdir / f"{service}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self, *services: str, timeout: float = 30.0) -> ServiceProcesses:
        """Start the services and wait until each is connected to the broker."""
        for name in services:
            with open(self.workdir / f"{name}.log", "ab") as logfile:
                self.procs[name] = subprocess.Popen(
                    [sys.executable, "-m", "cangjing.cli", name, "--config", str(self.config)],
                    env=child_env(self.env), stdout=logfile, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL)
        for name in services:
            proc = self.procs[name]
            wait_for(lambda n=name, p=proc: "mqtt connected" in self.log(n) or p.poll() is not None,
                     timeout, f"{name} to connect to the broker")
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited with {proc.returncode}:\n{self.log(name)}")
        return self

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()


def wait_for_reading(probe: MqttProbe, sensor: str,
                     predicate: Callable[[Reading], bool] = lambda r: True,
                     timeout: float = 10.0) -> Reading:
    """The first canonical reading of `sensor` on the probe that satisfies `predicate`."""
    def found() -> Reading | None:
        for m in probe.matching("/reading"):
            try:
                r = parse_reading(m.payload)
            except ReadingError:
                continue
            if r.sensor == sensor and predicate(r):
                return r
        return None

    return wait_for(found, timeout, f"a reading of {sensor}")


def wait_for_alert(probe: MqttProbe, rule: str, zone: str, state: str = "firing",
                   timeout: float = 10.0, sensor: str | None = None) -> dict[str, Any]:
    """The first alert event of `rule` in `zone` (and `sensor`) in `state` on the probe."""
    def found() -> dict[str, Any] | None:
        for m in probe.matching("/alerts/"):
            doc = m.json()
            if (doc.get("rule"), doc.get("zone"), doc.get("state")) == (rule, zone, state) and (
                    sensor is None or doc.get("sensor") == sensor):
                return doc
        return None

    return wait_for(found, timeout, f"{rule} {state} in {zone}")
