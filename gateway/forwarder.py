"""Sends the outbox to the broker oldest first, with a bounded window of QoS 1 messages in
flight, and deletes each message once the broker acknowledged it.

MQTT packet ids are 16-bit and a broker limits in-flight messages, so a replay of a large
backlog must never hand everything to the client at once: at most `window` unacknowledged
messages are outstanding. A message handed to paho stays paho's until its PUBACK: on a
reconnect paho re-sends it itself (same packet id, DUP set), so the forwarder does not.
Polling threads only `put` into the outbox; they never wait for the broker.
"""

from __future__ import annotations

import collections
import logging
import threading
import time

from cangjing.mqtt import MqttConnection

from .outbox import Outbox

log = logging.getLogger(__name__)


class Forwarder:
    def __init__(self, outbox: Outbox, conn: MqttConnection, window: int) -> None:
        self.outbox = outbox
        self.conn = conn
        self.window = window
        self.sent = 0
        self.acked = 0
        self.max_in_flight = 0
        self._in_flight: dict[int, int] = {}  # paho mid -> seq
        self._last_sent = 0  # highest seq handed to paho in this process
        # on_publish runs on paho's network thread while paho holds its own locks: it only
        # records the mid here (deque.append is atomic); this thread does the rest.
        self._acks: collections.deque[int] = collections.deque()
        self._wake = outbox.added  # set by a put, an acknowledgement or stop()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="forwarder", daemon=True)
        conn.client.on_publish = self._on_publish

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        self._acks.append(mid)
        self._wake.set()

    @property
    def last_sent(self) -> int:
        """The seq of the newest message handed to the MQTT client in this run."""
        return self._last_sent

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(10)

    def drain(self, timeout: float) -> bool:
        """Wait until the outbox is empty (all acknowledged) or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while self.outbox.depth > 0 and time.monotonic() < deadline:
            if not self.conn.connected.is_set():
                return False
            time.sleep(0.02)
        return self.outbox.depth == 0

    def _settle_acks(self) -> None:
        done = []
        while self._acks:
            seq = self._in_flight.pop(self._acks.popleft(), None)
            if seq is not None:
                done.append(seq)
        if done:
            self.outbox.remove(done)
            self.acked += len(done)

    def _send_more(self) -> None:
        room = self.window - len(self._in_flight)
        if room <= 0 or not self.conn.connected.is_set():
            return
        for seq, topic, payload in self.outbox.after(self._last_sent, room):
            info = self.conn.client.publish(topic, payload, qos=1)
            # Queued by paho even if the connection dropped just now: it sends on reconnect.
            self._in_flight[info.mid] = seq
            self._last_sent = seq
            self.sent += 1
        self.max_in_flight = max(self.max_in_flight, len(self._in_flight))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(0.2)
            self._wake.clear()
            try:
                self._settle_acks()
                self._send_more()
            except Exception:  # a bug here must not end forwarding for good
                log.exception("forwarder: unexpected error; retrying")
                self._stop.wait(1.0)
