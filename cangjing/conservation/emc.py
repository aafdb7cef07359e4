"""Equilibrium moisture content (EMC) of wood: Hailwood-Horrobin as in the Wood Handbook.

Source: S. V. Glass and S. L. Zelinka, "Moisture Relations and Physical Properties of
Wood", chapter 4 of *Wood Handbook -- Wood as an Engineering Material*, USDA Forest
Service, Forest Products Laboratory, General Technical Report FPL-GTR-190 (2010),
equation (4-5) and the temperature functions given under it for T in degC (the 2021
edition, FPL-GTR-282, was not checked here).  The handbook's Table 4-2 ("moisture content of wood in
equilibrium with stated temperature and relative humidity") is calculated from this
equation; the fit is due to W. T. Simpson (Wood and Fiber 5(1):41-49, 1973) with the
sorption model of A. J. Hailwood and S. Horrobin (Trans. Faraday Soc. 42B:84-92, 1946).

    M = 1800/W * [ K h / (1 - K h)
                   + (K1 K h + 2 K1 K2 K^2 h^2) / (1 + K1 K h + K1 K2 K^2 h^2) ]

    W  = 349 + 1.29 T + 0.0135 T^2
    K  = 0.805 + 0.000736 T - 0.00000273 T^2
    K1 = 6.27 - 0.00938 T - 0.000303 T^2
    K2 = 1.91 + 0.0407 T - 0.000293 T^2

with h the relative humidity as a fraction and M in percent (dry basis).  The handbook:
"For most practical purposes, the values in Table 4-2 may be applied to wood of any
species."
"""

from __future__ import annotations

import math

__all__ = ["wood_emc"]


def wood_emc(t_c: float, rh: float) -> float:
    """Equilibrium moisture content of wood, percent, at ``t_c`` degC and ``rh`` percent RH.

    Wood Handbook (FPL-GTR-190) eq. 4-5, degC coefficients.  E.g. 21.1 degC (70 degF):
    50 %RH -> 9.2 %, 65 %RH -> 12.0 % (Table 4-2).  The handbook tabulates -1.1 to
    110 degC; outside that the polynomial coefficients are an extrapolation.
    """
    if math.isnan(t_c) or math.isnan(rh) or not (0.0 <= rh <= 100.0):
        raise ValueError(f"need a temperature and an RH in [0, 100] percent, got {t_c!r}, {rh!r}")
    t = t_c
    h = rh / 100.0
    w = 349.0 + 1.29 * t + 0.0135 * t * t
    k = 0.805 + 0.000736 * t - 0.00000273 * t * t
    k1 = 6.27 - 0.00938 * t - 0.000303 * t * t
    k2 = 1.91 + 0.0407 * t - 0.000293 * t * t
    kh = k * h
    return (1800.0 / w) * (
        kh / (1.0 - kh) + (k1 * kh + 2.0 * k1 * k2 * kh * kh) / (1.0 + k1 * kh + k1 * k2 * kh * kh)
    )
