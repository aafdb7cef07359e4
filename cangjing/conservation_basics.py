"""Dew point, needed on the hot path by the collector and the alert engine.

Magnus form with the Alduchov & Eskridge (1996) coefficients (a = 17.625, b = 243.04 °C):
"Improved Magnus form approximation of saturation vapor pressure", J. Appl. Meteor. 35.
The full conservation toolbox lives in cangjing.conservation.
"""

from __future__ import annotations

import math

_A = 17.625
_B = 243.04


def dew_point(temperature_c: float, rh: float) -> float:
    gamma = math.log(rh / 100.0) + _A * temperature_c / (_B + temperature_c)
    return _B * gamma / (_A - gamma)
