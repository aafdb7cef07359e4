"""The live view shows what is injected; a running simulator pauses when `verify` asks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from rich.console import Console

from cangjing.config import load_facility
from cangjing.mqtt import MqttConnection

from .faults import SensorEffect, SensorFault, Window, ZoneEffect, ZoneFault
from .liveview import InjectionView, Snapshot
from .model import FacilityModel
from .nodes import control_topic
from .testing import BENCH_FACILITY, wait_for


def test_the_view_shows_values_progress_and_faults() -> None:
    facility = load_facility(BENCH_FACILITY)
    model = FacilityModel(facility)
    t = datetime(2026, 7, 20, 2, tzinfo=UTC)
    model.add_fault(ZoneFault(ZoneEffect.leak, "A1", Window(t - timedelta(hours=1)), 90))
    model.add_fault(SensorFault(SensorEffect.stuck, "B1-TH-02", Window(t)))
    values = {s.id: model.measure(s, t) for s in facility.sensors}
    console = Console(record=True, width=120)
    view = InjectionView(facility, console)
    view.update(Snapshot("verify leak", t, t + timedelta(days=120), 0.25, 1234, 1200, values,
                         model.active_faults(t), {"C2-TH-02"}))
    console.print(view.render())
    text = console.export_text()
    assert "verify leak" in text and "1234 messages" in text and "1200 readings back" in text
    assert "simulated 2026-07-20 10:00" in text  # site time (Asia/Shanghai)
    a1 = next(line for line in text.splitlines() if "A1-TH-02" in line)
    assert f"{values['A1-TH-02']['humidity']:.1f}" in a1 and "leak" in a1
    assert "stuck" in next(line for line in text.splitlines() if "B1-TH-02" in line)
    assert "silent" in next(line for line in text.splitlines() if "C2-TH-02" in line)
    assert "injecting: leak A1; stuck B1-TH-02" in text


def test_a_running_simulator_pauses_and_resumes_on_request(bench_facility, simulated_facility,
                                                           mqtt_url: str) -> None:
    nodes = simulated_facility(bench_facility, interval=0.2)
    wait_for(lambda: nodes.published > 0, 10, "the simulator to publish")
    conn = MqttConnection(mqtt_url, "test-sim-control").start()
    try:
        assert conn.wait_connected(10)
        topic = control_topic(nodes.topics)
        conn.client.publish(topic, json.dumps({"pause": 60}), qos=1)
        wait_for(lambda: nodes.paused, 10, "the simulator to pause")
        conn.client.publish(topic, json.dumps({"pause": 0}), qos=1)
        wait_for(lambda: not nodes.paused, 10, "the simulator to resume")
        before = nodes.published
        wait_for(lambda: nodes.published > before, 10, "publishing again")
    finally:
        conn.stop()
