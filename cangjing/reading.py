"""The canonical reading: what the gateway publishes and the collector and alerts consume.

    {"site": "beiqijia", "zone": "A1", "sensor": "A1-TH-01", "time": "2026-11-24T08:00:00Z",
     "values": {"temperature": 20.4, "humidity": 55.2, "illuminance": 12.0},
     "seq": 18231, "gateway": "gw-01", "quality": {"humidity": "spike"}}

`quality` is optional (an addition to DESIGN.md's contract that old readers ignore): a
validation flag per value that the gateway sets instead of dropping a suspicious value.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .config.loader import format_location
from .config.types import Id
from .payload import json_object


class Quantity(StrEnum):
    temperature = "temperature"  # °C
    humidity = "humidity"  # %RH
    illuminance = "illuminance"  # lux
    uv = "uv"  # µW/lm
    battery = "battery"  # V


UNITS = {"temperature": "°C", "humidity": "%RH", "illuminance": "lx", "uv": "µW/lm",
         "battery": "V", "dew_point": "°C"}

# Values beyond these cannot come from a working sensor of this kind; the gateway flags
# them and the collector refuses them as corrupt input.
PHYSICAL_BOUNDS = {
    "temperature": (-60.0, 100.0),
    "humidity": (0.0, 100.0),
    "illuminance": (0.0, 200_000.0),
    "uv": (0.0, 10_000.0),
    "battery": (0.0, 60.0),
}


class ReadingError(ValueError):
    """A payload that is not a canonical reading; the message says what is wrong."""


class Reading(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    site: Id
    zone: Id
    sensor: Id
    time: datetime
    values: dict[Quantity, float] = Field(min_length=1)
    seq: int | None = None
    gateway: Id | None = None
    quality: dict[Quantity, str] | None = None

    @field_validator("time", mode="before")
    @classmethod
    def _epoch_or_rfc3339(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise ValueError("time must be finite")
            return datetime.fromtimestamp(value, tz=UTC)
        return value

    @field_validator("time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time needs a time zone (RFC 3339 with Z or an offset)")
        return value.astimezone(UTC)

    @field_validator("values")
    @classmethod
    def _finite(cls, values: dict[Quantity, float]) -> dict[Quantity, float]:
        for name, value in values.items():
            if not math.isfinite(value):
                raise ValueError(f"{name.value} is not a finite number")
        return values

    def to_json(self) -> bytes:
        doc: dict[str, Any] = {
            "site": self.site,
            "zone": self.zone,
            "sensor": self.sensor,
            "time": self.time.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "values": {k.value: v for k, v in self.values.items()},
        }
        if self.seq is not None:
            doc["seq"] = self.seq
        if self.gateway is not None:
            doc["gateway"] = self.gateway
        if self.quality:
            doc["quality"] = {k.value: v for k, v in self.quality.items()}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()

    @property
    def epoch(self) -> float:
        return self.time.timestamp()

    def get(self, quantity: str) -> float | None:
        return self.values.get(Quantity(quantity)) if quantity in Quantity.__members__ else None


def parse_reading(payload: bytes | str) -> Reading:
    """Parse a canonical reading; raise ReadingError with a one-line reason."""
    doc = json_object(payload, ReadingError)
    try:
        return Reading.model_validate(doc)
    except ValidationError as exc:
        parts = [f"{format_location(e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
                 for e in exc.errors(include_url=False)]
        raise ReadingError("; ".join(parts)) from None
