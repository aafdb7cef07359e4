"""Settings of the preservation metrics job and of the climate reports (`preservation:`).

    preservation:
      step: 10m              # zone-mean bucket the metrics are computed from
      delay: 5m              # wait after each hour / local day before computing it
      late_data: 3h          # each hourly run also recomputes this far back
      mold_warmup: 30d       # history the mould model runs over before a period
      max_gap: 2h            # longer without data: a gap, not counted in % time in range
      corrosion_metal: {B1: bronze}   # RH bands per zone (default: general)
      report:
        raw_max_days: 31     # shorter ranges are read from raw data, longer from rollups
        target_pct_in_range: 95
        target_pct_days_within_swing: 90
        alert_rows: 30
        dpi: 150
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field

from .limits import Strict
from .types import Duration, Id, PositiveDuration

Metal = Literal["general", "bronze", "copper", "iron"]


class ReportSettings(Strict):
    raw_max_days: float = Field(
        31, ge=0, description="ranges up to this many days use raw data, longer the 1h rollups"
    )
    target_pct_in_range: float = Field(
        95, ge=0, le=100, description="% of time inside the T/RH limits that counts as good"
    )
    target_pct_days_within_swing: float = Field(
        90, ge=0, le=100, description="% of days within the daily-swing limits that counts as good"
    )
    mold_watch: float = Field(
        0.5, ge=0, description="VTT mould index from which the verdict says 'watch'"
    )
    alert_rows: int = Field(30, ge=1, description="alerts listed per zone (all are counted)")
    dpi: int = Field(150, ge=50, le=600, description="resolution of the PNG figures")


class PreservationSettings(Strict):
    step: PositiveDuration = Field(
        timedelta(minutes=10), description="zone-mean bucket the metrics are computed from"
    )
    delay: Duration = Field(
        timedelta(minutes=5), description="wait after an hour / local day before computing it"
    )
    late_data: PositiveDuration = Field(
        timedelta(hours=3), description="each hourly run recomputes this far back"
    )
    mold_warmup: Duration = Field(
        timedelta(days=30), description="history the mould model runs over before a period"
    )
    max_gap: PositiveDuration = Field(
        timedelta(hours=2), description="longer without data is a gap (not counted)"
    )
    corrosion_metal: dict[Id, Metal] = Field(
        default_factory=dict, description="zone id -> RH bands to judge corrosion by"
    )
    report: ReportSettings = Field(default_factory=ReportSettings)

    def metal_of(self, zone_id: str) -> str:
        return self.corrosion_metal.get(zone_id, "general")
