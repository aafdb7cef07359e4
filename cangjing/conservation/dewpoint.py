"""Dew point and saturation vapour pressure over liquid water (Magnus form).

Source: O. A. Alduchov and R. E. Eskridge, "Improved Magnus form approximation of
saturation vapor pressure", Journal of Applied Meteorology 35(4):601-609, 1996
(doi:10.1175/1520-0450(1996)035<0601:IMFAOS>2.0.CO;2), their "AERK" coefficients:

    e_s(T) = C * exp(A * T / (B + T)),   A = 17.625, B = 243.04 degC, C = 610.94 Pa

fitted for -40 degC <= T <= +50 degC over water, with a stated maximum relative error in
e_s of 0.384 % in that range.  The dew point is the exact inverse of that expression,
as recommended by M. G. Lawrence, "The relationship between relative humidity and the
dewpoint temperature in moist air", Bull. Amer. Meteor. Soc. 86:225-233, 2005
(doi:10.1175/BAMS-86-2-225), who also recommends these coefficients.

Units: temperatures in degC, relative humidity in percent (0-100], pressure in Pa.
"""

from __future__ import annotations

import math

__all__ = [
    "MAGNUS_A",
    "MAGNUS_B_C",
    "MAGNUS_C_PA",
    "dew_point",
    "relative_humidity_from_dew_point",
    "saturation_vapour_pressure",
]

# Alduchov & Eskridge (1996), AERK coefficients (their eq. 21 / table).
MAGNUS_A = 17.625
MAGNUS_B_C = 243.04  # degC
MAGNUS_C_PA = 610.94  # Pa


def _check_rh(rh: float) -> None:
    if not (0.0 < rh <= 100.0) or math.isnan(rh):
        raise ValueError(f"relative humidity must be in (0, 100] percent, got {rh!r}")


def _check_t(t: float) -> None:
    # The Magnus denominator B + T vanishes at -243.04 degC; the fit itself is only
    # claimed for -40..50 degC, we merely refuse values where the formula breaks down.
    if math.isnan(t) or t <= -MAGNUS_B_C:
        raise ValueError(f"temperature out of range for the Magnus form: {t!r}")


def saturation_vapour_pressure(t: float) -> float:
    """Saturation vapour pressure over liquid water, in Pa, at ``t`` degC.

    Alduchov & Eskridge (1996) AERK: ``610.94 * exp(17.625 t / (243.04 + t))``.
    """
    _check_t(t)
    return MAGNUS_C_PA * math.exp(MAGNUS_A * t / (MAGNUS_B_C + t))


def dew_point(temperature_c: float, rh: float) -> float:
    """Dew point in degC of air at ``temperature_c`` degC and ``rh`` percent RH.

    Inverse of the Alduchov & Eskridge (1996) Magnus form (Lawrence 2005, eq. 8):
    ``gamma = ln(RH/100) + A T / (B + T)``, ``Td = B gamma / (A - gamma)``.

    Raises ValueError for RH outside (0, 100] (the logarithm is undefined at 0 and a
    dew point above the air temperature is not physical for unsaturated air).
    """
    _check_t(temperature_c)
    _check_rh(rh)
    gamma = math.log(rh / 100.0) + MAGNUS_A * temperature_c / (MAGNUS_B_C + temperature_c)
    return MAGNUS_B_C * gamma / (MAGNUS_A - gamma)


def relative_humidity_from_dew_point(t: float, td: float) -> float:
    """Relative humidity in percent of air at ``t`` degC whose dew point is ``td`` degC.

    ``RH = 100 * e_s(Td) / e_s(T)`` with the same Alduchov & Eskridge (1996) e_s, so it is
    the exact inverse of :func:`dew_point`.  A dew point above ``t`` gives RH > 100
    (supersaturation); it is returned as computed, not clipped.
    """
    _check_t(t)
    _check_t(td)
    return 100.0 * math.exp(MAGNUS_A * td / (MAGNUS_B_C + td) - MAGNUS_A * t / (MAGNUS_B_C + t))
