"""The simulator's physical constants, tunable from a scenario file's `physics:` section.

Defaults describe Beiqijia (北七家, northern Beijing) and a well-sealed storage building
with one air handler per zone. Units: °C, K, %RH, lux, V; durations as in the facility
file ("90s", "10m", "3h").
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from cangjing.config.types import PositiveDuration


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OutdoorTuning(_Strict):
    """A plausible synthetic Beijing year (continental monsoon: cold dry winters, hot humid
    summers). Climate normals of Beijing (CMA 1991–2020): January mean about −3 °C,
    July about 27 °C, RH about 40 % in winter and 75–80 % in July–August."""

    annual_mean: float = Field(12.0, description="°C, mean of the year")
    annual_amplitude: float = Field(15.5, ge=0, description="K, half of July minus January")
    coldest_day: int = Field(20, ge=1, le=366, description="day of year of the coldest day")
    diurnal_amplitude: float = Field(4.5, ge=0, description="K, half the daily range")
    warmest_hour: float = Field(14.5, ge=0, lt=24, description="local hour of the daily peak")
    rh_mean: float = Field(50.0, ge=0, le=100, description="%RH, mean of the year")
    rh_amplitude: float = Field(15.0, ge=0, description="%RH, winter-to-summer half range")
    monsoon_rh: float = Field(12.0, ge=0, description="%RH added at the rainy-season peak")
    monsoon_peak_day: int = Field(205, ge=1, le=366, description="day of year (late July)")
    monsoon_width_days: float = Field(25.0, gt=0)
    weather_temperature: float = Field(3.0, ge=0, description="K, day-to-day anomaly")
    weather_humidity: float = Field(8.0, ge=0, description="%RH, day-to-day anomaly")
    weather_days: float = Field(3.0, gt=0, description="days over which weather changes")


class ZoneTuning(_Strict):
    """How a storage room follows its HVAC and leaks towards the outdoors."""

    envelope_coupling: float = Field(
        0.03, ge=0, le=1, description="share of the outdoor deviation that gets through "
        "envelope and HVAC while the HVAC runs")
    free_running_coupling: float = Field(
        0.8, ge=0, le=1, description="share of the outdoor deviation a room reaches with its "
        "air handler off (thermal mass averages out the day)")
    dehumidifier_coupling: float = Field(
        0.5, ge=0, le=1, description="share of the outdoor vapour-pressure deviation reached "
        "with the dehumidifier off (the cooling coil still dries a little)")
    door_coupling: float = Field(
        0.35, ge=0, le=1, description="share of the outdoor deviation reached through an open "
        "door (to a corridor, then outside)")
    thermal_tau: PositiveDuration = Field(timedelta(hours=5), description="room heats/cools")
    moisture_tau: PositiveDuration = Field(timedelta(hours=2), description="room wets/dries")
    recovery_tau: PositiveDuration = Field(timedelta(hours=1), description="HVAC pulls back")
    door_tau: PositiveDuration = Field(timedelta(minutes=15))
    leak_tau: PositiveDuration = Field(timedelta(minutes=40), description="RH towards the leak")
    hvac_ripple: float = Field(0.15, ge=0, description="K, control ripple of the air handler")
    hvac_ripple_period: PositiveDuration = Field(timedelta(minutes=45))
    light_heat: float = Field(0.3, ge=0, description="K, warming while the lights are on")
    lit_fraction: float = Field(
        0.6, gt=0, description="lux while lit, as a share of the zone's illuminance limit")
    uv_lit: float = Field(8.0, ge=0, description="µW/lm while lit (filtered LED)")
    work_start: float = Field(9.0, ge=0, lt=24, description="local hour visits may begin")
    work_end: float = Field(17.0, gt=0, le=24, description="local hour visits end")
    visits_per_day: int = Field(2, ge=0, description="most staff visits per zone per workday")
    visit_minutes: tuple[float, float] = Field((20.0, 60.0), description="shortest, longest")
    door_minutes: float = Field(3.0, ge=0, description="door open on entering and leaving")
    study_rooms_lit: bool = Field(True, description="study rooms lit for the whole work day")


class SensorTuning(_Strict):
    bias_temperature: float = Field(0.2, ge=0, description="K, largest own bias of a sensor")
    bias_humidity: float = Field(1.0, ge=0, description="%RH, largest own bias")
    noise_temperature: float = Field(0.05, ge=0, description="K, standard deviation")
    noise_humidity: float = Field(0.2, ge=0, description="%RH, standard deviation")
    noise_illuminance: float = Field(0.5, ge=0, description="lux, standard deviation while lit")
    battery_full: float = Field(3.0, gt=0, description="V, a fresh node battery (2×AA)")


class PhysicsTuning(_Strict):
    outdoor: OutdoorTuning = Field(default_factory=OutdoorTuning)
    zone: ZoneTuning = Field(default_factory=ZoneTuning)
    sensor: SensorTuning = Field(default_factory=SensorTuning)
