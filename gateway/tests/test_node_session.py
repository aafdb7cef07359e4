"""Node payloads published while the gateway is away wait in the broker (persistent
session) and become readings when it is back: a gateway restart loses no node reading."""

from __future__ import annotations

import json

from cangjing.mqtt import MqttConnection
from firmware_sim.testing import wait_for
from gateway.service import Gateway


def test_node_readings_sent_while_the_gateway_is_down_arrive_after_restart(
        private_stack, facility, tmp_path, mqtt_probe):
    url = private_stack.mosquitto.url
    readings = mqtt_probe("cangjing/beiqijia/A1/A1-TH-02/reading", url=url)
    gateway = Gateway(facility, url, data_dir=tmp_path)
    gateway.start()
    assert gateway.conn.wait_connected(10)
    wait_for(lambda: gateway.conn.client.is_connected(), 5)
    gateway.stop()  # the session stays in the broker with its subscriptions

    node = MqttConnection(url, "node-a1-02").start()
    assert node.wait_connected(10)
    for n in range(5):
        info = node.client.publish("cangjing/beiqijia/node/node-a1-02/up",
                                   json.dumps({"ts": 1764000000 + n, "t": 20.0 + n, "rh": 55}),
                                   qos=1)
        info.wait_for_publish(5)
    node.stop()
    assert readings.messages == []

    again = Gateway(facility, url, data_dir=tmp_path)
    again.start()
    try:
        got = readings.wait_for(lambda m: True, 20, count=5)
        # calibrated (-0.3 K) and in the order the node sent them
        assert [round(m.json()["values"]["temperature"], 1) for m in got] == [
            19.7, 20.7, 21.7, 22.7, 23.7]
    finally:
        again.stop()
