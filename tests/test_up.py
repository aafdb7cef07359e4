"""`cangjing up` runs the whole system locally and Ctrl-C stops all of it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

from cangjing.influx import InfluxClient
from firmware_sim.testing import wait_for


def processes_using(path: Path) -> list[str]:
    """Live processes that mention `path` in their command line or environment: the servers
    (config under it) and the service children (CANGJING_DATA_DIR=path)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if pid != str(os.getpid()) and (str(path) in cmd or str(path) in environ):
            found.append(cmd)
    return found


def test_up_runs_the_pipeline_and_sigint_stops_everything(tmp_path: Path):
    env = dict(os.environ, CANGJING_DATA_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cangjing.cli", "up", "--no-live", "--interval", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")),
                              daemon=True)
    reader.start()
    try:
        url = wait_for(lambda: next((m.group(1) for line in lines
                                     if (m := re.search(r"InfluxDB\s*:\s*(\S+)", line))), None),
                       60, "up to print where InfluxDB listens")
        influx = InfluxClient(url, "cangjing")

        def readings() -> int:
            try:
                return influx.count("environment", "temperature")
            except Exception:
                return 0

        wait_for(lambda: readings() >= 12, 60, "simulated readings in InfluxDB")
        running = processes_using(tmp_path)
        assert sum("cangjing.cli" in c for c in running) == 6, running  # up + 5 services
        assert any("mosquitto" in c for c in running) and any("influxd" in c for c in running)
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0
    reader.join(5)
    assert any("stopped: services, Mosquitto and InfluxDB" in line for line in lines)
    # each service logged its state changes to its own file, not over the live table
    logs = tmp_path / "var" / "logs"
    assert "gateway gw-01 stopped" in (logs / "gateway.log").read_text()
    assert "collector stopped" in (logs / "collector.log").read_text()
    assert processes_using(tmp_path) == []
