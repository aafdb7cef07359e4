"""Reference checks of cangjing.conservation against values published with each source.

Every expected value below is quoted from (or, where said so, evaluated directly from
an equation in) the cited source -- never from this package's own output.
"""

from __future__ import annotations

import math
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from cangjing.conservation import (
    EXTREMELY_SENSITIVE_ANNUAL_BUDGET_LXH,
    EXTREMELY_SENSITIVE_MAX_LUX,
    SENSITIVE_ANNUAL_BUDGET_LXH,
    SENSITIVE_MAX_LUX,
    MoldRiskAccumulator,
    corrosion_risk,
    critical_rh,
    daily_swings,
    days_to_germination,
    dew_point,
    dose_fraction,
    light_dose,
    mold_risk,
    percent_days_within_swing,
    percent_time_in_range,
    preservation_index,
    preservation_index_linear_rh,
    relative_humidity_from_dew_point,
    saturation_vapour_pressure,
    time_weighted_preservation_index,
    twpi_verdict,
    wood_emc,
)

HOUR = 3600.0
DAY = 86400.0

# --------------------------------------------------------------------------- dew point

# Saturation vapour pressure over water from the IAPWS-IF97 saturation-pressure equation
# (IAPWS R7-97(2012), eq. 30), as tabulated in steam tables: 611.657 Pa at the triple
# point, 2.3392 kPa at 20 degC, etc.  Alduchov & Eskridge (1996) state a maximum relative
# error of 0.384 % for their AERK Magnus form between -40 and +50 degC.
IAPWS_ES_PA = [
    (0.01, 611.657),
    (10.0, 1228.2),
    (20.0, 2339.2),
    (25.0, 3169.7),
    (30.0, 4246.7),
    (40.0, 7384.4),
    (50.0, 12351.0),
]


@pytest.mark.parametrize(("t", "es"), IAPWS_ES_PA)
def test_saturation_vapour_pressure_within_alduchov_eskridge_error_of_iapws(t, es):
    assert saturation_vapour_pressure(t) == pytest.approx(es, rel=0.00384)


def test_alduchov_eskridge_coefficients_value_at_0c():
    # AERK: e_s(0 degC) = C = 610.94 Pa exactly (Alduchov & Eskridge 1996).
    assert saturation_vapour_pressure(0.0) == pytest.approx(610.94, abs=1e-9)


# Dew points obtained by inverting the IAPWS-IF97 saturation curve
# (e = RH/100 * e_s(T); Td solves e_s(Td) = e).  A 0.384 % error in e_s (the stated
# AERK bound) moves Td by at most ~0.06 degC at these dew points, hence 0.07 degC.
IAPWS_DEW_POINTS = [
    (20.0, 50.0, 9.27),
    (25.0, 60.0, 16.70),
    (30.0, 80.0, 26.17),
    (10.0, 95.0, 9.24),
    (35.0, 30.0, 14.84),
    (15.0, 40.0, 1.52),
    (40.0, 20.0, 12.78),
]


@pytest.mark.parametrize(("t", "rh", "td"), IAPWS_DEW_POINTS)
def test_dew_point_against_iapws_saturation_curve(t, rh, td):
    assert dew_point(t, rh) == pytest.approx(td, abs=0.07)


def test_dew_point_of_saturated_air_is_air_temperature():
    assert dew_point(21.3, 100.0) == pytest.approx(21.3, abs=1e-12)
    assert relative_humidity_from_dew_point(21.3, 21.3) == pytest.approx(100.0)


@pytest.mark.parametrize("rh", [0.0, -5.0, 100.5, math.nan])
def test_dew_point_rejects_non_physical_rh(rh):
    with pytest.raises(ValueError):
        dew_point(20.0, rh)


# ------------------------------------------------------------------ preservation index

