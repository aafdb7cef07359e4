"""The edge gateway's systemd unit and the sd_notify watchdog hook."""

from __future__ import annotations

import configparser
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cangjing import watchdog
from cangjing.cli import app
from cangjing.config.envref import references
from cangjing.security.credentials import read_env_file
from cangjing.settings import DEFAULT_FACILITY

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "config/systemd/cangjing-gateway.service"
ENV_EXAMPLE = ROOT / "config/systemd/gateway.env.example"
CANGJING = shutil.which("cangjing") or str(ROOT / ".venv/bin/cangjing")


def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(UNIT.read_text())
    return parser


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    # Verified as installed, except that the venv is this checkout's.
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/opt/cangjing/.venv/bin/cangjing", CANGJING))
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    broken = tmp_path / "broken.service"
    broken.write_text(unit.read_text().replace("Restart=always", "Restart=sometimes")
                      .replace(CANGJING, "/nonexistent/cangjing"))
    assert subprocess.run(["systemd-analyze", "verify", str(broken)], capture_output=True,
                          timeout=60).returncode != 0


def test_the_unit_restarts_logs_to_journald_and_keeps_its_queue() -> None:
    service = _unit()["Service"]
    assert service["Restart"] == "always"
    assert _unit()["Unit"]["StartLimitIntervalSec"] == "0"
    assert service["StandardOutput"] == service["StandardError"] == "journal"
    assert service["StateDirectory"] == "cangjing"
    assert "CANGJING_DATA_DIR=/var/lib/cangjing" in service["Environment"]
    assert service["User"] != "root" and "dialout" in service["SupplementaryGroups"]
    assert service["EnvironmentFile"] == "/etc/cangjing/gateway.env"


def test_exec_start_is_a_working_command_with_the_example_environment() -> None:
    env = read_env_file(ENV_EXAMPLE)
    argv = _unit()["Service"]["ExecStart"].split()
    assert argv[0] == "/opt/cangjing/.venv/bin/cangjing"
    args = [env[a[2:-1]] if a.startswith("${") else a for a in argv[1:]]
    assert args == ["gateway", "--id", "gw-01"]
    done = CliRunner().invoke(app, [*args, "--help"])
    assert done.exit_code == 0, done.output


def test_the_example_environment_names_every_port_of_the_facility() -> None:
    env = read_env_file(ENV_EXAMPLE)
    ports = {r for r in references(DEFAULT_FACILITY.read_text()) if r.startswith("CANGJING_PORT")}
    assert ports and ports <= set(env)
    assert {"CANGJING_CONFIG", "CANGJING_MQTT_URL", "CANGJING_GATEWAY_ID"} <= set(env)


@pytest.fixture
def notify_socket(tmp_path: Path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify"
    sock.bind(str(path))
    sock.settimeout(5)
    yield sock, str(path)
    sock.close()


def test_watchdog_speaks_systemds_notify_protocol(notify_socket) -> None:
    sock, path = notify_socket
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "120000000"}
    assert watchdog.notify("READY=1\nSTATUS=running", env)
    assert sock.recv(256) == b"READY=1\nSTATUS=running"
    dog = watchdog.Watchdog(env)
    assert dog.every == 60.0  # half of WatchdogSec
    assert dog.tick() is True
    assert sock.recv(256) == b"WATCHDOG=1"
    assert dog.tick() is False  # not due again for a minute


def test_watchdog_does_nothing_outside_systemd() -> None:
    assert watchdog.notify("READY=1", {}) is False
    assert watchdog.Watchdog({}).tick() is False
    assert watchdog.interval({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"}) is None
