"""Modbus RTU transmitters through real serial I/O (pty pairs paced at 9600 baud)."""

from __future__ import annotations

import itertools
import statistics

from firmware_sim.serial import port_env
from firmware_sim.testing import wait_for

from .conftest import FixedModel, make_facility, rtu_bus


def test_each_profile_decodes_through_the_wire(virtual_serial, run_gateway, sink):
    facility = make_facility([rtu_bus()], [
        {"id": "TH-1", "transport": "modbus", "bus": "rs485-t", "unit": 1, "profile": "th",
         "interval": "1s"},
        {"id": "LX-1", "transport": "modbus", "bus": "rs485-t", "unit": 2, "profile": "lux",
         "interval": "1s"},
        {"id": "UV-1", "transport": "modbus", "bus": "rs485-t", "unit": 3, "profile": "uv",
         "interval": "1s"},
        {"id": "CU-1", "transport": "modbus", "bus": "rs485-t", "unit": 4, "interval": "1s",
         "registers": {"function": 4, "fields": [
             {"quantity": "temperature", "address": 10, "type": "s32", "scale": 0.01,
              "word_order": "little"},
             {"quantity": "humidity", "address": 12, "scale": 0.01}]}},
    ])
    model = FixedModel()
    # Below zero (signed 16-bit), above 65535 lux (32-bit across two registers).
    model.values = {
        "TH-1": {"temperature": -5.2, "humidity": 48.7},
        "LX-1": {"illuminance": 70123.0},
        "UV-1": {"illuminance": 65.0, "uv": 12.3},
        "CU-1": {"temperature": -12.34, "humidity": 45.67},
    }
    virtual_serial(facility, model)
    out = sink()
    run_gateway(facility)
    for sensor in model.values:
        wait_for(lambda s=sensor: out.of(s), 20, f"a reading of {sensor}")
    assert out.of("TH-1")[0].get("temperature") == -5.2
    assert out.of("TH-1")[0].get("humidity") == 48.7
    assert out.of("LX-1")[0].get("illuminance") == 70123.0
    assert out.of("UV-1")[0].get("illuminance") == 65.0
    assert out.of("UV-1")[0].get("uv") == 12.3
    assert out.of("CU-1")[0].get("temperature") == -12.34
    assert out.of("CU-1")[0].get("humidity") == 45.67
    first = out.of("TH-1")[0]
    assert first.zone == "Z1" and first.gateway == "gw-t" and first.quality is None


def test_dead_and_garbage_devices_never_stop_the_bus(virtual_serial, run_gateway, sink):
    healthy = ["OK-1", "OK-2"]
    facility = make_facility([rtu_bus(retries=1, offline_after=2, offline_poll="2s")], [
        {"id": "DEAD", "transport": "modbus", "bus": "rs485-t", "unit": 1, "profile": "th",
         "interval": "1s"},
        {"id": "NOISY", "transport": "modbus", "bus": "rs485-t", "unit": 2, "profile": "th",
         "interval": "1s"},
        {"id": "OK-1", "transport": "modbus", "bus": "rs485-t", "unit": 3, "profile": "th",
         "interval": "1s"},
        {"id": "CRC", "transport": "modbus", "bus": "rs485-t", "unit": 4, "profile": "th",
         "interval": "1s"},
        {"id": "EXC", "transport": "modbus", "bus": "rs485-t", "unit": 5, "profile": "th",
         "interval": "1s"},
        {"id": "OK-2", "transport": "modbus", "bus": "rs485-t", "unit": 6, "profile": "lux",
         "interval": "1s"},
    ], status_interval="1s")
    devices = virtual_serial(facility, FixedModel())
    devices.device("DEAD").faults.set(no_response=True)
    devices.device("NOISY").faults.set(garbage=True)
    devices.device("CRC").faults.set(crc=True)
    devices.device("EXC").faults.set(exception=4)
    out = sink()
    gw = run_gateway(facility)

    wait_for(lambda: all(len(out.of(s)) >= 9 for s in healthy), 30, "9 readings per device")
    for sensor in healthy:
        times = [r.epoch for r in out.of(sensor)][1:]  # from its first answer on
        gaps = [b - a for a, b in itertools.pairwise(times)]
        # On their 1 s interval: a bus stalled by the faulty units would show 1.4 s and more.
        assert statistics.mean(gaps) < 1.15, (sensor, gaps)
        assert max(gaps) < 1.6, (sensor, gaps)
    assert not out.of("DEAD") and not out.of("NOISY") and not out.of("CRC")

    def counted() -> dict | None:
        doc = out.last_status()
        return doc if doc and doc["sensors"]["EXC"]["errors"].get("exception") else None

    status = wait_for(counted, 10, "a status with the faults counted")["sensors"]
    assert status["DEAD"]["errors"].keys() == {"timeout"}
    assert status["NOISY"]["errors"].keys() == {"garbage"}
    assert status["CRC"]["errors"].keys() == {"crc"}
    assert status["EXC"]["errors"].keys() == {"exception"}
    assert status["DEAD"]["state"] == "offline" and status["OK-1"]["state"] == "ok"
    assert status["DEAD"]["retries"] >= 1  # retried before it was declared offline
    assert status["OK-1"]["errors"] == {}

    # A unit that recovers is back on its interval.
    devices.device("DEAD").faults.clear()
    wait_for(lambda: out.of("DEAD"), 15, "the recovered unit's reading")
    assert gw.health.devices["DEAD"].state == "ok"