# IPI's own PI values (years): the lookup table behind IPI's Dew Point Calculator
# (dpcalc.org, dp.js "pitable", index (T+23)*90 + RH-6), read from a public copy of that
# table (github.com/Pygmalion69/Ersa, src/main/resources/pi.json).  The table holds whole
# years, so the tolerance is 5 % or 1 year, whichever is larger.
IPI_TABLE_PI = [
    (0, 20, 1613),
    (0, 50, 624),
    (0, 80, 252),
    (10, 35, 244),
    (10, 50, 158),
    (10, 65, 103),
    (20, 6, 151),
    (20, 20, 100),
    (20, 35, 66),
    (20, 50, 44),
    (20, 65, 29),
    (20, 80, 20),
    (20, 95, 14),
    (30, 20, 29),
    (30, 50, 13),
]


@pytest.mark.parametrize(("t", "rh", "pi"), IPI_TABLE_PI)
def test_preservation_index_matches_ipi_table(t, rh, pi):
    assert preservation_index(t, rh) == pytest.approx(pi, rel=0.05, abs=1.0)


def test_preservation_index_20c_50rh_is_about_45_years():
    # IPI: PI at 20 degC/50 %RH is ~45 years (table: 44; Padfield 2004 form: 44.6).
    assert 43.0 <= preservation_index(20.0, 50.0) <= 46.0


def test_design_linear_rh_fit_is_the_design_formula_and_misses_ipi_at_dry_and_damp():
    # DESIGN.md: k = RH * 5.9e12 * exp(-90300/(8.314 T)), PI = 1/k.
    tk = 293.15
    expected = 1.0 / (50.0 * 5.9e12 * math.exp(-90300.0 / (8.314 * tk)))
    assert preservation_index_linear_rh(20.0, 50.0) == pytest.approx(expected, rel=1e-12)
    assert preservation_index_linear_rh(20.0, 50.0) == pytest.approx(41.8, abs=0.05)
    # Why it is not the default: IPI's table has 151 years at 20 degC/6 %RH and 14 at
    # 95 %RH; the linear-RH fit is more than 40 % off at both ends.
    assert preservation_index_linear_rh(20.0, 6.0) > 1.4 * 151
    assert preservation_index_linear_rh(20.0, 95.0) > 1.4 * 14


def test_twpi_is_time_weighted_harmonic_mean():
    # Reilly, Nishimura & Zinn (1995), New Tools for Preservation: TWPI averages decay
    # rates (1/PI), not lifetimes.  Half the time at 20 degC/50 %RH, half at 30 degC/50 %RH:
    pi_a, pi_b = preservation_index(20, 50), preservation_index(30, 50)
    samples = [(0.0, 20.0, 50.0), (10 * DAY, 30.0, 50.0), (20 * DAY, 30.0, 50.0)]
    expected = 2.0 / (1.0 / pi_a + 1.0 / pi_b)
    assert time_weighted_preservation_index(samples) == pytest.approx(expected, rel=1e-12)
    assert time_weighted_preservation_index(samples) < (pi_a + pi_b) / 2  # not arithmetic


def test_twpi_weights_each_sample_by_time_to_next_and_last_by_zero():
    # 1 day at 20/50, then 3 days at 10/50; the final (30 degC) sample has weight 0.
    samples = [(0.0, 20.0, 50.0), (DAY, 10.0, 50.0), (4 * DAY, 30.0, 50.0)]
    rate = 1 / preservation_index(20, 50) + 3 / preservation_index(10, 50)
    assert time_weighted_preservation_index(samples) == pytest.approx(4 / rate, rel=1e-12)


@pytest.mark.parametrize(
    ("twpi", "verdict"),
    [(200.0, "good"), (75.0, "good"), (74.99, "ok"), (45.0, "ok"), (44.99, "risk"), (3, "risk")],
)
def test_twpi_verdict_uses_ipi_bands(twpi, verdict):
    # IPI (Nishimura 2011, Understanding Preservation Metrics; dpcalc.org "natural
    # aging"): good >= 75, ok 45-75, risk < 45 years.
    assert twpi_verdict(twpi) == verdict


def test_twpi_rejects_out_of_order_samples():
    with pytest.raises(ValueError):
        time_weighted_preservation_index([(10.0, 20.0, 50.0), (5.0, 20.0, 50.0)])


# ---------------------------------------------------------------------------- mould (VTT)


