"""Conservation limits of a zone: the preset of its material, overridden field by field."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Base of every facility-file model: unknown keys are errors (typos must not pass)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(Strict):
    min: float | None = Field(None, description="lowest allowed value")
    max: float | None = Field(None, description="highest allowed value")


class LimitOverrides(Strict):
    """What a zone may override; anything left out comes from the material preset."""

    temperature: Range | None = Field(None, description="°C")
    humidity: Range | None = Field(None, description="%RH")
    temperature_swing: float | None = Field(None, gt=0, description="max daily max−min, K")
    humidity_swing: float | None = Field(None, gt=0, description="max daily max−min, %RH")
    illuminance_max: float | None = Field(None, gt=0, description="lux while lit")
    light_dose_per_year: float | None = Field(None, gt=0, description="lx·h per calendar year")
    uv_max: float | None = Field(None, gt=0, description="µW/lm")


class Limits(Strict):
    """The effective limits of a zone, as the alert engine and the dashboards use them."""

    temperature: Range
    humidity: Range
    temperature_swing: float
    humidity_swing: float
    illuminance_max: float
    light_dose_per_year: float | None
    uv_max: float

    def range_of(self, quantity: str) -> Range | None:
        """The [min, max] range that applies to a reading field, if any."""
        if quantity == "temperature":
            return self.temperature
        if quantity == "humidity":
            return self.humidity
        if quantity == "illuminance":
            return Range(min=None, max=self.illuminance_max)
        if quantity == "uv":
            return Range(min=None, max=self.uv_max)
        return None
