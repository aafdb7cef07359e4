"""The local stack: a Mosquitto and an influxd started as child processes on free loopback
ports, their data under one directory. Used by `cangjing up` and by the test fixtures.

The Debian/Ubuntu packages `mosquitto` and `influxdb` provide the binaries (set-up installs
them). Each server can be stopped, killed and started again on the same port and data, so
that tests can take it away under a running pipeline.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


class StackError(RuntimeError):
    """A server binary is missing or did not come up."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    # Servers must not outlive a SIGKILLed parent (a killed test run, a killed `up`).
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll `predicate` until it is true or `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def _find_binary(name: str, extra: tuple[str, ...] = ()) -> str:
    found = shutil.which(name) or next((p for p in extra if Path(p).exists()), None)
    if not found:
        raise StackError(
            f"{name} is not installed: run `make setup` (apt packages mosquitto, influxdb)"
        )
    return found


class ManagedServer:
    """One server process: start, wait until it answers, stop (SIGTERM) or kill (SIGKILL)."""

    name = "server"

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        workdir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        raise NotImplementedError

    def ready(self) -> bool:
        raise NotImplementedError

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 30.0) -> None:
        if self.running:
            return
        logfile = open(self.workdir / f"{self.name}.log", "ab")  # noqa: SIM115 (child owns it)
        self.proc = subprocess.Popen(
            self.command(), stdout=logfile, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=self.workdir, preexec_fn=_die_with_parent,
        )
        logfile.close()
        if not wait_until(lambda: self.ready() or not self.running, timeout) or not self.running:
            tail = (self.workdir / f"{self.name}.log").read_text(errors="replace")[-2000:]
            self.stop()
            raise StackError(f"{self.name} did not start on port {self.port}:\n{tail}")
        log.info("%s listening on 127.0.0.1:%d", self.name, self.port)

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def _port_open(self) -> bool:
        with socket.socket() as s:
            s.settimeout(0.2)
            return s.connect_ex(("127.0.0.1", self.port)) == 0


class Mosquitto(ManagedServer):
    name = "mosquitto"

    def __init__(self, workdir: Path, port: int | None = None, extra_conf: str = "") -> None:
        super().__init__(workdir, port)
        self.extra_conf = extra_conf

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        conf = self.workdir / "mosquitto.conf"
        (self.workdir / "data").mkdir(exist_ok=True)
        # Same tuning as config/mosquitto/mosquitto.conf, on loopback, no auth (local only).
        conf.write_text(
            ""
            # As root, Mosquitto would drop to the `mosquitto` user, which cannot write the
            # persistence file in our private data dir: sessions and queued QoS 1 messages
            # would then not survive a broker restart.
            + ("user root\n" if os.geteuid() == 0 else "")
            + f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence true\n"
            f"persistence_location {self.workdir / 'data'}/\n"
            "autosave_interval 5\n"
            "max_queued_messages 2000000\n"
            "max_queued_bytes 0\n"
            "max_inflight_messages 1000\n"
            "log_dest stdout\n"
            "log_type error\nlog_type warning\nlog_type notice\n"
            + self.extra_conf
        )
        return [_find_binary("mosquitto", ("/usr/sbin/mosquitto",)), "-c", str(conf)]

    def ready(self) -> bool:
        return self._port_open()


class Influxd(ManagedServer):
    name = "influxd"

    def __init__(self, workdir: Path, port: int | None = None, auth: bool = False) -> None:
        super().__init__(workdir, port)
        self.rpc_port = free_port()
        self.auth = auth

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        conf = self.workdir / "influxdb.conf"
        d = self.workdir
        conf.write_text(
            "reporting-disabled = true\n"
            f'bind-address = "127.0.0.1:{self.rpc_port}"\n'
            f'[meta]\n  dir = "{d}/meta"\n'
            f'[data]\n  dir = "{d}/data"\n  wal-dir = "{d}/wal"\n  query-log-enabled = false\n'
            f'[http]\n  bind-address = "127.0.0.1:{self.port}"\n  log-enabled = false\n'
            f"  auth-enabled = {'true' if self.auth else 'false'}\n"
            "  max-body-size = 0\n"
            "[continuous_queries]\n  enabled = true\n  log-enabled = false\n"
            '  run-interval = "10s"\n'
            "[monitor]\n  store-enabled = false\n"
            '[logging]\n  level = "warn"\n'
        )
        return [_find_binary("influxd", ("/usr/bin/influxd",)), "-config", str(conf)]

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/ping", timeout=0.5) as resp:
                return resp.status == 204
        except OSError:
            return False


class LocalStack:
    """Mosquitto + influxd under `data_dir`, started together, stopped together."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.mosquitto = Mosquitto(self.data_dir / "mosquitto")
        self.influxd = Influxd(self.data_dir / "influxdb")

    def start(self) -> LocalStack:
        try:
            self.mosquitto.start()
            self.influxd.start(timeout=60)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self.mosquitto.stop()
        self.influxd.stop()

    def env(self) -> dict[str, str]:
        """The environment that points the services at this stack."""
        return {
            "CANGJING_MQTT_URL": self.mosquitto.url,
            "CANGJING_INFLUX_URL": self.influxd.url,
            "CANGJING_DATA_DIR": str(self.data_dir),
        }

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env
