"""The deployment files run here: docker-compose's resolved configuration, and Mosquitto
and influxd started from the very configuration files compose mounts."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import yaml

from cangjing.stack import Influxd, Mosquitto, _find_binary, free_port

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"


def compose_config(env_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker-compose", "--project-directory", str(ROOT), "-f", str(COMPOSE),
         "--env-file", str(env_file), "config"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith(("CANGJING_", "INFLUX",
                                                                      "GRAFANA"))},
    )


def resolved_compose(env_file: Path) -> dict:
    done = compose_config(env_file)
    if done.returncode != 0:
        raise AssertionError(f"docker-compose config failed:\n{done.stderr}")
    return yaml.safe_load(done.stdout)


class ShippedMosquitto(Mosquitto):
    """Mosquitto on config/mosquitto/mosquitto.conf, with the container paths replaced."""

    def __init__(self, workdir: Path, auth_dir: Path) -> None:
        super().__init__(workdir)
        self.auth_dir = auth_dir

    def command(self) -> list[str]:
        text = (ROOT / "config/mosquitto/mosquitto.conf").read_text()
        (self.workdir / "data").mkdir(exist_ok=True)
        text = (text.replace("listener 1883\n", f"listener {self.port} 127.0.0.1\n")
                .replace("/mosquitto/config/passwd", str(self.auth_dir / "passwd"))
                .replace("/mosquitto/config/acl", str(self.auth_dir / "acl"))
                .replace("/mosquitto/data/", f"{self.workdir / 'data'}/"))
        if os.geteuid() == 0:  # see security_support.auth_conf
            text += "user root\n"
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(text)
        return [_find_binary("mosquitto", ("/usr/sbin/mosquitto",)), "-c", str(conf)]


class ShippedInfluxd(Influxd):
    """influxd on config/influxdb/influxdb.conf, with the container paths replaced."""

    def command(self) -> list[str]:
        text = (ROOT / "config/influxdb/influxdb.conf").read_text()
        text = text.replace("/var/lib/influxdb", str(self.workdir))
        text = text.replace('bind-address = ":8086"', f'bind-address = "127.0.0.1:{self.port}"')
        # the RPC port is left at its default in the container; here it must be free
        text = f'bind-address = "127.0.0.1:{free_port()}"\n' + text
        conf = self.workdir / "influxdb.conf"
        conf.write_text(text)
        return [_find_binary("influxd", ("/usr/bin/influxd",)), "-config", str(conf)]


def filled_env_file(path: Path, values: dict[str, str]) -> Path:
    """.env.example with `values` filled in, as an operator would leave it."""
    lines = []
    for line in ENV_EXAMPLE.read_text().splitlines():
        key = line.split("=", 1)[0]
        lines.append(f"{key}={values.pop(key)}" if "=" in line and key in values else line)
    lines += [f"{k}={v}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def compose_variables() -> set[str]:
    code = [line for line in COMPOSE.read_text().splitlines()
            if not line.lstrip().startswith("#")]
    return set(re.findall(r"\$\{([A-Z0-9_]+)", "\n".join(code)))