def test_vtt_critical_rh():
    # Hukka & Viitanen (1999): RH_crit = -0.00267T^3 + 0.160T^2 - 3.13T + 100 for
    # T <= 20 degC, 80 % above; at 0 degC 100 %, at 20 degC ~80 %.
    assert critical_rh(0.0) == pytest.approx(100.0)
    assert critical_rh(20.0) == pytest.approx(80.04, abs=0.005)
    assert critical_rh(10.0) == pytest.approx(-2.67 + 16.0 - 31.3 + 100.0)
    assert critical_rh(25.0) == 80.0


def test_vtt_days_to_germination_hand_evaluated():
    # Hukka & Viitanen (1999) eq. for t_m (weeks) at 20 degC/97 %RH, pine (W=0), resawn
    # (SQ=0): exp(-0.68 ln 20 - 13.9 ln 97 + 66.02) = 1.4846 weeks = 10.39 days; at this
    # RH M_max ~ 5.4, so k2 ~ 1 and the time to M = 1 is within 0.1 day of 7 t_m.
    t_m_days = 7 * math.exp(-0.68 * math.log(20) - 13.9 * math.log(97) + 66.02)
    assert t_m_days == pytest.approx(10.39, abs=0.01)
    assert days_to_germination(20.0, 97.0) == pytest.approx(t_m_days, abs=0.1)


@pytest.mark.parametrize(("t", "rh"), [(20.0, 79.0), (25.0, 79.9), (0.0, 100.0), (50.0, 95.0)])
def test_vtt_no_growth_outside_published_limits(t, rh):
    # Below RH_crit, or T outside 0..50 degC: no growth (Hukka & Viitanen 1999).
    assert days_to_germination(t, rh) is None
    samples = [(i * HOUR, t, rh) for i in range(24 * 60)]
    assert mold_risk(samples) == 0.0


def test_vtt_decline_rates():
    # Hukka & Viitanen (1999) decline: -0.032/day for the first 6 h of unfavourable
    # conditions, 0 for 6-24 h, -0.016/day afterwards.
    acc = MoldRiskAccumulator()
    acc.add(0.0, 20.0, 97.0)
    acc.add(30 * DAY, 20.0, 40.0)  # 30 days wet: well past M = 1
    m0 = acc.risk
    assert m0 > 1.0
    acc.add(30 * DAY + 6 * HOUR, 20.0, 40.0)
    assert m0 - acc.risk == pytest.approx(0.032 * 6 / 24, abs=1e-12)
    acc.add(30 * DAY + 24 * HOUR, 20.0, 40.0)
    assert m0 - acc.risk == pytest.approx(0.032 * 6 / 24, abs=1e-12)
    acc.add(30 * DAY + 48 * HOUR, 20.0, 40.0)
    assert m0 - acc.risk == pytest.approx(0.032 * 6 / 24 + 0.016 * 24 / 24, abs=1e-12)


def test_vtt_constant_conditions_reach_one_at_days_to_germination():
    d = days_to_germination(25.0, 90.0)
    assert d is not None
    assert mold_risk([(0.0, 25.0, 90.0), (d * DAY, 25.0, 90.0)]) == pytest.approx(1.0, abs=1e-9)


# ------------------------------------------------------------------------------- wood EMC

# USDA Wood Handbook (FPL-GTR-190, 2010), Table 4-2, row 21.1 degC (70 degF); the table
# gives one decimal, so +-0.05 (plus float slack).
WOOD_HANDBOOK_70F = [(10, 2.5), (20, 4.5), (30, 6.2), (40, 7.7), (50, 9.2), (65, 12.0), (80, 16.0)]


@pytest.mark.parametrize(("rh", "emc"), WOOD_HANDBOOK_70F)
def test_wood_emc_matches_wood_handbook_table(rh, emc):
    assert wood_emc(21.1, rh) == pytest.approx(emc, abs=0.051)


def test_wood_emc_zero_rh_is_zero():
    assert wood_emc(20.0, 0.0) == 0.0


# ------------------------------------------------------------------------------ corrosion


