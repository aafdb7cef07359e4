"""MQTT over TLS (mqtts://) through cangjing.mqtt.MqttConnection, against a real Mosquitto
TLS listener with a CA and certificates made for the test."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from security_support import Pki, SecuredBroker, make_pki, start_secured_broker, tls_listener

from cangjing.config import Facility
from cangjing.mqtt import MqttConnection
from cangjing.stack import free_port
from firmware_sim.testing import MqttProbe

READING = "cangjing/beiqijia/A1/A1-TH-01/reading"
# MQTT 3.1.1 CONNECT, client id "x", clean session, no credentials
CONNECT = bytes([0x10, 13, 0, 4]) + b"MQTT" + bytes([4, 2, 0, 30, 0, 1]) + b"x"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory,
        facility: Facility) -> Iterator[tuple[SecuredBroker, Pki, int, int]]:
    folder = tmp_path_factory.mktemp("tls")
    pki = make_pki(folder / "pki")
    port, mutual = free_port(), free_port()
    extra = tls_listener(port, pki) + tls_listener(mutual, pki, require_certificate=True)
    broker = start_secured_broker(folder, facility, extra)
    yield broker, pki, port, mutual
    broker.mosquitto.stop()


def _conn(url: str, name: str, made: list) -> MqttConnection:
    conn = MqttConnection(url, name)
    made.append(conn)
    return conn


@pytest.fixture
def made() -> Iterator[list]:
    out: list = []
    yield out
    for c in out:
        c.stop()


def test_mqtts_with_the_ca_carries_readings(tls, made: list) -> None:
    broker, pki, port, _ = tls
    query = f"?ca={pki.ca}"
    probe = MqttProbe(broker.url("collector", port=port, scheme="mqtts", query=query), READING)
    made.append(probe.start())
    gw = _conn(broker.url("gw-01", port=port, scheme="mqtts", query=query), "gw-tls", made)
    assert gw.address.tls and gw.address.ca == str(pki.ca)
    assert gw.start().wait_connected(10)
    gw.client.publish(READING, b'{"tls": true}', qos=1).wait_for_publish(10)
    assert probe.wait_for(lambda m: m.payload == b'{"tls": true}')


def test_a_client_trusting_another_ca_refuses_the_broker(tls) -> None:
    broker, pki, port, _ = tls
    conn = MqttConnection(
        broker.url("gw-01", port=port, scheme="mqtts", query=f"?ca={pki.other_ca}"), "gw-x")
    with pytest.raises(ssl.SSLCertVerificationError):
        conn.client.connect(conn.address.host, conn.address.port)


def test_tls_credentials_are_still_checked(tls, made: list) -> None:
    broker, pki, port, _ = tls
    refused: list[str] = []
    conn = _conn(broker.url("gw-01", "wrong", port=port, scheme="mqtts", query=f"?ca={pki.ca}"),
                 "gw-bad", made)
    conn.client.on_connect = lambda c, u, f, rc, p: refused.append(str(rc))
    conn.client.connect(conn.address.host, conn.address.port)
    deadline_loops = 200
    while not refused and deadline_loops:
        conn.client.loop(0.05)
        deadline_loops -= 1
    assert refused == ["Not authorized"]


def test_client_certificate_listener(tls, made: list, tmp_path: Path) -> None:
    broker, pki, _, mutual = tls
    url = broker.url("gw-01", port=mutual, scheme="mqtts",
                     query=f"?ca={pki.ca}&cert={pki.client_cert}&key={pki.client_key}")
    assert _conn(url, "gw-mtls", made).start().wait_connected(10)
    # Without a client certificate the broker ends the session before any CONNACK.
    ctx = ssl.create_default_context(cafile=str(pki.ca))
    with socket.create_connection(("127.0.0.1", mutual), timeout=10) as raw, \
            ctx.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
        try:
            sock.sendall(CONNECT)
            answer = sock.recv(4)
        except (ssl.SSLError, ConnectionResetError):
            answer = b""
    assert answer == b""
