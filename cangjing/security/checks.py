"""Checks that a service's credentials are accepted (used by `cangjing health`)."""

from __future__ import annotations

import threading

from cangjing.config import Facility


def check_mqtt(facility: Facility, client_id: str, timeout: float) -> list[str]:
    """[] when the broker accepts this service's login, else what went wrong."""
    from cangjing.mqtt import MqttConnection
    from cangjing.settings import mqtt_url

    answered = threading.Event()
    refusal: list[str] = []
    conn = MqttConnection(mqtt_url(facility), client_id, on_connect=lambda c: answered.set())
    accept = conn.client.on_connect

    def on_connect(client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            refusal.append(str(reason_code))
            answered.set()
        accept(client, userdata, flags, reason_code, properties)

    conn.client.on_connect = on_connect
    conn.start()
    try:
        answered.wait(timeout)
        ok = conn.connected.is_set()
    finally:
        conn.stop()
    if ok:
        return []
    why = refusal[0] if refusal else f"no answer within {timeout:g}s"
    return [f"MQTT broker {conn.address}: {why}"]


def check_influx(facility: Facility) -> list[str]:
    """[] when InfluxDB answers a query with this service's credentials."""
    from cangjing.influx import InfluxError
    from cangjing.settings import influx_client

    client = influx_client(facility)
    try:
        client.query("SHOW MEASUREMENTS LIMIT 1")
    except InfluxError as exc:
        return [f"InfluxDB {client.url}: {exc}"]
    finally:
        client.close()
    return []
