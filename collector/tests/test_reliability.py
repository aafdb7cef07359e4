"""Reliability while readings stream in, on servers of the test's own (private_stack):
influxd stopped and restarted, Mosquitto restarted, the collector SIGKILLed mid-batch.
After each: the count in InfluxDB equals the count published, per sensor (one point per
sensor and time, so an exact count means nothing missing and nothing duplicated).

InfluxDB is away for 60 s, as the issue asks (CANGJING_TEST_INFLUX_OUTAGE overrides it for
quick local runs). Nothing in the mechanism depends on the length: from the first failed
write, every batch goes to the on-disk spool and is acknowledged, and the replayer tries
InfluxDB again with backoff (capped at `retry_max`); a longer outage only makes the spool
deeper (bounded by spool_max_points).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from cangjing.config import Facility
from cangjing.influx import InfluxClient
from cangjing.stack import LocalStack, child_env
from collector.service import Collector
from firmware_sim.testing import wait_for

from .helpers import ReadingPublisher, counts_by_sensor, settings_for_test

OUTAGE_S = float(os.environ.get("CANGJING_TEST_INFLUX_OUTAGE", "60"))
RATE = 200.0  # readings a second, the order of a large facility's steady load


def total(influx: InfluxClient) -> int:
    return sum(counts_by_sensor(influx).values())


def finish_and_check(pub: ReadingPublisher, influx: InfluxClient, timeout: float = 60) -> None:
    pub.stop_stream()
    wait_for(pub.all_acked, 30, "the broker acked every published reading")
    wait_for(lambda: total(influx) >= pub.total, timeout, f"{pub.total} readings in InfluxDB")
    assert counts_by_sensor(influx) == dict(pub.sent)


def test_influxd_stopped_while_readings_stream_loses_nothing(
        private_stack: LocalStack, facility: Facility, tmp_path: Path):
    influx = InfluxClient(private_stack.influxd.url, "cangjing")
    collector = Collector(facility, private_stack.mosquitto.url, influx, instance="c1",
                          data_dir=tmp_path, settings=settings_for_test(retry_max="2s"))
    collector.start()
    assert collector.subscribed.wait(10)
    pub = ReadingPublisher(private_stack.mosquitto.url, facility).start().stream(RATE)
    try:
        wait_for(lambda: total(influx) > 100, 20, "readings flowing into InfluxDB")
        private_stack.influxd.stop()
        down_at = time.monotonic()
        # The outage lasts OUTAGE_S; meanwhile readings must reach the spool, not wait in RAM.
        wait_for(lambda: time.monotonic() - down_at >= OUTAGE_S and collector.spool.depth
                 >= RATE * OUTAGE_S / 2, OUTAGE_S + 20, "the outage spooled on disk")
        private_stack.influxd.start(timeout=60)
        before = total(influx)
        wait_for(lambda: total(influx) > before + RATE, 30, "live readings after the restart")
        finish_and_check(pub, influx)
        assert collector.stats.totals["spooled"] >= RATE * OUTAGE_S / 2
        wait_for(lambda: collector.spool.depth == 0, 30, "the spool replayed")
    finally:
        pub.stop()
        collector.stop()


def test_mosquitto_restarted_while_readings_stream_loses_nothing(
        private_stack: LocalStack, facility: Facility, tmp_path: Path):
    influx = InfluxClient(private_stack.influxd.url, "cangjing")
    # A plain subscription (the default): Mosquitto 2.0 does not keep shared ones over a
    # restart, so readings published before the collector re-subscribed would be dropped.
    collector = Collector(facility, private_stack.mosquitto.url, influx, instance="c1",
                          data_dir=tmp_path, settings=settings_for_test(group=None))
    collector.start()
    assert collector.subscribed.wait(10)
    pub = ReadingPublisher(private_stack.mosquitto.url, facility).start().stream(RATE)
    try:
        wait_for(lambda: total(influx) > 100, 20, "readings flowing into InfluxDB")
        private_stack.mosquitto.stop()
        private_stack.mosquitto.start()
        wait_for(lambda: collector.conn.connected.is_set() and pub.conn.connected.is_set(), 30,
                 "both clients reconnected")
        before = total(influx)
        wait_for(lambda: total(influx) > before + RATE, 30, "readings flowing again")
        finish_and_check(pub, influx)
    finally:
        pub.stop()
        collector.stop()


def _start_collector_process(stack: LocalStack, data: Path, log: Path) -> subprocess.Popen:
    env = child_env({
        "CANGJING_MQTT_URL": stack.mosquitto.url,
        "CANGJING_INFLUX_URL": stack.influxd.url,
        "CANGJING_INFLUX_DB": "cangjing",
        "CANGJING_DATA_DIR": str(data),
        "CANGJING_COLLECTOR_INSTANCE": "k1",
    })
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "cangjing.cli", "collector"], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    marks = log.read_text
    wait_for(lambda: marks().count("subscribed to") > _starts.get(log, 0), 30,
             "the collector process subscribed")
    _starts[log] = _starts.get(log, 0) + 1
    return proc


_starts: dict[Path, int] = {}


def test_collector_sigkilled_mid_batch_and_restarted_loses_nothing(
        private_stack: LocalStack, facility: Facility, tmp_path: Path):
    log = tmp_path / "collector.log"
    proc = _start_collector_process(private_stack, tmp_path / "data", log)
    influx = InfluxClient(private_stack.influxd.url, "cangjing")
    pub = ReadingPublisher(private_stack.mosquitto.url, facility).start()
    try:
        for n in range(20_000):  # a burst: batches are in flight when the kill comes
            pub.publish(n)
        wait_for(lambda: total(influx) > 1000, 30, "the collector writing the burst")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert total(influx) < pub.total, "killed too late to be mid-batch"
        proc = _start_collector_process(private_stack, tmp_path / "data", log)
        finish_and_check(pub, influx)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        assert "collector stopped" in log.read_text()
    finally:
        pub.stop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.sync()
