"""A `cangjing gateway` process that a scenario run owns: started, killed, restarted.

It runs as its own process (the command a deployment runs), so that a power cut is a
SIGKILL of a real process and the broker publishes its real last will.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import signal
import subprocess
import sys
from pathlib import Path

from cangjing.stack import child_env

log = logging.getLogger(__name__)


def _die_with_parent() -> None:
    # A verify run that is killed must not leave its gateway behind.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class GatewayProcess:
    def __init__(self, config: Path, mqtt_url: str, workdir: Path,
                 gateway_id: str | None = None, env: dict[str, str] | None = None) -> None:
        self.config = Path(config)
        self.mqtt_url = mqtt_url
        self.workdir = Path(workdir)
        self.gateway_id = gateway_id
        self.env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.workdir.mkdir(parents=True, exist_ok=True)

    @property
    def log_path(self) -> Path:
        return self.workdir / "gateway.log"

    def start(self) -> None:
        cmd = [sys.executable, "-m", "cangjing.cli", "gateway", "--config", str(self.config)]
        if self.gateway_id:
            cmd += ["--id", self.gateway_id]
        env = child_env({**self.env, "CANGJING_MQTT_URL": self.mqtt_url,
                         "CANGJING_DATA_DIR": str(self.workdir)})
        with open(self.log_path, "ab") as logfile:
            self.proc = subprocess.Popen(cmd, env=env, stdout=logfile, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        log.info("gateway started (pid %d, log %s)", self.proc.pid, self.log_path)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """As a power cut does: no goodbye, the broker notices the dead connection."""
        if self.running:
            assert self.proc is not None
            self.proc.kill()
            self.proc.wait()
            log.info("gateway killed")

    def stop(self, timeout: float = 10.0) -> None:
        if self.running:
            assert self.proc is not None
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def tail(self, chars: int = 1500) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""