@pytest.mark.parametrize(
    ("metal", "rh", "risk"),
    [
        # Scott (1990), JAIC 29(2): unstable bronzes < 39 %; CuCl critical RH > 46 %.
        ("bronze", 38.9, "low"),
        ("bronze", 39.0, "moderate"),
        ("bronze", 46.0, "moderate"),
        ("bronze", 46.1, "high"),
        ("copper", 50.0, "high"),
        # Watkinson & Lewis (2005): <= 12 % for chloride-contaminated iron; corrosion
        # appreciable from 25 %; WA Museum: below 35 % for most iron.
        ("iron", 11.0, "low"),
        ("iron", 25.0, "moderate"),
        ("iron", 35.0, "high"),
        # General metals: DESIGN/JGJ 66 preset 0-40 %RH; rapid corrosion above ~60 %.
        ("general", 39.0, "low"),
        ("general", 50.0, "moderate"),
        ("general", 61.0, "high"),
    ],
)
def test_corrosion_risk_bands(metal, rh, risk):
    assert corrosion_risk(rh, metal) == risk


def test_corrosion_unknown_metal_rejected():
    with pytest.raises(ValueError):
        corrosion_risk(30.0, "unobtainium")


# ---------------------------------------------------------------------------------- light


def test_gbt23863_budgets():
    # GB/T 23863-2009 (as recorded in DESIGN.md): extremely sensitive <= 50 lx and
    # <= 50,000 lx*h/year; sensitive <= 150 lx and <= 360,000 lx*h/year.
    assert EXTREMELY_SENSITIVE_ANNUAL_BUDGET_LXH == 50_000
    assert SENSITIVE_ANNUAL_BUDGET_LXH == 360_000
    assert EXTREMELY_SENSITIVE_MAX_LUX == 50
    assert SENSITIVE_MAX_LUX == 150


def test_budget_exhausted_by_its_own_illuminance_over_1000_hours():
    # 50 lx for 1000 h = 50,000 lx*h, exactly the extremely-sensitive budget.
    samples = [(i * 60.0, 50.0) for i in range(1000 * 60 + 1)]
    dose = light_dose(samples, max_gap_s=60.0)
    assert dose == pytest.approx(50_000.0)
    assert dose_fraction(dose, EXTREMELY_SENSITIVE_ANNUAL_BUDGET_LXH) == pytest.approx(1.0)


def test_light_dose_trapezoid_and_gaps():
    # Ramp 0 -> 100 lx over 1 h = 50 lx*h (trapezoid is exact for linear ramps).
    assert light_dose([(0.0, 0.0), (HOUR, 100.0)]) == pytest.approx(50.0)
    # A 3 h interval exceeds the default 2 h max gap and is not integrated.
    assert light_dose([(0.0, 100.0), (HOUR, 100.0), (4 * HOUR, 100.0)]) == pytest.approx(100.0)
    assert light_dose([(0.0, 100.0), (2 * HOUR, 100.0)]) == pytest.approx(200.0)
    assert light_dose([(0.0, 100.0), (2 * HOUR, 100.0)], max_gap_s=HOUR) == 0.0
    assert light_dose([(0.0, 100.0), (3 * HOUR, 100.0)], max_gap_s=None) == pytest.approx(300.0)


# ------------------------------------------------------------------------------ stability


def test_percent_time_in_range_is_time_weighted():
    # 3 h at 50 (in range), 1 h at 70 (out); the final sample closes the record.
    samples = [(0.0, 50.0), (3 * HOUR, 70.0), (4 * HOUR, 50.0)]
    assert percent_time_in_range(samples, 40.0, 60.0) == pytest.approx(75.0)


def test_daily_swings_follow_local_midnight():
    # 2024-01-01T15:00Z and 17:00Z are 23:00 on 1 Jan and 01:00 on 2 Jan in Shanghai.
    t0 = 1704121200.0  # 2024-01-01T15:00:00Z
    samples = [(t0 - HOUR, 50.0), (t0, 58.0), (t0 + 2 * HOUR, 40.0), (t0 + 3 * HOUR, 45.0)]
    swings = daily_swings(samples, ZoneInfo("Asia/Shanghai"))
    assert swings == {date(2024, 1, 1): 8.0, date(2024, 1, 2): 5.0}
    assert daily_swings(samples, "UTC") == {date(2024, 1, 1): 18.0}
    assert percent_days_within_swing(samples, 5.0, "Asia/Shanghai") == pytest.approx(50.0)
