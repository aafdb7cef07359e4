"""The broker with the password and ACL files `cangjing mqtt-acl` generates from the
Beiqijia facility: no anonymous access, nobody publishes where they have no business."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from security_support import SecuredBroker, V5Client, start_secured_broker
from typer.testing import CliRunner

from cangjing.cli import app
from cangjing.config import Facility, parse_facility
from cangjing.mqtt import MqttConnection
from cangjing.security.acl import AclError, principals
from cangjing.security.credentials import env_name, read_env_file
from cangjing.settings import DEFAULT_FACILITY
from cangjing.topics import Topics
from firmware_sim.testing import MqttProbe

NODE_UP = "cangjing/beiqijia/node/{}/up"


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory, facility: Facility) -> Iterator[SecuredBroker]:
    secured = start_secured_broker(tmp_path_factory.mktemp("acl"), facility)
    yield secured
    secured.mosquitto.stop()


@pytest.fixture
def clients() -> Iterator[list]:
    made: list = []
    yield made
    for c in made:
        c.close() if isinstance(c, V5Client) else c.stop()


def v5(broker: SecuredBroker, clients: list, user: str | None, password: str | None = None,
       ) -> V5Client:
    c = V5Client(broker.url(user, password), f"test-{user}-{len(clients)}")
    clients.append(c)
    return c


def test_anonymous_and_wrong_passwords_are_refused(broker: SecuredBroker, clients: list) -> None:
    # Mosquitto 2 answers "Not authorized" to a bad password too (tells nothing apart).
    assert v5(broker, clients, None).wait_connack() == "Not authorized"
    assert v5(broker, clients, "node-a1-02", "wrong").wait_connack() == "Not authorized"
    assert v5(broker, clients, "nobody", "x").wait_connack() == "Not authorized"
    assert v5(broker, clients, "node-a1-02").wait_connack() == "Success"


def test_a_node_cannot_publish_on_another_nodes_topic(broker: SecuredBroker,
                                                       clients: list) -> None:
    # The gateway listens with its real filters and its own credentials.
    gateway = MqttProbe(broker.url("gw-01"), "cangjing/beiqijia/node/+/up", "tele/+/SENSOR")
    clients.append(gateway.start())
    node = v5(broker, clients, "node-a1-02")
    assert node.wait_connack() == "Success"
    assert node.publish(NODE_UP.format("node-a1-03"), b"spoof") == "Not authorized"
    assert node.publish("tele/tasmota-b2-02/SENSOR", b"spoof") == "Not authorized"
    assert node.publish("cangjing/beiqijia/A1/A1-TH-03/reading", b"spoof") == "Not authorized"
    assert node.publish(NODE_UP.format("node-a1-02"), b"own") == "Success"
    gateway.wait_for(lambda m: m.payload == b"own")
    assert [m.payload for m in gateway.messages] == [b"own"]


def test_a_3_1_1_node_is_silently_dropped_not_delivered(broker: SecuredBroker,
                                                         clients: list) -> None:
    # MQTT 3.1.1 has no refusal code: the broker acks and drops; nobody must get it.
    gateway = MqttProbe(broker.url("gw-01"), "cangjing/beiqijia/node/+/up")
    clients.append(gateway.start())
    node = MqttConnection(broker.url("node-b1-02"), "node-b1-02-311")
    clients.append(node.start())
    assert node.wait_connected(10)
    node.client.publish(NODE_UP.format("node-a2-02"), b"spoof", qos=1).wait_for_publish(10)
    node.client.publish(NODE_UP.format("node-b1-02"), b"own", qos=1).wait_for_publish(10)
    gateway.wait_for(lambda m: m.payload == b"own")
    assert [m.topic for m in gateway.messages] == [NODE_UP.format("node-b1-02")]


def test_tasmota_device_publishes_only_its_own_telemetry(broker: SecuredBroker,
                                                         clients: list) -> None:
    tasmota = v5(broker, clients, "tasmota-b2-02")
    assert tasmota.wait_connack() == "Success"
    assert tasmota.publish("tele/tasmota-b2-02/SENSOR", b"{}") == "Success"
    assert tasmota.publish("tele/tasmota-b2-02/LWT", b"Online") == "Success"
    assert tasmota.publish("tele/tasmota-e1-02/SENSOR", b"{}") == "Not authorized"
    assert tasmota.publish(NODE_UP.format("tasmota-b2-02"), b"{}") == "Not authorized"


@pytest.mark.parametrize(("user", "topic", "answer"), [
    ("gw-01", "cangjing/beiqijia/A1/A1-TH-01/reading", "Success"),
    ("gw-01", "cangjing/beiqijia/gateway/gw-01/status", "Success"),
    ("gw-01", "cangjing/beiqijia/deadletter", "Success"),
    ("gw-01", "cangjing/beiqijia/A1/FAKE-01/reading", "Not authorized"),
    ("gw-01", "cangjing/beiqijia/alerts/A1", "Not authorized"),
    ("gw-01", NODE_UP.format("node-a1-02"), "Not authorized"),
    ("collector", "cangjing/beiqijia/A1/A1-TH-01/reading", "Not authorized"),
    ("collector", "cangjing/beiqijia/deadletter", "Success"),
    ("alerts", "cangjing/beiqijia/alerts/A1", "Success"),
    ("alerts", "cangjing/beiqijia/A1/A1-TH-01/reading", "Not authorized"),
    ("monitor", "cangjing/beiqijia/deadletter", "Not authorized"),
])
def test_services_publish_only_what_they_need(broker: SecuredBroker, clients: list, user: str,
                                              topic: str, answer: str) -> None:
    client = v5(broker, clients, user)
    assert client.wait_connack() == "Success"
    assert client.publish(topic, b"{}") == answer


def test_the_real_gateway_works_under_the_acl(broker: SecuredBroker, facility: Facility,
                                              clients: list) -> None:
    from gateway.service import Gateway

    collector = MqttProbe(broker.url("collector"), Topics("cangjing", "beiqijia").all_readings)
    clients.append(collector.start())
    gw = Gateway(facility, broker.url("gw-01"), "gw-01")
    gw.start()
    try:
        assert gw.conn.wait_connected(10)
        node = v5(broker, clients, "node-c1-02")
        assert node.wait_connack() == "Success"
        payload = {"ts": datetime.now(UTC).timestamp(), "t": 19.5, "rh": 52.0}
        assert node.publish(NODE_UP.format("node-c1-02"), json.dumps(payload).encode()) == \
            "Success"
        got = collector.wait_for(lambda m: m.topic.endswith("/C1-TH-02/reading"))
        assert got[0].json()["values"]["temperature"] == pytest.approx(19.5 - 0.0, abs=0.5)
    finally:
        gw.stop()


def _cli(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env)


def test_mqtt_acl_command_writes_private_files_and_keeps_passwords(tmp_path: Path) -> None:
    out = tmp_path / "mqtt"
    first = _cli("mqtt-acl", "--config", str(DEFAULT_FACILITY), "--out", str(out),
                 env={env_name("collector"): "given-by-operator"})
    assert first.exit_code == 0, first.output
    assert stat.S_IMODE((out / "passwd").stat().st_mode) == 0o600
    assert stat.S_IMODE((out / "credentials.env").stat().st_mode) == 0o600
    creds = read_env_file(out / "credentials.env")
    assert env_name("collector") not in creds  # the operator's own stays theirs
    assert len(creds[env_name("node-a1-02")]) >= 32
    users = [line.split(":")[0] for line in (out / "passwd").read_text().splitlines()]
    assert "gw-01" in users and "tasmota-b2-02" in users and "collector" in users
    assert all(line.split(":", 1)[1].startswith("$7$")
               for line in (out / "passwd").read_text().splitlines())
    assert "given-by-operator" not in (out / "passwd").read_text()
    again = _cli("mqtt-acl", "--config", str(DEFAULT_FACILITY), "--out", str(out))
    assert again.exit_code == 0, again.output
    kept = read_env_file(out / "credentials.env")
    assert {k: kept[k] for k in creds} == creds  # nobody's password changed


def test_mqtt_acl_refuses_to_write_secrets_into_the_checkout() -> None:
    inside = DEFAULT_FACILITY.parent / "generated-auth"
    result = _cli("mqtt-acl", "--config", str(DEFAULT_FACILITY), "--out", str(inside))
    assert result.exit_code == 2
    assert not inside.exists()


def test_a_device_named_like_a_service_is_refused() -> None:
    doc = {
        "site": {"id": "s1", "name": "x"},
        "zones": [{"id": "Z1", "name": "z", "material": "paper"}],
        "sensors": [{"id": "Z1-1", "zone": "Z1", "transport": "mqtt", "device": "collector"}],
    }
    with pytest.raises(AclError, match="collector"):
        principals(parse_facility(doc))


def test_health_command_says_whether_the_broker_takes_the_login(broker: SecuredBroker) -> None:
    args = ["health", "--config", str(DEFAULT_FACILITY), "--timeout", "10"]
    ok = _cli(*args, env={"CANGJING_MQTT_URL": broker.url("gw-01")})
    assert ok.exit_code == 0, ok.output
    bad = _cli(*args, env={"CANGJING_MQTT_URL": broker.url("gw-01", "wrong-pw-123")})
    assert bad.exit_code == 1
    assert "Not authorized" in bad.output and "wrong-pw-123" not in bad.output
