"""Beijing's outdoor air through a synthetic year: seasons, days and weather.

Temperature: an annual cosine (coldest in late January) plus a diurnal wave (warmest in the
mid-afternoon) plus a weather anomaly that drifts over days. Humidity is modelled as the
daily mean RH (dry winters, a monsoon peak in late July), turned into vapour pressure at
the daily mean temperature, so RH is highest at dawn and lowest in the afternoon, as
observed. Everything is a pure function of (seed, time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from cangjing.conservation.dewpoint import saturation_vapour_pressure

from .determinism import smooth
from .tuning import OutdoorTuning


@dataclass(frozen=True)
class Air:
    temperature: float  # °C
    vapour: float  # Pa (partial pressure of water vapour)

    @property
    def humidity(self) -> float:
        return relative_humidity(self.temperature, self.vapour)


def relative_humidity(temperature: float, vapour: float) -> float:
    return min(100.0, max(1.0, 100.0 * vapour / saturation_vapour_pressure(temperature)))


def vapour_pressure(temperature: float, humidity: float) -> float:
    return humidity / 100.0 * saturation_vapour_pressure(temperature)


@dataclass(frozen=True)
class OutdoorClimate:
    tz: ZoneInfo
    seed: int = 1
    tuning: OutdoorTuning = field(default_factory=OutdoorTuning)

    def _day(self, when: datetime) -> float:
        """Fractional day of year in local time (1.0 = 1 January, midnight)."""
        local = when.astimezone(self.tz)
        return local.timetuple().tm_yday + (local.hour + local.minute / 60) / 24

    def daily_mean(self, when: datetime) -> Air:
        """The day's mean air: what a building's thermal mass follows."""
        k = self.tuning
        day = self._day(when)
        season = math.cos(2 * math.pi * (day - k.coldest_day) / 365.25)
        weather_days = day / k.weather_days
        t = (k.annual_mean - k.annual_amplitude * season
             + k.weather_temperature * smooth(weather_days, self.seed, "outdoor-t"))
        monsoon = k.monsoon_rh * math.exp(-(((day - k.monsoon_peak_day) / k.monsoon_width_days)
                                             ** 2))
        rh = (k.rh_mean - k.rh_amplitude * season + monsoon
              + k.weather_humidity * smooth(weather_days, self.seed, "outdoor-rh"))
        rh = min(95.0, max(15.0, rh))
        return Air(t, vapour_pressure(t, rh))

    def at(self, when: datetime, mean: Air | None = None) -> Air:
        mean = mean or self.daily_mean(when)
        local = when.astimezone(self.tz)
        hour = local.hour + local.minute / 60 + local.second / 3600
        wave = math.cos(2 * math.pi * (hour - self.tuning.warmest_hour) / 24)
        t = mean.temperature + self.tuning.diurnal_amplitude * wave
        # The day's vapour stays put while the air warms and cools, except that air cannot
        # hold more than saturation (dew and fog at dawn).
        return Air(t, min(mean.vapour, saturation_vapour_pressure(t)))
