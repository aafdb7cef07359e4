"""Sensors: where they hang (zone), how they are reached (transport) and decoded."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import Field

from .limits import Strict
from .types import Id, PositiveDuration


class Transport(StrEnum):
    modbus = "modbus"  # RS-485 Modbus RTU transmitter, polled by the gateway
    ascii = "ascii"  # USB-serial node speaking the $CJ.. line protocol
    mqtt = "mqtt"  # node publishing its own payload on cangjing/<site>/node/<device>/up


class Decoder(StrEnum):
    cangjing_json = "cangjing-json"  # our nodes: {"t": 20.1, "rh": 55.0, "lux": 3, ...}
    tasmota = "tasmota"  # Tasmota tele/<device>/SENSOR JSON


class Adjustment(Strict):
    """corrected = raw * scale + offset"""

    offset: float = 0.0
    scale: float = 1.0


class Calibration(Strict):
    temperature: Adjustment | None = None
    humidity: Adjustment | None = None
    illuminance: Adjustment | None = None
    uv: Adjustment | None = None
    due: date | None = Field(None, description="next calibration due; warns when overdue")

    def adjustment(self, quantity: str) -> Adjustment | None:
        return getattr(self, quantity, None) if quantity != "due" else None


class Sensor(Strict):
    id: Id = Field(description="sensor id used in topics and tags, e.g. A1-TH-01")
    zone: Id = Field(description="id of the zone the sensor is in")
    transport: Transport
    gateway: Id | None = Field(None, description="gateway that reads it (default: the first)")
    bus: Id | None = Field(None, description="modbus/ascii: the bus id on its gateway")
    unit: int | None = Field(None, ge=1, le=247, description="modbus: slave address")
    profile: str | None = Field(None, description="modbus: register map profile name")
    node: str | None = Field(None, description="ascii: the node id in its lines")
    device: Id | None = Field(None, description="mqtt: device name in the node topic")
    decoder: Decoder = Field(Decoder.cangjing_json, description="mqtt: payload format")
    interval: PositiveDuration = Field(
        timedelta(seconds=60), description="poll interval (modbus) or expected report interval"
    )
    calibration: Calibration = Field(default_factory=Calibration)
