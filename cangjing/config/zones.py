"""Storage zones: what they hold (material class) and the limits that follows from it."""

from __future__ import annotations

from pydantic import Field

from .limits import LimitOverrides, Limits, Range, Strict
from .materials import (
    LIGHT_LIMITS,
    MATERIAL_PRESETS,
    ROOM_MAX_LUX,
    SWING_LIMITS,
    UV_MAX_UW_PER_LM,
    LightClass,
    Material,
    RoomKind,
    SwingClass,
)
from .types import Id

# Zone ids sit at the same topic level as these words (cangjing/<site>/<zone>/...).
RESERVED_ZONE_IDS = {"node", "gateway", "alerts", "deadletter"}


class Zone(Strict):
    id: Id = Field(description="short id used in topics and tags, e.g. A1")
    name: str = Field(description="name shown to staff (Chinese)")
    name_en: str | None = Field(None, description="English name")
    material: Material = Field(description="material class; brings the preset limits")
    room: RoomKind = Field(RoomKind.storage, description="storage / transit / study room")
    light_class: LightClass | None = Field(None, description="overrides the material's")
    swing_class: SwingClass = Field(SwingClass.A, description="ASHRAE class for daily swing")
    limits: LimitOverrides = Field(default_factory=LimitOverrides)

    def display_name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name

    def effective_light_class(self) -> LightClass:
        return self.light_class or MATERIAL_PRESETS[self.material][2]

    def effective_limits(self) -> Limits:
        """The preset of the material and room, with this zone's overrides applied."""
        (t_lo, t_hi), (rh_lo, rh_hi), _ = MATERIAL_PRESETS[self.material]
        lux_max, dose = LIGHT_LIMITS[self.effective_light_class()]
        rh_swing, t_swing = SWING_LIMITS[self.swing_class]
        o = self.limits
        return Limits(
            temperature=_merge(Range(min=t_lo, max=t_hi), o.temperature),
            humidity=_merge(Range(min=rh_lo, max=rh_hi), o.humidity),
            temperature_swing=o.temperature_swing or t_swing,
            humidity_swing=o.humidity_swing or rh_swing,
            illuminance_max=o.illuminance_max or min(lux_max, ROOM_MAX_LUX[self.room]),
            light_dose_per_year=o.light_dose_per_year or dose,
            uv_max=o.uv_max or UV_MAX_UW_PER_LM,
        )

    def limit_errors(self) -> list[tuple[str, str]]:
        """(path below the zone, message) for effective limits that make no sense."""
        errors: list[tuple[str, str]] = []
        eff = self.effective_limits()
        for name in ("temperature", "humidity"):
            rng: Range = getattr(eff, name)
            if rng.min is not None and rng.max is not None and rng.max <= rng.min:
                errors.append((f"limits.{name}.max", f"must be > min ({rng.max:g} <= {rng.min:g})"))
        if eff.humidity.min is not None and eff.humidity.min < 0:
            errors.append(("limits.humidity.min", "must be >= 0 %RH"))
        if eff.humidity.max is not None and eff.humidity.max > 100:
            errors.append(("limits.humidity.max", "must be <= 100 %RH"))
        return errors


def _merge(preset: Range, override: Range | None) -> Range:
    if override is None:
        return preset
    return Range(
        min=override.min if "min" in override.model_fields_set else preset.min,
        max=override.max if "max" in override.model_fields_set else preset.max,
    )
