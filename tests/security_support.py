"""What the security and deployment tests share: a Mosquitto locked down with the files
`cangjing mqtt-acl` generates, and MQTT clients that report what the broker answered."""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from cangjing.config import Facility
from cangjing.mqtt import parse_mqtt_url
from cangjing.security.acl import BrokerFiles, write_broker_files
from cangjing.stack import Mosquitto


def auth_conf(files: BrokerFiles) -> str:
    """The auth lines of config/mosquitto/mosquitto.conf, pointing at generated files."""
    conf = (
        "allow_anonymous false\n"
        f"password_file {files.passwd}\n"
        f"acl_file {files.acl}\n"
    )
    # (cangjing.stack.Mosquitto adds `user root` when run as root, so that the broker can
    # read these files in pytest's 0700 temp folders.)
    return conf


@dataclass
class SecuredBroker:
    mosquitto: Mosquitto
    files: BrokerFiles

    def url(self, user: str | None, password: str | None = None, port: int | None = None,
            scheme: str = "mqtt", query: str = "") -> str:
        if user is not None and password is None:
            password = self.files.passwords.by_user[user]
        cred = f"{user}:{password}@" if user is not None else ""
        return f"{scheme}://{cred}127.0.0.1:{port or self.mosquitto.port}{query}"


def start_secured_broker(workdir: Path, facility: Facility, extra_conf: str = "") -> SecuredBroker:
    files = write_broker_files(facility, workdir / "auth", workdir / "credentials.env", env={})
    broker = Mosquitto(workdir / "mosquitto", extra_conf=auth_conf(files) + extra_conf)
    broker.start()
    return SecuredBroker(broker, files)


class V5Client:
    """An MQTT 5 client: the broker answers a refused PUBLISH with a reason code
    (3.1.1 acknowledges it and drops it silently)."""

    def __init__(self, url: str, client_id: str) -> None:
        addr = parse_mqtt_url(url)
        self.connack = threading.Event()
        self.connect_reason: str | None = None
        self.pubacks: dict[int, str] = {}
        self._acked = threading.Condition()
        c = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5)
        if addr.username:
            c.username_pw_set(addr.username, addr.password)
        if addr.tls:
            c.tls_set(ca_certs=addr.ca, certfile=addr.cert, keyfile=addr.key)
        c.on_connect = self._on_connect
        c.on_publish = self._on_publish
        self.client = c
        c.connect_async(addr.host, addr.port, keepalive=30)
        c.loop_start()

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connect_reason = str(reason_code)
        self.connack.set()

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        with self._acked:
            # "No matching subscribers" is an accepted publish too
            self.pubacks[mid] = "Success" if not reason_code.is_failure else str(reason_code)
            self._acked.notify_all()

    def wait_connack(self, timeout: float = 10.0) -> str:
        if not self.connack.wait(timeout):
            raise AssertionError("no CONNACK from the broker")
        return self.connect_reason or ""

    def publish(self, topic: str, payload: bytes, timeout: float = 10.0) -> str:
        """Publish at QoS 1 and return the broker's PUBACK reason ("Success", ...)."""
        info = self.client.publish(topic, payload, qos=1)
        with self._acked:
            if not self._acked.wait_for(lambda: info.mid in self.pubacks, timeout):
                raise AssertionError(f"no PUBACK for {topic}")
            return self.pubacks[info.mid]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@dataclass
class Pki:
    """A test CA, a server certificate for 127.0.0.1, a client certificate, and a CA
    that signed nothing here (a client trusting it must refuse our server)."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


def _ca(folder: Path, name: str) -> None:
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "2",
             "-subj", f"/CN={name}", cwd=folder)


def _signed(folder: Path, name: str, ext: str) -> None:
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=folder)
    (folder / f"{name}.ext").write_text(ext)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", f"{name}.crt", "-days", "2",
             "-extfile", f"{name}.ext", cwd=folder)


def make_pki(folder: Path) -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    _ca(folder, "ca")
    _ca(folder, "other-ca")
    _signed(folder, "server", "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
            "extendedKeyUsage=serverAuth\n")
    _signed(folder, "client", "extendedKeyUsage=clientAuth\n")
    return Pki(folder / "ca.crt", folder / "server.crt", folder / "server.key",
               folder / "client.crt", folder / "client.key", folder / "other-ca.crt")


def tls_listener(port: int, pki: Pki, require_certificate: bool = False) -> str:
    conf = (f"listener {port} 127.0.0.1\n"
            f"cafile {pki.ca}\ncertfile {pki.server_cert}\nkeyfile {pki.server_key}\n")
    return conf + ("require_certificate true\n" if require_certificate else "")
