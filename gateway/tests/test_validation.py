"""Calibration and validation: suspicious values are flagged, never dropped."""

from __future__ import annotations

from datetime import date, timedelta

from cangjing.config.sensors import Calibration, Validation
from firmware_sim.testing import wait_for
from gateway.calibration import overdue
from gateway.validation import Validator

from .conftest import FixedModel, make_facility, rtu_bus


def test_spike_is_judged_against_the_rate_physics_allows():
    v = Validator(Validation(spike_rate={"temperature": 2.0, "humidity": 10.0}))
    assert v.check(0, {"temperature": 20.0}) == {}
    assert v.check(30, {"temperature": 21.9}) == {}  # within 2 K over the 1-minute window
    assert v.check(60, {"temperature": 30.0}) == {"temperature": "spike"}
    assert v.check(90, {"temperature": 22.0}) == {}  # judged against the last good value
    # A real, sustained change is accepted once enough time has passed for it.
    assert v.check(120, {"temperature": 25.0}) == {"temperature": "spike"}
    assert v.check(200, {"temperature": 25.0}) == {}
    # Humidity has its own rate; illuminance has none (lights switch on at once).
    assert v.check(210, {"humidity": 50.0, "illuminance": 0.0}) == {}
    assert v.check(220, {"humidity": 75.0, "illuminance": 5000.0}) == {"humidity": "spike"}


def test_impossible_beats_spike_and_does_not_move_the_reference():
    v = Validator(Validation())
    v.check(0, {"humidity": 50.0})
    assert v.check(10, {"humidity": 130.0}) == {"humidity": "impossible"}
    assert v.check(20, {"humidity": 51.0}) == {}


def test_stuck_after_hours_unchanged_only_for_the_listed_quantities():
    v = Validator(Validation(stuck_after=timedelta(hours=6), stuck_tolerance=0.05))
    hour = 3600
    for t in range(0, 6 * hour, hour):
        assert v.check(t, {"temperature": 20.0 + 0.01 * (t % 2), "illuminance": 0.0}) == {}
    assert v.check(6 * hour, {"temperature": 20.0, "illuminance": 0.0}) == {
        "temperature": "stuck"}
    assert v.check(6 * hour + 60, {"temperature": 20.3}) == {}  # it moves again


def test_calibration_overdue():
    today = date(2026, 11, 25)
    assert overdue(Calibration(due=date(2026, 11, 24)), today)
    assert not overdue(Calibration(due=today), today)
    assert not overdue(Calibration(), today)


def test_flags_and_calibration_through_the_wire(virtual_serial, run_gateway, sink, caplog):
    facility = make_facility([rtu_bus()], [
        {"id": "TH-1", "transport": "modbus", "bus": "rs485-t", "unit": 1, "profile": "th",
         "interval": "200ms",
         "calibration": {"temperature": {"offset": -0.5}, "humidity": {"scale": 1.1},
                         "due": "2020-01-31"}},
        {"id": "TH-2", "transport": "modbus", "bus": "rs485-t", "unit": 2, "profile": "th",
         "interval": "200ms"},
    ], validation={"stuck_after": "1s", "spike_rate": {"temperature": 1.0}},
        status_interval="300ms")
    model = FixedModel({"temperature": 20.0, "humidity": 50.0})
    devices = virtual_serial(facility, model)
    devices.device("TH-2").faults.set(drift={"temperature": 3600.0})  # 1 K/s: within 1 K/min
    out = sink()
    gw = run_gateway(facility)

    first = wait_for(lambda: out.of("TH-1"), 15, "a reading")[0]
    assert (first.get("temperature"), first.get("humidity")) == (19.5, 55.0)  # calibrated
    # A constant value: flagged stuck after stuck_after (the "for hours", shortened).
    wait_for(lambda: any((r.quality or {}).get("temperature") == "stuck"
                         for r in out.of("TH-1")), 10, "a stuck flag")
    # A jump of 15 K within a second: a spike, still published with its value.
    model.values["TH-1"] = {"temperature": 35.5, "humidity": 50.0}
    spike = wait_for(lambda: [r for r in out.of("TH-1") if r.quality and r.quality.get(
        "temperature") == "spike"], 10, "a spike flag")[0]
    assert spike.get("temperature") == 35.0
    # Drift within the physics is not flagged, but it shows in the values.
    def drifted() -> bool:
        temps = [r.get("temperature") for r in out.of("TH-2")]
        return len(temps) > 5 and temps[-1] > temps[0] + 2 and temps == sorted(temps)

    wait_for(drifted, 10, "drifting readings")
    assert not any((r.quality or {}).get("temperature") for r in out.of("TH-2"))
    status = wait_for(lambda: out.last_status() and "sensors" in out.last_status(), 10,
                      "a status") and out.last_status()
    assert status["sensors"]["TH-1"]["calibration_overdue"] is True
    assert "calibration_overdue" not in status["sensors"]["TH-2"]
    assert "calibration overdue" in caplog.text
    assert gw.health.devices["TH-1"].calibration_overdue
