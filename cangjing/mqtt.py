"""paho-mqtt 2.x clients made from a URL, reconnecting with backoff, stopping cleanly.

    mqtt://user:pass@host:1883          plain
    mqtts://user:pass@host:8883?ca=/etc/cangjing/ca.pem&cert=...&key=...   TLS
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None
    ca: str | None = None
    cert: str | None = None
    key: str | None = None

    def __str__(self) -> str:  # never shows the password
        scheme = "mqtts" if self.tls else "mqtt"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


def parse_mqtt_url(url: str) -> BrokerAddress:
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise ValueError(f"MQTT URL must start with mqtt:// or mqtts://, got {parts.scheme!r}")
    tls = parts.scheme in ("mqtts", "ssl")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    return BrokerAddress(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or (8883 if tls else 1883),
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        ca=query.get("ca"),
        cert=query.get("cert"),
        key=query.get("key"),
    )


class MqttConnection:
    """One paho client with its network thread, and an Event that says it is connected."""

    def __init__(
        self,
        url: str,
        client_id: str,
        *,
        clean: bool = True,
        will: tuple[str, bytes] | None = None,
        on_connect: Callable[[MqttConnection], None] | None = None,
        max_inflight: int = 100,
        max_queued: int = 0,
    ) -> None:
        self.address = parse_mqtt_url(url)
        self.connected = threading.Event()
        self._stopping = False
        self._on_connect_cb = on_connect
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=clean,
            protocol=paho.MQTTv311,
        )
        if self.address.username:
            client.username_pw_set(self.address.username, self.address.password)
        if self.address.tls:
            client.tls_set(
                ca_certs=self.address.ca,
                certfile=self.address.cert,
                keyfile=self.address.key,
                tls_version=ssl.PROTOCOL_TLS_CLIENT,
            )
        if will:
            client.will_set(will[0], will[1], qos=1, retain=True)
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.max_inflight_messages_set(max_inflight)
        client.max_queued_messages_set(max_queued)
        client.on_connect = self._handle_connect
        client.on_disconnect = self._handle_disconnect
        self.client = client

    def _handle_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.warning("mqtt %s refused the connection: %s", self.address, reason_code)
            return
        log.info("mqtt connected to %s", self.address)
        self.connected.set()
        if self._on_connect_cb:
            self._on_connect_cb(self)

    def _handle_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        if self.connected.is_set() and not self._stopping:
            log.warning("mqtt disconnected from %s: %s", self.address, reason_code)
        self.connected.clear()

    def start(self) -> MqttConnection:
        """Connect in the background; paho keeps reconnecting with backoff."""
        self.client.connect_async(self.address.host, self.address.port, keepalive=30)
        self.client.loop_start()
        return self

    def wait_connected(self, timeout: float) -> bool:
        return self.connected.wait(timeout)

    def stop(self) -> None:
        self._stopping = True
        try:
            self.client.disconnect()
        finally:
            self.client.loop_stop()
        self.connected.clear()


def end_session(url: str, client_id: str, timeout: float = 10.0) -> None:
    """End a client's persistent session (connect once with a clean session): the broker
    drops its subscriptions and stops queueing for it, e.g. for a retired collector."""
    conn = MqttConnection(url, client_id, clean=True).start()
    try:
        if not conn.wait_connected(timeout):
            raise RuntimeError(f"could not reach the broker at {conn.address} in {timeout:.0f}s")
    finally:
        conn.stop()
