"""Accelerated time: readings with simulated timestamps, as fast as the pipeline takes them.

Canonical readings go straight onto cangjing/<site>/<zone>/<sensor>/reading (as a gateway
would publish them), or node payloads go to the nodes' topics for a real gateway to decode.
QoS 1 with a bounded window of messages the broker has not acknowledged yet, and an
optional `behind()` that says how far the consumer lags, so that a year of readings never
piles up in the broker's queues.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cangjing.config import Facility
from cangjing.config.sensors import Sensor, Transport
from cangjing.mqtt import MqttConnection
from cangjing.reading import Reading
from cangjing.topics import Topics

from .model import FacilityModel
from .nodes import node_payload, node_topic
from .observer import Observer

log = logging.getLogger(__name__)

_ROUND = {"temperature": 2, "humidity": 1, "illuminance": 1, "uv": 1, "battery": 2}


class WindowedPublisher:
    """QoS 1 publishing with at most `window` messages unacknowledged by the broker."""

    def __init__(self, url: str, client_id: str, window: int = 500) -> None:
        self.window = window
        self.conn = MqttConnection(url, client_id, max_inflight=window)
        self._free = threading.BoundedSemaphore(window)
        self.conn.client.on_publish = self._acked
        self.sent = 0

    def _acked(self, client, userdata, mid, reason_code, properties) -> None:
        with contextlib.suppress(ValueError):  # an ack of a message from before a reconnect
            self._free.release()

    def start(self, timeout: float = 10.0) -> WindowedPublisher:
        self.conn.start()
        if not self.conn.wait_connected(timeout):
            raise ConnectionError(f"cannot reach the MQTT broker at {self.conn.address}")
        return self

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        while not self._free.acquire(timeout=1.0):
            log.debug("window of %d unacknowledged messages full; waiting", self.window)
        self.conn.client.publish(topic, payload, qos=1, retain=retain)
        self.sent += 1

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until the broker acknowledged everything published so far."""
        deadline = time.monotonic() + timeout
        taken = 0
        while taken < self.window:
            if not self._free.acquire(timeout=max(0.0, deadline - time.monotonic())):
                break
            taken += 1
        for _ in range(taken):
            self._free.release()
        return taken == self.window

    def stop(self) -> None:
        self.flush(5.0)
        self.conn.stop()


def canonical(facility: Facility, sensor: Sensor, when: datetime, values: dict[str, float],
              seq: int, gateway: str) -> Reading:
    rounded = {q: round(v, _ROUND.get(q, 2)) for q, v in values.items()}
    return Reading(site=facility.site.id, zone=sensor.zone, sensor=sensor.id, time=when,
                   values=rounded, seq=seq, gateway=gateway)


@dataclass
class Feed:
    """What the simulated sensors send at one simulated instant.

    `shift` moves the published timestamps away from the instant the physics is evaluated
    at (a July scenario replayed last night); `via_gateway` sends MQTT sensors' own
    payloads to their node topics, for a real gateway; everything else is published as
    canonical readings of gateway `gateway_id`."""

    facility: Facility
    model: FacilityModel
    publisher: WindowedPublisher
    sensors: list[Sensor]
    via_gateway: bool = False
    shift: timedelta = timedelta(0)
    gateway_id: str = "sim"
    published: int = 0
    expected: int = 0  # readings that should come out of the pipeline
    last: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.topics = Topics(self.facility.mqtt.prefix, self.facility.site.id)

    def step(self, when: datetime, *, delivered: bool = True) -> None:
        """Publish every sensor's report for instant `when` (physics time).
        `delivered=False`: sent, but nothing downstream will get it (a cut network)."""
        stamp = when + self.shift
        for sensor in self.sensors:
            if not self.model.reports(sensor, when):
                continue
            values = self.model.measure(sensor, when)
            self.last[sensor.id] = values
            if self.via_gateway and sensor.transport is Transport.mqtt:
                payload = node_payload(self.model, sensor, when, stamp)
                self.publisher.publish(node_topic(self.topics, sensor), payload)
                ok = delivered and not self.model.garbled(sensor, when)
            else:
                reading = canonical(self.facility, sensor, stamp, values, self.published + 1,
                                    self.gateway_id)
                self.publisher.publish(self.topics.reading(sensor.zone, sensor.id),
                                       reading.to_json())
                ok = True
            self.published += 1
            self.expected += ok


def instants(start: datetime, end: datetime, step: timedelta) -> Iterator[datetime]:
    n = 0
    while (when := start + n * step) <= end:
        yield when
        n += 1


def keep_up(feed: Feed, seen: Callable[[], int], lag: int, stall: float = 3.0) -> None:
    """Wait while the consumer is more than `lag` readings behind; give up waiting when it
    makes no progress for `stall` seconds (it may be dropping them, which is its business)."""
    last, since = seen(), time.monotonic()
    while feed.expected - (now := seen()) > lag:
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > stall:
            return
        time.sleep(0.01)


@dataclass(frozen=True)
class Progress:
    when: datetime  # physics time of the step just published
    index: int
    total: int
    feed: Feed


def run_accelerated(
    facility: Facility,
    model: FacilityModel,
    mqtt_url: str,
    start: datetime,
    end: datetime,
    step: timedelta,
    *,
    via_gateway: bool = False,
    window: int = 500,
    lag: int = 5000,
    on_step: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
) -> Feed:
    """Publish every sensor's readings from `start` to `end` every `step`, QoS 1, paced by
    the broker's acknowledgements and by how far the readings' consumers lag (as seen by a
    subscriber of our own, which the broker serves like any other)."""
    topics = Topics(facility.mqtt.prefix, facility.site.id)
    tag = time.time_ns() % 10**9
    observer = Observer(mqtt_url, topics, f"cangjing-sim-accel-obs-{tag}", keep_readings=False)
    observer.start()
    publisher = WindowedPublisher(mqtt_url, f"cangjing-sim-accel-{tag}", window).start()
    feed = Feed(facility, model, publisher, list(facility.sensors), via_gateway=via_gateway)
    total = int((end - start) / step) + 1
    try:
        for i, when in enumerate(instants(start, end, step)):
            if stop is not None and stop.is_set():
                break
            feed.step(when)
            keep_up(feed, lambda: observer.count, lag)
            if on_step is not None:
                on_step(Progress(when, i, total, feed))
        publisher.flush()
    finally:
        publisher.stop()
        observer.stop()
    return feed
