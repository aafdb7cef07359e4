"""Gateways and the serial buses they own."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Literal

from pydantic import Field

from .limits import Strict
from .sensors import Validation
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
    reopen_min: PositiveDuration = Field(
        timedelta(seconds=1), description="first wait before reopening a missing or lost port; "
        "doubles on each failure up to reopen_max"
    )
    reopen_max: PositiveDuration = Field(
        timedelta(seconds=30), description="longest wait between attempts to reopen the port"
    )
    offline_after: int = Field(
        3, ge=1, description="modbus: consecutive failed polls after which a device is offline"
    )
    offline_poll: PositiveDuration = Field(
        timedelta(seconds=60), description="modbus: how often an offline device is tried "
        "(once, without retries, only where it cannot delay a healthy device)"
    )


class Gateway(Strict):
    id: Id
    buses: list[Bus] = Field(default_factory=list)
    queue_max: int = Field(1_000_000, gt=0, description="store-and-forward bound, readings")
    status_interval: PositiveDuration = Field(
        timedelta(seconds=60), description="how often status with per-sensor health is published"
    )
    queue_full: Literal["drop-oldest", "drop-newest"] = Field(
        "drop-oldest", description="what a full queue gives up (logged and counted in status)"
    )
    replay_window: int = Field(
        100, ge=1, le=10_000, description="QoS 1 readings in flight (unacknowledged) at once"
    )
    reconnect_max: PositiveDuration = Field(
        timedelta(seconds=30), description="longest wait between reconnects to the broker"
    )
    stale_after: float = Field(
        3.0, gt=1, description="a sensor silent for this many of its intervals is 'stale'"
    )
    validation: Validation = Field(
        default_factory=Validation, description="default plausibility thresholds of its sensors"
    )
