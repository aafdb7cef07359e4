"""The facility file: valid files resolve their limits; invalid ones are refused with every
error at once, each with its path, exit code 2, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cangjing.config import FacilityError, load_facility, parse_facility
from cangjing.settings import DEFAULT_FACILITY


def beiqijia() -> dict:
    return yaml.safe_load(DEFAULT_FACILITY.read_text(encoding="utf-8"))


def errors_of(doc: dict) -> list[str]:
    with pytest.raises(FacilityError) as info:
        parse_facility(doc)
    return info.value.errors


def cangjing(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cangjing.cli", *args], capture_output=True,
                          text=True, timeout=60, env=env)


def test_beiqijia_is_a_realistic_facility():
    f = load_facility(DEFAULT_FACILITY)
    assert len(f.zones) >= 8 and len(f.sensors) >= 24
    buses = {s.bus for s in f.sensors if s.transport.value == "modbus"}
    assert len(buses) == 2
    assert any(s.transport.value == "mqtt" for s in f.sensors)


def test_material_presets_and_overrides():
    f = load_facility(DEFAULT_FACILITY)
    paper = f.zone("A1").effective_limits()
    assert (paper.humidity.min, paper.humidity.max) == (50, 60)
    assert paper.illuminance_max == 50 and paper.light_dose_per_year == 50_000
    metal = f.zone("B1").effective_limits()  # overrides only humidity.max
    assert (metal.humidity.min, metal.humidity.max) == (0, 35)
    assert f.zone("T1").effective_limits().humidity_swing == 20  # ASHRAE class B


def test_every_error_at_once_with_its_path():
    doc = beiqijia()
    doc["zones"][2]["limits"] = {"humidity": {"min": 50, "max": 40}}
    doc["zones"][3]["material"] = "plutonium"
    doc["sensors"][0]["zone"] = "NOPE"
    doc["sensors"][1]["bus"] = "rs485-9"
    errors = errors_of(doc)
    # structural errors come first; fix them and the cross-references are reported together
    assert errors == ["zones[3].material: Input should be 'metal', 'glass', 'ceramic', 'paper', "
                      "'textile', 'wood', 'leather', 'photo' or 'mixed'"]
    doc["zones"][3]["material"] = "metal"
    errors = errors_of(doc)
    assert "zones[2].limits.humidity.max: must be > min (40 <= 50)" in errors
    assert "sensors[0].zone: no zone 'NOPE' in zones" in errors
    assert "sensors[1].bus: no bus 'rs485-9' on the sensor's gateway" in errors
    assert len(errors) == 3


def test_typos_and_bad_values_are_named():
    doc = beiqijia()
    doc["zones"][0]["limts"] = {}
    doc["sensors"][0]["interval"] = "soon"
    doc["site"]["timezone"] = "Mars/Olympus"
    errors = errors_of(doc)
    assert "zones[0].limts: unknown key (check the spelling)" in errors
    assert any(e.startswith("sensors[0].interval: 'soon' is not a duration") for e in errors)
    assert "site.timezone: unknown time zone 'Mars/Olympus'" in errors


@pytest.mark.parametrize("bad_id", ["A1,x=1", "A1 x", "a/b", "#", 'a"b', "a\nb", "+"])
def test_ids_that_would_inject_are_refused(bad_id):
    doc = beiqijia()
    doc["zones"][0]["id"] = bad_id
    errors = errors_of(doc)
    assert any(e.startswith("zones[0].id:") and "not a valid id" in e for e in errors)


def test_transport_needs_its_fields():
    doc = beiqijia()
    doc["sensors"].append({"id": "X-1", "zone": "A1", "transport": "modbus", "bus": "usb-1"})
    doc["sensors"].append({"id": "X-2", "zone": "A1", "transport": "mqtt"})
    errors = errors_of(doc)
    n = len(doc["sensors"])
    assert f"sensors[{n - 2}].bus: bus 'usb-1' speaks ascii, not modbus-rtu" in errors
    assert f"sensors[{n - 2}].unit: required for transport modbus (slave address 1-247)" in errors
    assert f"sensors[{n - 1}].device: required for transport mqtt" in errors


def test_config_check_cli_refuses_bad_file_without_traceback(tmp_path: Path):
    doc = beiqijia()
    doc["zones"][2]["limits"] = {"humidity": {"min": 50, "max": 40}}
    doc["sensors"][0]["zone"] = "NOPE"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    proc = cangjing("config", "check", str(bad))
    assert proc.returncode == 2
    assert "zones[2].limits.humidity.max: must be > min" in proc.stderr
    assert "sensors[0].zone: no zone 'NOPE' in zones" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_config_check_cli_reports_yaml_syntax_with_line(tmp_path: Path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("site:\n  id: x\n zones: [\n", encoding="utf-8")
    proc = cangjing("config", "check", str(bad))
    assert proc.returncode == 2
    assert "line 3" in proc.stderr and "Traceback" not in proc.stderr


def test_config_check_prints_resolved_limits_and_json():
    proc = cangjing("config", "check", str(DEFAULT_FACILITY))
    assert proc.returncode == 0, proc.stderr
    assert "A1" in proc.stdout and "50–60" in proc.stdout
    proc = cangjing("config", "check", "--json", str(DEFAULT_FACILITY))
    doc = json.loads(proc.stdout)
    a1 = next(z for z in doc["zones"] if z["id"] == "A1")
    assert a1["effective_limits"]["humidity"] == {"min": 50.0, "max": 60.0}
    assert a1["light_class"] == "extremely_sensitive"
    assert len(doc["sensors"]) == len(load_facility(DEFAULT_FACILITY).sensors)


def test_secrets_stay_references_in_check_output():
    env = {"CANGJING_WECOM_BOT_KEY": "s3cr3t-bot-key", "PATH": "/usr/bin:/bin"}
    for args in (["config", "check", str(DEFAULT_FACILITY)],
                 ["config", "check", "--json", str(DEFAULT_FACILITY)]):
        proc = cangjing(*args, env=env)
        assert proc.returncode == 0, proc.stderr
        assert "s3cr3t-bot-key" not in proc.stdout + proc.stderr
