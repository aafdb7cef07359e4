"""MQTT nodes in their own payload formats, through the gateway's outbox to readings."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from cangjing.mqtt import MqttConnection
from firmware_sim.testing import wait_for

from .conftest import make_facility


def test_our_json_and_tasmota_nodes_and_the_status(run_gateway, sink, mqtt_url, mqtt_probe):
    facility = make_facility([], [
        {"id": "N-1", "transport": "mqtt", "device": "gwt-node-1", "decoder": "cangjing-json"},
        {"id": "T-1", "transport": "mqtt", "device": "gwt-tasmota-1", "decoder": "tasmota"},
    ], status_interval="300ms")
    out = sink()
    dead = mqtt_probe("cangjing/gwtest/deadletter")
    gw = run_gateway(facility)
    assert gw.conn.wait_connected(10)
    node = MqttConnection(mqtt_url, "gwt-nodes").start()
    assert node.wait_connected(10)
    try:
        node.client.publish("cangjing/gwtest/node/gwt-node-1/up", json.dumps(
            {"ts": 1764000000, "t": 19.5, "rh": 51.0, "bat": 2.9}), qos=1)
        node.client.publish("tele/gwt-tasmota-1/SENSOR", json.dumps(
            {"Time": "2026-11-24T08:00:00", "AM2301": {"Temperature": 68.0, "Humidity": 40.0},
             "TempUnit": "F"}), qos=1)
        node.client.publish("cangjing/gwtest/node/gwt-node-1/up", b"{not json", qos=1)
        wait_for(lambda: out.of("N-1") and out.of("T-1"), 15, "both readings")
    finally:
        node.stop()
    n, t = out.of("N-1")[0], out.of("T-1")[0]
    assert n.values == {"temperature": 19.5, "humidity": 51.0, "battery": 2.9}
    assert n.time == datetime.fromtimestamp(1764000000, UTC)
    assert t.get("temperature") == 20.0 and t.get("humidity") == 40.0
    assert t.time == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # Tasmota's local time, +08:00
    letter = dead.wait_for(lambda m: True, 10)[0].json()
    assert letter["kind"] == "undecodable cangjing-json"

    status = wait_for(lambda: (s := out.last_status()) and s.get("published", 0) >= 2 and s,
                      10, "a status after publishing")
    assert status["state"] == "online"
    assert status["sensors"]["N-1"]["state"] == "ok"
    assert status["sensors"]["N-1"]["errors"] == {"undecodable": 1}
    assert status["queue"]["depth"] == 0 and status["queue"]["max"] == 1_000_000
