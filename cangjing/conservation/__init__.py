"""Conservation-science metrics for museum storage environments (pure functions).

Standard library only.  Each module cites its published source next to the code:

- :mod:`.dewpoint`     -- Magnus form, Alduchov & Eskridge (1996) coefficients
- :mod:`.preservation` -- IPI Preservation Index / TWPI (Reilly et al. 1995; Padfield 2004)
- :mod:`.mold`         -- VTT mould growth model (Hukka & Viitanen 1999)
- :mod:`.emc`          -- wood EMC, Hailwood-Horrobin per the USDA Wood Handbook (FPL-GTR-190)
- :mod:`.corrosion`    -- metal corrosion risk by RH band (Scott 1990; Watkinson & Lewis 2005)
- :mod:`.light`        -- light dose and GB/T 23863 annual budgets
- :mod:`.stability`    -- time in range, daily swings

Units throughout: degC, percent RH, POSIX seconds, lux, lux-hours.
"""

from __future__ import annotations

from .corrosion import CORROSION_RH_THRESHOLDS, corrosion_risk
from .dewpoint import dew_point, relative_humidity_from_dew_point, saturation_vapour_pressure
from .emc import wood_emc
from .light import (
    EXTREMELY_SENSITIVE_ANNUAL_BUDGET_LXH,
    EXTREMELY_SENSITIVE_MAX_LUX,
    SENSITIVE_ANNUAL_BUDGET_LXH,
    SENSITIVE_MAX_LUX,
    dose_fraction,
    light_dose,
)
from .mold import MoldRiskAccumulator, critical_rh, days_to_germination, mold_risk
from .preservation import (
    preservation_index,
    preservation_index_linear_rh,
    time_weighted_preservation_index,
    twpi_verdict,
)
from .stability import daily_swings, percent_days_within_swing, percent_time_in_range

__all__ = [
    "CORROSION_RH_THRESHOLDS",
    "EXTREMELY_SENSITIVE_ANNUAL_BUDGET_LXH",
    "EXTREMELY_SENSITIVE_MAX_LUX",
    "SENSITIVE_ANNUAL_BUDGET_LXH",
    "SENSITIVE_MAX_LUX",
    "MoldRiskAccumulator",
    "corrosion_risk",
    "critical_rh",
    "daily_swings",
    "days_to_germination",
    "dew_point",
    "dose_fraction",
    "light_dose",
    "mold_risk",
    "percent_days_within_swing",
    "percent_time_in_range",
    "preservation_index",
    "preservation_index_linear_rh",
    "relative_humidity_from_dew_point",
    "saturation_vapour_pressure",
    "time_weighted_preservation_index",
    "twpi_verdict",
    "wood_emc",
]
