"""`cangjing sim` as `cangjing up` runs it (live nodes, --breach), with serial devices."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from cangjing.settings import DEFAULT_FACILITY
from cangjing.stack import child_env

from .testing import wait_for


def test_live_sim_with_breach_and_serial_devices(mqtt_url: str, mqtt_probe, tmp_path: Path
                                                 ) -> None:
    probe = mqtt_probe("cangjing/beiqijia/node/+/up")
    links = tmp_path / "links"
    log = tmp_path / "sim.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cangjing.cli", "sim", "--config", str(DEFAULT_FACILITY),
             "--interval", "0.3", "--breach", "A1:humidity:+25", "--serial-links", str(links)],
            env=child_env({"CANGJING_MQTT_URL": mqtt_url}), stdout=out, stderr=subprocess.STDOUT)
    try:
        a1 = probe.wait_for(lambda m: m.topic.endswith("/node-a1-02/up"), timeout=15)[0].json()
        assert a1["rh"] > 75  # 55 %RH + 25
        wait_for(lambda: (links / "rs485-1").exists() and (links / "usb-1").exists(), 10,
                 "the serial buses' links")
        assert "export CANGJING_PORT_RS485_1=" in log.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0, log.read_text()[-2000:]
    assert json.loads(probe.matching("node-b1-02")[0].payload)["rh"] < 35  # B1 untouched
