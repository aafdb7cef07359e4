"""The simulated serial lines: real wire times, and where the gateway finds them."""

from __future__ import annotations

import time

import serial
from pymodbus.client import ModbusSerialClient

from firmware_sim.nodes import FacilityModel
from firmware_sim.serial import port_env, start_serial_devices
from firmware_sim.serial.wire import PtyLine, char_time


def test_bytes_take_their_wire_time(tmp_path):
    line = PtyLine(tmp_path / "line")
    try:
        port = serial.Serial(str(tmp_path / "line"), 9600, timeout=2)
        start = time.monotonic()
        line.write_paced(b"x" * 96, char_time(9600))
        got = port.read(96)
        elapsed = time.monotonic() - start
        assert got == b"x" * 96
        assert 0.095 <= elapsed < 0.3  # 96 bytes × 10 bits at 9600 baud = 100 ms
        port.close()
    finally:
        line.close()
    assert not (tmp_path / "line").exists()


def test_port_env_names_the_facility_ports(facility, tmp_path):
    env = port_env(facility, tmp_path)
    assert env["CANGJING_PORT_RS485_1"] == str(tmp_path / "rs485-1")
    assert env["CANGJING_PORT_USB_1"] == str(tmp_path / "usb-1")


def test_a_transaction_is_never_faster_than_the_wire(facility, tmp_path):
    with start_serial_devices(facility, tmp_path, FacilityModel(facility)) as devices:
        client = ModbusSerialClient(str(tmp_path / "rs485-1"), baudrate=9600, timeout=1)
        assert client.connect()
        start = time.monotonic()
        for _ in range(5):
            assert not client.read_holding_registers(0, count=2, device_id=1).isError()
        per = (time.monotonic() - start) / 5
        client.close()
        # 8 + 9 bytes and the 3.5-character silence before the answer: 21.4 ms
        assert per >= 0.021
        assert devices.device("A1-TH-01").requests == 5
