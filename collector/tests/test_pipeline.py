"""The collector on the session's real Mosquitto and influxd: readings in, points out, bad
input dead-lettered beside good input, database set-up, self-metrics, shared load."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cangjing.config import Facility
from cangjing.influx import InfluxClient
from collector.service import Collector
from firmware_sim.testing import wait_for

from .helpers import BASE_EPOCH, ReadingPublisher, counts_by_sensor, forget, make_collector


@pytest.fixture
def publisher(mqtt_url: str, facility: Facility) -> Iterator[ReadingPublisher]:
    pub = ReadingPublisher(mqtt_url, facility).start()
    yield pub
    pub.stop()


@pytest.fixture
def collectors(mqtt_url: str, facility: Facility, influx: InfluxClient, tmp_path: Path):
    made: list[Collector] = []

    def make(fac: Facility = facility, **overrides: object) -> Collector:
        c = make_collector(fac, mqtt_url, influx, tmp_path, **overrides)
        c.start()
        assert c.subscribed.wait(10), "collector did not subscribe"
        made.append(c)
        return c

    yield make
    for c in made:
        c.stop()
        forget(c, mqtt_url)


def total(influx: InfluxClient) -> int:
    return sum(counts_by_sensor(influx).values())


def test_every_reading_lands_once_and_the_database_is_set_up(
        collectors, publisher: ReadingPublisher, influx: InfluxClient, facility: Facility):
    fac = facility.model_copy(update={
        "influx": facility.influx.model_copy(update={"raw_retention": __import__(
            "datetime").timedelta(days=30)})})
    collectors(fac)
    for n in range(2000):
        publisher.publish(n)
    wait_for(lambda: total(influx) == 2000, 30, "2000 readings in InfluxDB")
    assert counts_by_sensor(influx) == dict(publisher.sent)
    rps = {r["name"]: r for s in influx.query(f'SHOW RETENTION POLICIES ON "{influx.database}"')
           for r in s.records()}
    assert rps["raw"]["default"] and rps["raw"]["duration"] == "720h0m0s"
    assert rps["rollup"]["duration"] == "0s"  # forever
    cqs = {row[0] for s in influx.query("SHOW CONTINUOUS QUERIES") if s.name == influx.database
           for row in s.values}
    assert {"cq_environment_1h", "cq_environment_1d"} <= cqs
    # The dew point is derived and stored with the reading.
    row = influx.query('SELECT * FROM "environment" LIMIT 1')[0].records()[0]
    assert 10 < row["dew_point"] < 13 and row["site"] == "beiqijia"


BAD_PAYLOADS = {
    "malformed JSON": b'{"site": "beiqijia", "zone": ',
    "NaN token": b'{"site":"beiqijia","zone":"A1","sensor":"B1","time":1,"values":'
                 b'{"temperature":NaN}}',
    "Infinity token": b'{"site":"beiqijia","zone":"A1","sensor":"B2","time":1,"values":'
                      b'{"humidity":-Infinity}}',
    "overflowing number": b'{"site":"beiqijia","zone":"A1","sensor":"B3","time":1,"values":'
                          b'{"temperature":1e400}}',
    "huge integer": b'{"site":"beiqijia","zone":"A1","sensor":"B4","time":1,"values":'
                    b'{"temperature":' + b"9" * 400 + b"}}",
    "wrong type": b'{"site":"beiqijia","zone":"A1","sensor":"B5","time":1,"values":'
                  b'{"temperature":"warm"}}',
    "not an object": b"[1, 2, 3]",
    "time overflows": b'{"site":"beiqijia","zone":"A1","sensor":"B6","time":1e20,"values":'
                      b'{"temperature":20}}',
    "time beyond InfluxDB": b'{"site":"beiqijia","zone":"A1","sensor":"B7",'
                            b'"time":"2300-01-01T00:00:00Z","values":{"temperature":20}}',
    "non-ASCII id": json.dumps({"site": "beiqijia", "zone": "A1", "sensor": "温湿度,1 =x",
                                "time": 1, "values": {"temperature": 20}}).encode(),
    "not UTF-8": b'{"site":"\xff\xfe"}',
    "1 MB of garbage": b"{" + b"x" * 1_000_000,
}


def test_bad_input_is_dead_lettered_and_good_input_beside_it_goes_through(
        collectors, publisher: ReadingPublisher, influx: InfluxClient, mqtt_probe):
    collector = collectors()
    dead = mqtt_probe(collector.topics.deadletter)
    big = json.loads(publisher.payload("BIG", 0))
    big["note"] = "数" * 350_000  # ~1 MB, an unknown key: ignored, the reading is good
    for n, payload in enumerate(BAD_PAYLOADS.values()):
        publisher.publish(n)  # good readings around every bad one
        publisher.publish_raw(payload)
    publisher.publish_raw(json.dumps(big).encode(), "BIG")
    publisher.publish(100, "HUGE", temperature=1e300, humidity=-0.0)
    good = publisher.total + 1
    wait_for(lambda: total(influx) == good, 30, "the good readings in InfluxDB")
    letters = [m.json() for m in dead.wait_for(lambda m: True, 30, count=len(BAD_PAYLOADS))]
    assert len(letters) == len(BAD_PAYLOADS) == collector.stats.totals["dead_lettered"]
    reasons = " | ".join(d["reason"] for d in letters)
    for expected in ("not JSON", "not a finite number", "valid number", "not a JSON object",
                     "outside InfluxDB's range", "not a valid id", "OverflowError"):
        assert expected in reasons
    assert any("payload_base64" in d for d in letters)  # not UTF-8, kept as bytes
    huge = influx.query('SELECT "temperature", "humidity" FROM "environment" '
                        "WHERE \"sensor\" = 'HUGE'")[0].records()[0]
    assert huge["temperature"] == 1e300 and huge["humidity"] == 0
    assert counts_by_sensor(influx)["BIG"] == 1
    # Still alive and writing after all of that.
    publisher.publish(101, "AFTER")
    wait_for(lambda: counts_by_sensor(influx).get("AFTER") == 1, 15, "a reading after the bad")


def test_points_influx_refuses_are_split_out_without_the_rest_of_the_batch(
        collectors, publisher: ReadingPublisher, influx: InfluxClient, mqtt_probe):
    # `uv` already stored as a string in this shard: InfluxDB refuses float uv points there.
    influx.write(f'environment,sensor=OLD,site=beiqijia,zone=A1 uv="broken" '
                 f"{int(BASE_EPOCH * 1e9)}")
    collector = collectors(batch_size=400, batch_wait="2s")
    dead = mqtt_probe(collector.topics.deadletter)
    with_uv = set(range(0, 400, 50))
    for n in range(400):
        if n in with_uv:
            publisher.publish(n, temperature=21.0, uv=5.0)
        else:
            publisher.publish(n)
    wait_for(lambda: total(influx) == 400 - len(with_uv), 30, "the rest of the batch written")
    letters = dead.wait_for(lambda m: True, 30, count=len(with_uv))
    assert all("field type conflict" in m.json()["reason"] for m in letters)
    assert all(m.json()["payload"].startswith("environment,") for m in letters)
    assert collector.stats.totals["dead_lettered"] == len(with_uv)
    assert collector.spool.depth == 0  # refused points are never retried


def test_self_metrics_are_written_to_cangjing_pipeline(
        collectors, publisher: ReadingPublisher, influx: InfluxClient):
    collector = collectors(metrics_interval="1s")
    for n in range(300):
        publisher.publish(n)
    publisher.publish_raw(b"not json")

    def sums() -> dict | None:
        q = ('SELECT sum("received"), sum("written"), sum("dead_lettered"), max("spool_depth"), '
             'max("write_latency_ms"), max("lag_s") FROM "cangjing_pipeline" '
             "GROUP BY \"site\", \"service\", \"instance\"")
        rows = [(s.tags, s.records()[0]) for s in influx.query(q)]
        return rows if rows and rows[0][1]["sum_1"] == 300 else None

    tags, row = wait_for(sums, 20, "metrics counting 300 written")[0]
    assert tags == {"site": "beiqijia", "service": "collector", "instance": collector.instance}
    assert row["sum"] == 301 and row["sum_2"] == 1 and row["max"] == 0
    assert row["max_1"] > 0 and row["max_2"] > 0  # latency measured; lag (old timestamps)


def test_two_collectors_in_one_group_split_the_readings(
        collectors, publisher: ReadingPublisher, influx: InfluxClient):
    first = collectors()
    second = collectors(group=first.settings.group)
    for n in range(2000):
        publisher.publish(n)
    wait_for(lambda: total(influx) == 2000, 30, "2000 readings in InfluxDB")
    a, b = first.stats.totals["received"], second.stats.totals["received"]
    assert a > 0 and b > 0 and a + b == 2000  # split, not copied
    assert counts_by_sensor(influx) == dict(publisher.sent)


def test_readings_written_after_their_hour_closed_get_their_rollups(
        collectors, publisher: ReadingPublisher, influx: InfluxClient):
    # Yesterday's readings (a replay): the continuous queries ran long ago for that hour
    # and day, so only the collector's recomputation can roll them up.
    collectors(metrics_interval="1s")
    for n in range(100):
        publisher.publish(n, "LATE", temperature=20.0 + n % 2, humidity=50.0)
    wait_for(lambda: counts_by_sensor(influx).get("LATE") == 100, 20, "the late readings")

    def rolled(rollup: str) -> dict | None:
        rows = influx.query(f'SELECT * FROM "rollup"."{rollup}" WHERE "sensor" = \'LATE\'')
        return rows[0].records()[0] if rows else None

    hour = wait_for(lambda: rolled("environment_1h"), 20, "the hourly rollup")
    day = wait_for(lambda: rolled("environment_1d"), 20, "the daily rollup")
    for row in (hour, day):
        assert row["temperature_mean"] == 20.5
        assert row["temperature_min"] == 20.0 and row["temperature_max"] == 21.0
        assert row["humidity_max"] == 50.0
    assert hour["time"] == int(BASE_EPOCH // 3600 * 3600 * 1000)
    assert day["time"] == int(BASE_EPOCH // 86400 * 86400 * 1000)