def test_slow_device_times_out_and_recovers(virtual_serial, run_gateway, sink):
    facility = make_facility([rtu_bus(timeout="150ms", retries=0)], [
        {"id": "SLOW", "transport": "modbus", "bus": "rs485-t", "unit": 7, "profile": "th",
         "interval": "500ms"},
    ])
    devices = virtual_serial(facility, FixedModel())
    devices.device("SLOW").faults.set(slow=0.4)
    out = sink()
    gw = run_gateway(facility)
    wait_for(lambda: gw.health.devices["SLOW"].errors["timeout"] >= 2, 15, "timeouts counted")
    assert not out.of("SLOW")
    devices.device("SLOW").faults.set(slow=0.0)
    wait_for(lambda: out.of("SLOW"), 15, "a reading once it answers in time")


def test_port_missing_then_vanishing_is_reopened(virtual_serial, run_gateway, sink, tmp_path,
                                                monkeypatch, caplog):
    facility = make_facility([rtu_bus(reopen_min="100ms", reopen_max="400ms")], [
        {"id": "TH-1", "transport": "modbus", "bus": "rs485-t", "unit": 1, "profile": "th",
         "interval": "300ms"},
    ])
    out = sink()
    # The port's link does not exist yet: the gateway keeps trying.
    for name, link in port_env(facility, tmp_path / "serial-links").items():
        monkeypatch.setenv(name, link)
    gw = run_gateway(facility)
    wait_for(lambda: gw.health.bus_state.get("rs485-t") == "missing", 10, "port missing")
    wait_for(lambda: gw.buses[0].port.attempts >= 4, 10, "several retries")
    devices = virtual_serial(facility, FixedModel())
    wait_for(lambda: out.of("TH-1"), 15, "a reading once the port appears")
    devices.stop()  # the USB adapter is pulled
    wait_for(lambda: gw.health.bus_state.get("rs485-t") in ("lost", "missing"), 10, "lost")
    n = len(out.of("TH-1"))
    virtual_serial(facility, FixedModel())  # plugged in again (a new pty behind the link)
    wait_for(lambda: len(out.of("TH-1")) > n + 2, 15, "readings after it came back")
    assert gw.buses[0].port.opens >= 2
    # Logged once per state change, not once per retry.
    changes = [r.getMessage() for r in caplog.records if r.name == "gateway.serial_port"]
    assert sum(": missing (" in m for m in changes) <= 2  # at start, and maybe after `lost`
    assert sum(": lost (" in m for m in changes) == 1

