"""Gateways and the serial buses they own."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import Field

from .limits import Strict
from .types import Id, PositiveDuration


class BusProtocol(StrEnum):
    modbus_rtu = "modbus-rtu"
    ascii = "ascii"


class Bus(Strict):
    id: Id
    protocol: BusProtocol
    port: str = Field(description="serial device, e.g. /dev/ttyUSB0 (may be ${ENV})")
    baudrate: int = Field(9600, gt=0)
    parity: str = Field("N", pattern="^[NEO]$")
    stopbits: int = Field(1, ge=1, le=2)
    timeout: PositiveDuration = Field(timedelta(milliseconds=500), description="reply timeout")
    retries: int = Field(1, ge=0, le=10)


class Gateway(Strict):
    id: Id
    buses: list[Bus] = Field(default_factory=list)
    queue_max: int = Field(1_000_000, gt=0, description="store-and-forward bound, readings")
    status_interval: PositiveDuration = Field(timedelta(seconds=60))
