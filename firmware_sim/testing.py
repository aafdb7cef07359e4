"""Helpers for tests against a running Cangjing system: probes that collect MQTT messages,
an HTTP receiver for webhook notifications, and waiting on a condition with a deadline."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cangjing.mqtt import MqttConnection
from cangjing.stack import wait_until

__all__ = ["HttpReceiver", "MqttProbe", "wait_for", "wait_until"]


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
