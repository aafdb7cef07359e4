"""End to end on a real Mosquitto and a real influxd: node payload -> gateway -> collector ->
InfluxDB (exact values back through InfluxQL), and a breach -> alert event on MQTT and a
notification at a real HTTP receiver."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import yaml

from alerts.service import AlertService
from cangjing.config import Facility, parse_facility
from cangjing.conservation import dew_point
from cangjing.influx import InfluxClient
from cangjing.mqtt import MqttConnection
from cangjing.settings import DEFAULT_FACILITY
from collector.service import Collector
from firmware_sim.nodes import MqttNodes
from firmware_sim.testing import HttpReceiver, wait_for
from gateway.service import Gateway


def facility_with_webhook(receiver: HttpReceiver, hold: str = "0s") -> Facility:
    doc = yaml.safe_load(DEFAULT_FACILITY.read_text(encoding="utf-8"))
    doc["notifications"] = {
        "lang": "zh",
        "channels": [{"id": "hook", "url": receiver.apprise_json_url()}],
        "routes": [{"channels": ["hook"]}],
    }
    doc["alerts"]["range"]["hold"] = hold
    # page at once: the facility's grouping waits are for people, not for this test
    doc["alerts"]["group_wait"] = "0s"
    doc["alerts"]["group_interval"] = "1s"
    return parse_facility(doc)


@pytest.fixture
def pipeline(mqtt_url: str, influx: InfluxClient, http_receiver: HttpReceiver, tmp_path
             ) -> Iterator[tuple[Facility, MqttConnection]]:
    facility = facility_with_webhook(http_receiver)
    services = [Collector(facility, mqtt_url, influx, client_id=f"col-{influx.database}"),
                AlertService(facility, mqtt_url, None, state_dir=tmp_path / "alerts"),
                Gateway(facility, mqtt_url)]
    for s in services:
        s.start()
    for s in services:
        assert s.conn.wait_connected(10)
    node = MqttConnection(mqtt_url, f"node-{influx.database}").start()
    assert node.wait_connected(10)
    yield facility, node
    node.stop()
    for s in reversed(services):
        s.stop()


def rows(influx: InfluxClient, q: str) -> list[dict]:
    series = influx.query(q)
    return series[0].records() if series else []


def test_node_reading_arrives_calibrated_with_dew_point(pipeline, influx):
    _, node = pipeline
    ts = 1764000000.0  # 2025-11-24T16:00:00Z
    payload = {"ts": ts, "t": 20.5, "rh": 54.0, "lux": 12.0, "bat": 3.01}
    node.client.publish("cangjing/beiqijia/node/node-a1-02/up", json.dumps(payload), qos=1)

    q = "SELECT * FROM environment WHERE sensor = 'A1-TH-02'"
    got = wait_for(lambda: rows(influx, q), 20, "the reading in InfluxDB")
    assert len(got) == 1
    row = got[0]
    # A1-TH-02 is calibrated in the facility file: temperature -0.3 K, humidity +1.2 %RH
    assert row["time"] == int(ts * 1000)
    assert row["temperature"] == pytest.approx(20.2)
    assert row["humidity"] == pytest.approx(55.2)
    assert row["illuminance"] == 12.0 and row["battery"] == 3.01
    assert row["dew_point"] == pytest.approx(dew_point(20.2, 55.2), abs=1e-3)
    assert (row["site"], row["zone"]) == ("beiqijia", "A1")


def test_tasmota_local_time_is_read_in_the_site_time_zone(pipeline, influx):
    _, node = pipeline
    tasmota = {"Time": "2026-11-24T08:00:00", "SI7021": {"Temperature": 21.0, "Humidity": 45.0},
               "TempUnit": "C"}
    node.client.publish("tele/tasmota-b2-02/SENSOR", json.dumps(tasmota), qos=1)
    q = "SELECT temperature, humidity FROM environment WHERE sensor = 'B2-TH-02'"
    row = wait_for(lambda: rows(influx, q), 20, "the Tasmota reading")[0]
    assert row["time"] == int(datetime(2026, 11, 24, 0, 0, tzinfo=UTC).timestamp() * 1000)
    assert (row["temperature"], row["humidity"]) == (21.0, 45.0)


def test_bad_payloads_are_dead_lettered_and_good_ones_pass(pipeline, influx, mqtt_probe):
    _, node = pipeline
    dead = mqtt_probe("cangjing/beiqijia/deadletter")
    node.client.publish("cangjing/beiqijia/node/ghost-01/up", b'{"t": 1}', qos=1)
    node.client.publish("cangjing/beiqijia/node/node-c1-02/up", b"\xff\x00garbage", qos=1)
    node.client.publish("cangjing/beiqijia/node/node-c1-02/up", b'{"t": "warm"}', qos=1)
    node.client.publish("cangjing/beiqijia/node/node-c1-02/up",
                        json.dumps({"ts": 1764000000, "t": 19.0, "rh": 52.0}), qos=1)
    letters = dead.wait_for(lambda m: True, 20, count=3)
    reasons = {m.json()["reason"] for m in letters}
    assert "no sensor has device 'ghost-01'" in reasons
    assert "t is 'warm', not a number" in reasons
    assert any(r.startswith("not JSON") for r in reasons)
    assert all(m.json()["service"] == "gateway" for m in letters)
    q = "SELECT temperature FROM environment WHERE sensor = 'C1-TH-02'"
    assert wait_for(lambda: rows(influx, q), 20)[0]["temperature"] == 19.0


def test_simulated_nodes_fill_every_mqtt_sensor(pipeline, influx, mqtt_url):
    facility, _ = pipeline
    nodes = MqttNodes(facility, mqtt_url, interval=0.5, client_id=f"sim-{influx.database}")
    nodes.start()
    try:
        expected = {s.id for s in facility.sensors if s.transport.value == "mqtt"}

        def sensors_seen() -> bool:
            series = influx.query('SHOW TAG VALUES FROM environment WITH KEY = "sensor"')
            seen = {v[1] for s in series for v in s.values}
            return seen >= expected

        wait_for(sensors_seen, 30, "a reading from every simulated MQTT node")
    finally:
        nodes.stop()
    # a facility in its normal state stays inside every zone's limits (no false alarms)
    for v in rows(influx, "SELECT temperature, humidity, zone FROM environment"):
        lim = facility.zone(v["zone"]).effective_limits()
        assert lim.temperature.min <= v["temperature"] <= lim.temperature.max, v
        assert lim.humidity.min <= v["humidity"] <= lim.humidity.max, v


def test_breach_gives_alert_event_and_notification(pipeline, mqtt_probe, http_receiver):
    _, node = pipeline
    events = mqtt_probe("cangjing/beiqijia/alerts/+")
    now = datetime.now(UTC).timestamp()
    # C1 (textiles) allows 50-60 %RH; calibration-free node C1-TH-02 reports 71 %RH
    node.client.publish("cangjing/beiqijia/node/node-c1-02/up",
                        json.dumps({"ts": now, "t": 20.0, "rh": 71.0}), qos=1)
    def humidity(state: str):
        return lambda m: m.json()["rule"] == "humidity_range" and m.json()["state"] == state

    firing = events.wait_for(humidity("firing"), 20)[0].json()
    assert (firing["zone"], firing["sensor"], firing["rule"]) == ("C1", "C1-TH-02",
                                                                  "humidity_range")
    assert (firing["value"], firing["limit"]) == (71.0, 60.0)
    def humidity_messages() -> list[dict]:
        return [r.json() for r in http_receiver.requests if "相对湿度" in r.json()["title"]]

    message = wait_for(humidity_messages, 20, "the webhook notification")[0]
    assert "纺织品库" in message["title"]
    assert "71 %RH" in message["message"] and "60 %RH" in message["message"]
    # back inside by more than the hysteresis: resolved, and staff are told
    node.client.publish("cangjing/beiqijia/node/node-c1-02/up",
                        json.dumps({"ts": now + 60, "t": 20.0, "rh": 55.0}), qos=1)
    events.wait_for(humidity("resolved"), 20)
    resolved = wait_for(lambda: humidity_messages()[1:], 20, "the resolved notification")
    assert "已恢复" in resolved[0]["title"]
