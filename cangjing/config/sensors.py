"""Sensors: where they hang (zone), how they are reached (transport) and decoded."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import Field, field_validator

from .limits import Strict
from .registers import PROFILES, QuantityName, RegisterMap
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


class Validation(Strict):
    """Plausibility checks that flag a value (quality) instead of dropping it."""

    spike_rate: dict[QuantityName, float] = Field(
        default_factory=lambda: {"temperature": 2.0, "humidity": 10.0},
        description="fastest believable change per minute (°C, %RH, ...); a value further "
        "from the last good one than rate × max(elapsed, spike_window) is flagged 'spike'",
    )
    spike_window: PositiveDuration = Field(
        timedelta(minutes=1), description="shortest time the spike rate is applied over"
    )
    stuck_after: PositiveDuration = Field(
        timedelta(hours=6), description="a value unchanged this long is flagged 'stuck'"
    )
    stuck_quantities: list[QuantityName] = Field(
        default_factory=lambda: ["temperature", "humidity"],
        description="quantities checked for stuck values (lux is legitimately 0 all night)",
    )
    stuck_tolerance: float = Field(
        0.0, ge=0, description="changes up to this much still count as unchanged"
    )

    @field_validator("spike_rate")
    @classmethod
    def _positive_rates(cls, rates: dict[str, float]) -> dict[str, float]:
        for name, rate in rates.items():
            if rate <= 0:
                raise ValueError(f"{name}: rate must be > 0")
        return rates


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
    registers: RegisterMap | None = Field(
        None, description="modbus: own register map (instead of a built-in profile)"
    )
    validation: Validation | None = Field(
        None, description="plausibility thresholds (default: the gateway's validation)"
    )

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, profile: str | None) -> str | None:
        if profile is not None and profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}: use one of "
                             f"{', '.join(PROFILES)} (or give registers)")
        return profile

    def register_map(self) -> RegisterMap | None:
        """modbus: the sensor's own map, else its built-in profile."""
        if self.registers is not None:
            return self.registers
        return PROFILES[self.profile] if self.profile else None
