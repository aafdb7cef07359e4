"""docker-compose.yml, checked without Docker: `docker-compose config` resolves it, every
file it mounts exists, every command it runs is a working `cangjing` command, and the
services run with the compose environment against Mosquitto and influxd started from the
same configuration files, with the generated users."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from deploy_support import (
    ENV_EXAMPLE,
    ROOT,
    ShippedInfluxd,
    ShippedMosquitto,
    compose_config,
    compose_variables,
    filled_env_file,
    resolved_compose,
)
from security_support import V5Client
from typer.testing import CliRunner

from cangjing.cli import app
from cangjing.influx import InfluxClient
from cangjing.security.credentials import env_name, read_env_file
from firmware_sim.testing import wait_for

SERVICES = ("gateway", "collector", "alerts")
FACILITY = """\
site: {id: testsite, name: 测试库房}
gateways: [{id: gw-01}]
zones: [{id: Z1, name: 测试区, material: paper}]
sensors:
  - {id: Z1-TH-01, zone: Z1, transport: mqtt, device: node-z1-01, interval: 30s}
"""
PASSWORDS = {
    "INFLUXDB_ADMIN_PASSWORD": "adm-3vG9-pw", "INFLUXDB_USER_PASSWORD": "svc-8kQ2-pw",
    "INFLUXDB_READ_USER_PASSWORD": "read-5tW7-pw", "GRAFANA_ADMIN_PASSWORD": "graf-1zP4-pw",
}


@dataclass
class Deployment:
    folder: Path
    env_file: Path
    compose: dict
    facility: Path

    @property
    def secrets(self) -> dict[str, str]:
        env = read_env_file(self.env_file)
        return {k: v for k, v in env.items() if ("PASSWORD" in k) and v}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    folder = tmp_path_factory.mktemp("deploy")
    facility = folder / "facility.yaml"
    facility.write_text(FACILITY, encoding="utf-8")
    env_file = filled_env_file(folder / "cangjing.env", {
        **PASSWORDS, "CANGJING_MQTT_AUTH_DIR": str(folder / "mqtt"),
        "CANGJING_FACILITY": str(facility)})
    # the operator's step: generate the broker's users into the same env file
    done = CliRunner().invoke(app, ["mqtt-acl", "--config", str(facility), "--out",
                                    str(folder / "mqtt"), "--credentials", str(env_file)],
                              env={k: "" for k in os.environ if k.startswith("CANGJING_")})
    assert done.exit_code == 0, done.output
    return Deployment(folder, env_file, resolved_compose(env_file), facility)


def test_compose_config_resolves_every_service(deployment: Deployment) -> None:
    services = deployment.compose["services"]
    assert {"mosquitto", "influxdb", "grafana", "influx-setup", *SERVICES} <= set(services)
    assert services["mosquitto"]["image"].startswith("eclipse-mosquitto:2")
    assert services["influxdb"]["image"].startswith("influxdb:1.11")
    for name, svc in services.items():
        assert svc.get("restart") in ("unless-stopped", "always", "on-failure"), name
        if name != "influx-setup":
            assert "healthcheck" in svc, name
    named = {v["source"] if isinstance(v, dict) else v.split(":")[0]
             for svc in services.values() for v in svc.get("volumes", [])}
    assert {"influxdb-data", "mosquitto-data", "collector-data", "gateway-data"} <= named
    env = services["influxdb"]["environment"]
    assert env["INFLUXDB_HTTP_AUTH_ENABLED"] == "true"
    assert services["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"] == \
        PASSWORDS["GRAFANA_ADMIN_PASSWORD"]


def test_compose_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    done = compose_config(filled_env_file(tmp_path / "empty.env", {}))
    assert done.returncode != 0
    assert "CANGJING_MQTT_AUTH_DIR" in done.stderr or "PASSWORD" in done.stderr


def test_every_variable_compose_reads_is_in_env_example() -> None:
    documented = set(read_env_file(ENV_EXAMPLE))
    assert compose_variables() - documented == set()


def test_every_mounted_file_exists(deployment: Deployment) -> None:
    checked = 0
    for name, svc in deployment.compose["services"].items():
        for volume in svc.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            if source.startswith("/"):
                assert Path(source).exists(), f"{name} mounts {source}, which does not exist"
                checked += 1
    assert checked >= 8


def _commands(compose: dict) -> list[list[str]]:
    out = []
    for svc in compose["services"].values():
        if isinstance(svc.get("command"), list):
            out.append(svc["command"])
        test = svc.get("healthcheck", {}).get("test", [])
        if test[:2] == ["CMD", "cangjing"]:
            out.append(test[1:])
    return out


def test_every_command_compose_runs_is_a_cangjing_command(deployment: Deployment) -> None:
    commands = _commands(deployment.compose)
    assert len(commands) >= 7
    for command in commands:
        assert command[0] == "cangjing"
        done = CliRunner().invoke(app, [*command[1:], "--help"])
        assert done.exit_code == 0, (command, done.output)


def test_dockerfile_copies_what_exists_and_ignores_secrets() -> None:
    text = (ROOT / "Dockerfile").read_text()
    sources = [line.split()[1:-1] for line in text.splitlines() if line.startswith("COPY ")]
    for group in sources:
        for src in group:
            assert (ROOT / src).exists(), src
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", "*.env", ".venv", ".git", "**/passwd"} <= set(ignored)


# -- the compose services, run here ------------------------------------------------------

@pytest.fixture(scope="module")
def servers(deployment: Deployment) -> Iterator[tuple[ShippedMosquitto, ShippedInfluxd]]:
    broker = ShippedMosquitto(deployment.folder / "mosquitto", deployment.folder / "mqtt")
    influxd = ShippedInfluxd(deployment.folder / "influxdb")
    broker.start()
    try:
        influxd.start(timeout=60)
        _init_users_as_the_image_does(influxd, deployment.compose)
        yield broker, influxd
    finally:
        influxd.stop()
        broker.stop()


def _init_users_as_the_image_does(influxd: ShippedInfluxd, compose: dict) -> None:
    e = compose["services"]["influxdb"]["environment"]
    db = e["INFLUXDB_DB"]
    InfluxClient(influxd.url, db).query(f"CREATE USER \"{e['INFLUXDB_ADMIN_USER']}\" WITH "
                                        f"PASSWORD '{e['INFLUXDB_ADMIN_PASSWORD']}' "
                                        "WITH ALL PRIVILEGES")
    admin = InfluxClient(influxd.url, db, user=e["INFLUXDB_ADMIN_USER"],
                         password=e["INFLUXDB_ADMIN_PASSWORD"])
    admin.query(f'CREATE DATABASE "{db}"')
    for user, pw, grant in ((e["INFLUXDB_USER"], e["INFLUXDB_USER_PASSWORD"], "ALL"),
                            (e["INFLUXDB_READ_USER"], e["INFLUXDB_READ_USER_PASSWORD"], "READ")):
        admin.query(f"CREATE USER \"{user}\" WITH PASSWORD '{pw}'")
        admin.query(f'GRANT {grant} ON "{db}" TO "{user}"')


def _local_env(deployment: Deployment, service: str, broker: ShippedMosquitto,
               influxd: ShippedInfluxd) -> dict[str, str]:
    """The service's compose environment, pointed at the servers here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CANGJING_")}
    for key, value in deployment.compose["services"][service]["environment"].items():
        if value is None:
            continue
        value = value.replace("@mosquitto:1883", f"@127.0.0.1:{broker.port}")
        env[key] = value.replace("http://influxdb:8086", influxd.url)
    env["CANGJING_CONFIG"] = str(deployment.facility)  # the file compose mounts there
    env["CANGJING_DATA_DIR"] = str(deployment.folder / f"data-{service}")
    return env


