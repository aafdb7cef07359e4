"""Simulated serial devices on real pty pairs: Modbus RTU transmitters and ASCII nodes.

    devices = start_serial_devices(facility, links_dir, FacilityModel(facility))
    env = port_env(facility, links_dir)   # CANGJING_PORT_RS485_1=<links_dir>/rs485-1 ...
    ...                                   # the gateway opens the links as its serial ports
    devices.device("A1-TH-01").faults.set(no_response=True)
    devices.stop()
"""

from __future__ import annotations

from .devices import SerialDevices, port_env, start_serial_devices
from .faults import Faults

__all__ = ["Faults", "SerialDevices", "port_env", "start_serial_devices"]
