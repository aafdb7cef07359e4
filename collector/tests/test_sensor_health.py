"""The collector stores the gateway's per-sensor health (`sensor_health`) for Grafana."""

from __future__ import annotations

import json

from collector.service import Collector
from firmware_sim.testing import wait_for
from gateway.service import Gateway


def test_gateway_status_becomes_sensor_health_points(facility, mqtt_url, influx, tmp_path,
                                                     mqtt_probe):
    collector = Collector(facility, mqtt_url, influx, instance=f"h-{influx.database}",
                          data_dir=tmp_path)
    gateway = Gateway(facility, mqtt_url, data_dir=tmp_path / "gw")
    collector.start()
    gateway.start()
    try:
        assert gateway.conn.wait_connected(10)
        node = mqtt_probe("cangjing/beiqijia/A1/A1-TH-02/reading")
        gateway.conn.client.publish("cangjing/beiqijia/node/node-a1-02/up",
                                    json.dumps({"t": 20.0, "rh": 55.0}), qos=1)
        node.wait_for(lambda m: True, 15)
        gateway.publish_status()

        def health() -> list[dict]:
            q = "SELECT * FROM sensor_health WHERE sensor = 'A1-TH-02' AND last_seen > 0"
            series = influx.query(q)
            return series[0].records() if series else []

        row = wait_for(health, 20, "sensor_health of A1-TH-02")[-1]
        assert (row["zone"], row["gateway"], row["state"]) == ("A1", "gw-01", "ok")
        assert row["errors"] == 0 and row["calibration_overdue"] is False
        # every sensor of the gateway is charted, also those that never answered
        series = influx.query('SHOW TAG VALUES FROM sensor_health WITH KEY = "sensor"')
        assert {v[1] for s in series for v in s.values} == {s.id for s in facility.sensors}
    finally:
        gateway.stop()
        # clear the retained status so later tests on this broker do not inherit it
        collector.conn.client.publish("cangjing/beiqijia/gateway/gw-01/status", b"",
                                      qos=1, retain=True).wait_for_publish(5)
        collector.stop()


def test_a_malformed_status_is_dead_lettered_not_fatal(facility, mqtt_url, influx, tmp_path,
                                                      mqtt_probe):
    collector = Collector(facility, mqtt_url, influx, instance=f"b-{influx.database}",
                          data_dir=tmp_path)
    collector.start()
    try:
        assert collector.subscribed.wait(10)
        dead = mqtt_probe("cangjing/beiqijia/deadletter")
        collector.conn.client.publish("cangjing/beiqijia/gateway/gw-x/status", b"{oops", qos=1)
        letter = dead.wait_for(lambda m: m.json()["kind"] == "invalid gateway status", 15)[0]
        assert letter.json()["reason"].startswith("not JSON")
        assert collector.conn.connected.is_set()
    finally:
        collector.stop()
