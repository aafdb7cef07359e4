"""The durable spool on a real SQLite file, and the collector spooling what an InfluxDB
answering 5xx refuses, then replaying it (after a restart) into a real influxd."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cangjing.config import Facility
from cangjing.influx import InfluxClient
from collector.service import Collector, forget_session
from collector.spool import Spool
from firmware_sim.testing import HttpReceiver, wait_for

from .helpers import ReadingPublisher, counts_by_sensor, forget, make_collector


def test_spool_keeps_batches_across_reopen_oldest_first_and_bounded(tmp_path: Path):
    path = tmp_path / "spool.sqlite"
    spool = Spool(path, max_points=1000)
    assert spool.put(["a 1", 'b s="two\nlines"']) and spool.put(["c 3"])
    assert not spool.put(["x 1"] * 998)  # would exceed the bound: refused, nothing lost
    spool.close()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = Spool(path, max_points=1000)
    assert again.depth == 3
    first = again.oldest()
    assert first is not None and first.lines == ["a 1", 'b s="two\nlines"']
    again.delete(first)
    second = again.oldest()
    assert second is not None and second.lines == ["c 3"] and again.depth == 1
    again.delete(second)
    assert again.oldest() is None and again.depth == 0


def test_5xx_goes_to_the_spool_is_acked_and_replays_after_a_restart(
        mqtt_url: str, facility: Facility, influx: InfluxClient, tmp_path: Path,
        http_receiver: HttpReceiver):
    http_receiver.status = 503  # an "InfluxDB" that refuses every request
    refusing = InfluxClient(http_receiver.url, influx.database)
    first = make_collector(facility, mqtt_url, refusing, tmp_path)
    first.start()
    assert first.subscribed.wait(10)
    pub = ReadingPublisher(mqtt_url, facility).start()
    try:
        for n in range(500):
            pub.publish(n)
        # >= : retained gateway statuses left on the session broker add sensor_health points
        wait_for(lambda: first.spool.depth >= 500, 20, "500 readings spooled")
        wait_for(pub.all_acked, 10, "publisher acks")
        first.stop()
        # Everything was acked once spooled: the broker has nothing left for this session.
        again = Collector(facility, mqtt_url, influx, instance=first.instance,
                          data_dir=tmp_path, settings=first.settings)  # same session, spool
        assert again.spool.depth >= 500
        again.start()
        wait_for(lambda: sum(counts_by_sensor(influx).values()) == 500, 30,
                 "the spool replayed into InfluxDB")
        assert again.stats.totals["received"] == 0  # nothing redelivered: it was acked
        assert counts_by_sensor(influx) == dict(pub.sent)
        wait_for(lambda: again.spool.depth == 0, 10, "an empty spool")
        again.stop()
        forget(again, mqtt_url)
    finally:
        pub.stop()


def test_a_full_spool_leaves_the_rest_unacked_in_the_broker(
        mqtt_url: str, facility: Facility, influx: InfluxClient, tmp_path: Path,
        http_receiver: HttpReceiver):
    http_receiver.status = 500
    refusing = InfluxClient(http_receiver.url, influx.database)
    first = make_collector(facility, mqtt_url, refusing, tmp_path, spool_max_points=1000)
    first.start()
    assert first.subscribed.wait(10)
    pub = ReadingPublisher(mqtt_url, facility).start()
    try:
        for n in range(1600):
            pub.publish(n)
        wait_for(lambda: first.stats.totals["received"] >= 1000, 20, "readings received")
        wait_for(lambda: first.spool.depth > 1000 - first.settings.batch_size, 20, "a full spool")
        first.stop()
        assert 0 < first.spool.depth <= 1000  # the bound held; the rest was never acked
        again = Collector(facility, mqtt_url, influx, instance=first.instance,
                          data_dir=tmp_path, settings=first.settings)
        again.start()
        wait_for(lambda: sum(counts_by_sensor(influx).values()) == 1600, 30,
                 "spool replayed and the broker's unacked readings redelivered")
        assert again.stats.totals["received"] >= 1600 - 1000  # redelivered by the broker
        again.stop()
        forget(again, mqtt_url)
    finally:
        pub.stop()


def test_forgetting_an_instance_ends_its_session(
        mqtt_url: str, facility: Facility, influx: InfluxClient, tmp_path: Path):
    first = make_collector(facility, mqtt_url, influx, tmp_path)
    first.start()
    assert first.subscribed.wait(10)
    first.stop()
    pub = ReadingPublisher(mqtt_url, facility).start()
    try:
        for n in range(50):
            pub.publish(n)  # queued for the stopped instance's session
        wait_for(pub.all_acked, 10, "publisher acks")
        forget_session(mqtt_url, first.instance)
        again = Collector(facility, mqtt_url, influx, instance=first.instance,
                          data_dir=tmp_path, settings=first.settings)
        again.start()
        assert again.subscribed.wait(10)
        pub.publish(50, "MARK")
        wait_for(lambda: counts_by_sensor(influx).get("MARK") == 1, 15, "a new reading")
        assert sum(counts_by_sensor(influx).values()) == 1  # the queued 50 went with it
        again.stop()
        forget(again, mqtt_url)
    finally:
        pub.stop()
