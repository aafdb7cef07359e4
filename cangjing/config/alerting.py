"""Settings of the alert engine's rules (every threshold and duration lives here)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from .limits import Strict
from .types import Duration


class Hysteresis(Strict):
    """How far back inside the limit a value must come before a range alert clears."""

    temperature: float = Field(0.5, ge=0, description="K")
    humidity: float = Field(2.0, ge=0, description="%RH")
    illuminance: float = Field(5.0, ge=0, description="lux")
    uv: float = Field(2.0, ge=0, description="µW/lm")

    def of(self, quantity: str) -> float:
        return float(getattr(self, quantity, 0.0))


class RangeRule(Strict):
    hold: Duration = Field(
        timedelta(minutes=10), description="how long a value must stay out before it fires"
    )
    severity: str = Field("warning")
    hysteresis: Hysteresis = Field(default_factory=Hysteresis)


class AlertSettings(Strict):
    range: RangeRule = Field(default_factory=RangeRule)
