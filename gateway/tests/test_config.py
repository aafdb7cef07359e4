"""The gateway's part of the facility file: register maps, queue policy, validation."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cangjing.config import FacilityError
from cangjing.config.registers import PROFILES, RegisterField
from cangjing.stack import child_env

from .conftest import make_facility, rtu_bus


def errors(sensors: list[dict], **gw: object) -> list[str]:
    with pytest.raises(FacilityError) as exc:
        make_facility([rtu_bus()], sensors, **gw)
    return exc.value.errors


MODBUS = {"id": "S-1", "transport": "modbus", "bus": "rs485-t", "unit": 1}


def test_a_modbus_sensor_needs_a_known_profile_or_registers():
    assert errors([{**MODBUS}]) == [
        "sensors[0].profile: required for transport modbus: th, lux, uv (or registers)"]
    assert errors([{**MODBUS, "profile": "thx"}]) == [
        "sensors[0].profile: unknown profile 'thx': use one of th, lux, uv (or give registers)"]
    wide = {"fields": [{"quantity": "uv", "address": 0}, {"quantity": "humidity",
                                                          "address": 200}]}
    assert errors([{**MODBUS, "registers": wide}]) == [
        "sensors[0].registers: fields must lie within 125 registers (one Modbus read)"]
    assert errors([{**MODBUS, "registers": {"fields": [
        {"quantity": "lux", "address": 0}]}}])[0].startswith(
        "sensors[0].registers.fields[0].quantity:")


def test_gateway_policies_are_checked():
    assert errors([{**MODBUS, "profile": "th"}], queue_full="drop-some")[0].startswith(
        "gateways[0].queue_full:")
    assert errors([{**MODBUS, "profile": "th"}], validation={
        "spike_rate": {"temperature": 0}}) == [
        "gateways[0].validation.spike_rate: temperature: rate must be > 0"]


def test_profiles_round_trip_their_resolution():
    values = {"temperature": -12.3, "humidity": 99.9, "illuminance": 123456.0, "uv": 75.4}
    for name, regmap in PROFILES.items():
        decoded = regmap.decode(regmap.encode(values))
        assert decoded == {k: values[k] for k in decoded}, name
    # Values beyond the type are clamped, not wrapped into nonsense.
    assert RegisterField(quantity="humidity", address=0, scale=0.1).encode(7000.0) == [65535]


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cangjing.cli", "gateway", *args],
                          env=child_env(env), capture_output=True, text=True, timeout=60)


def test_cli_refuses_an_unknown_gateway_and_an_unusable_data_dir(tmp_path):
    done = run_cli("--id", "gw-99")
    assert done.returncode == 2 and "--id gw-99: no such gateway" in done.stderr
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    done = run_cli(CANGJING_DATA_DIR=str(not_a_dir / "data"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "cannot open the store-and-forward queue" in done.stderr