def test_compose_services_run_with_their_credentials(deployment: Deployment, servers) -> None:
    broker, influxd = servers
    compose = deployment.compose["services"]
    setup_env = _local_env(deployment, "influx-setup", broker, influxd)
    setup = subprocess.run([sys.executable, "-m", "cangjing.cli", *compose["influx-setup"]
                            ["command"][1:]], env=setup_env, capture_output=True, text=True,
                           timeout=60)
    assert setup.returncode == 0, setup.stderr
    procs: dict[str, subprocess.Popen[bytes]] = {}
    logs = {name: deployment.folder / f"{name}.log" for name in SERVICES}
    try:
        for name in SERVICES:
            with open(logs[name], "wb") as out:
                procs[name] = subprocess.Popen(
                    [sys.executable, "-m", "cangjing.cli", *compose[name]["command"][1:]],
                    env=_local_env(deployment, name, broker, influxd), stdout=out,
                    stderr=subprocess.STDOUT)
        for name in SERVICES:  # the containers' health checks, with their environment
            check = compose[name]["healthcheck"]["test"][2:]
            done = CliRunner().invoke(app, check, env=_local_env(deployment, name, broker,
                                                                 influxd))
            assert done.exit_code == 0, (name, done.output)
        wait_for(lambda: "collector" in logs["collector"].read_text(), 20, "collector start")
        node_pw = read_env_file(deployment.env_file)[env_name("node-z1-01")]
        node = V5Client(f"mqtt://node-z1-01:{node_pw}@127.0.0.1:{broker.port}", "node-z1-01")
        try:
            assert node.wait_connack() == "Success"
            e = compose["grafana"]["environment"]  # read back as Grafana would
            reader = InfluxClient(influxd.url, e["CANGJING_INFLUX_DB"],
                                  user=e["CANGJING_INFLUX_USER"],
                                  password=e["CANGJING_INFLUX_PASSWORD"])

            sent: list[float] = []

            def arrived() -> bool:
                # Again every half second: a service may not have subscribed yet.
                if not sent or time.monotonic() - sent[-1] > 0.5:
                    node.publish("cangjing/testsite/node/node-z1-01/up",
                                 b'{"t": 20.5, "rh": 55.0}')
                    sent.append(time.monotonic())
                return reader.count("environment", "temperature") > 0

            wait_for(arrived, 20, "a node's reading in InfluxDB through the compose services")
        finally:
            node.close()
    finally:
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            proc.wait(20)
    for name, path in logs.items():
        text = path.read_text(errors="replace")
        assert procs[name].returncode == 0, f"{name} exited {procs[name].returncode}:\n{text}"
        for key, secret in deployment.secrets.items():
            assert secret not in text, f"{key} in the {name} log"


def test_broker_and_influxdb_health_checks_pass_here(deployment: Deployment, servers) -> None:
    broker, influxd = servers
    services = deployment.compose["services"]
    mosquitto = services["mosquitto"]
    kind, script = mosquitto["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    # `config` prints the file re-escaped; in the container `$$` has become `$`
    script = script.replace("$$", "$").replace("-p 1883", f"-p {broker.port}")
    done = subprocess.run(["sh", "-c", script], env={**os.environ, **mosquitto["environment"]},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr  # a real login as `monitor`
    wrong = {**os.environ, "MQTT_MONITOR_PASSWORD": "wrong"}
    assert subprocess.run(["sh", "-c", script], env=wrong, capture_output=True,
                          timeout=30).returncode != 0
    ping = [a.replace("127.0.0.1:8086", f"127.0.0.1:{influxd.port}")
            for a in services["influxdb"]["healthcheck"]["test"][1:]]
    assert subprocess.run(ping, capture_output=True, timeout=30).returncode == 0
