"""Property-based checks (hypothesis) of cangjing.conservation."""

from __future__ import annotations

import math
import os

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cangjing.conservation import (
    CORROSION_RH_THRESHOLDS,
    MoldRiskAccumulator,
    corrosion_risk,
    days_to_germination,
    dew_point,
    light_dose,
    mold_risk,
    percent_days_within_swing,
    percent_time_in_range,
    preservation_index,
    relative_humidity_from_dew_point,
    time_weighted_preservation_index,
    wood_emc,
)

# Per-test settings (not a global profile: other suites share the pytest session).
PROPS = settings(deadline=None, max_examples=int(os.environ.get("CONSERVATION_EXAMPLES", "150")))

temps = st.floats(min_value=-40.0, max_value=50.0, allow_nan=False)
rhs = st.floats(min_value=1.0, max_value=100.0, allow_nan=False)
pi_temps = st.floats(min_value=-20.0, max_value=60.0, allow_nan=False)
pi_rhs = st.floats(min_value=0.0, max_value=100.0, allow_nan=False)
# strictly increasing timestamps: start + cumulative positive steps
steps = st.lists(st.floats(min_value=1.0, max_value=7200.0), min_size=1, max_size=40)


def _times(start: float, deltas: list[float]) -> list[float]:
    out = [start]
    for d in deltas:
        out.append(out[-1] + d)
    return out


# ---------------------------------------------------------------------------- dew point


@PROPS
@given(temps, rhs)
def test_dew_point_not_above_air_temperature(t, rh):
    assert dew_point(t, rh) <= t + 1e-9


@PROPS
@given(temps, rhs, rhs)
def test_dew_point_increases_with_rh(t, rh1, rh2):
    assume(rh2 - rh1 > 1e-6)
    assert dew_point(t, rh1) < dew_point(t, rh2)


@PROPS
@given(temps, rhs)
def test_dew_point_round_trip(t, rh):
    assert relative_humidity_from_dew_point(t, dew_point(t, rh)) == pytest.approx(rh, rel=1e-9)


# --------------------------------------------------------------------------- PI / TWPI


@PROPS
@given(pi_temps, pi_temps, pi_rhs)
def test_pi_decreases_with_temperature(t1, t2, rh):
    assume(t2 - t1 > 1e-6)
    assert preservation_index(t2, rh) < preservation_index(t1, rh)


@PROPS
@given(pi_temps, pi_rhs, pi_rhs)
def test_pi_decreases_with_rh(t, rh1, rh2):
    assume(rh2 - rh1 > 1e-6)
    assert preservation_index(t, rh2) < preservation_index(t, rh1)


@PROPS
@given(pi_temps, pi_rhs, st.floats(min_value=0, max_value=2e9), steps)
def test_twpi_of_constant_conditions_is_pi(t, rh, start, deltas):
    samples = [(ts, t, rh) for ts in _times(start, deltas)]
    assert time_weighted_preservation_index(samples) == pytest.approx(
        preservation_index(t, rh), rel=1e-9
    )


@PROPS
@given(st.lists(st.tuples(pi_temps, pi_rhs), min_size=2, max_size=30), st.data())
def test_twpi_between_extreme_pis(conditions, data):
    deltas = data.draw(
        st.lists(st.floats(1.0, 1e5), min_size=len(conditions) - 1, max_size=len(conditions) - 1)
    )
    times = _times(0.0, deltas)
    samples = [(ts, t, rh) for ts, (t, rh) in zip(times, conditions, strict=True)]
    weighted = [preservation_index(t, rh) for t, rh in conditions[:-1]]
    twpi = time_weighted_preservation_index(samples)
    assert min(weighted) * (1 - 1e-9) <= twpi <= max(weighted) * (1 + 1e-9)


# ---------------------------------------------------------------------------------- light


@PROPS
@given(
    st.floats(min_value=0.0, max_value=1e5, allow_nan=False),
    st.integers(1, 120),
    st.floats(min_value=0, max_value=2e9),
)
def test_dose_of_constant_lux_for_one_hour_is_lux(lux, n, start):
    samples = [(start + 3600.0 * i / n, lux) for i in range(n + 1)]
    assert light_dose(samples) == pytest.approx(lux, rel=1e-9, abs=1e-9)


@PROPS
@given(st.lists(st.floats(min_value=0.0, max_value=2000.0), min_size=2, max_size=50), steps)
def test_dose_non_negative_and_gaps_only_remove(luxes, deltas):
    n = min(len(luxes), len(deltas) + 1)
    samples = list(zip(_times(0.0, deltas[: n - 1]), luxes[:n], strict=True))
    full = light_dose(samples, max_gap_s=None)
    gapped = light_dose(samples, max_gap_s=600.0)
    assert 0.0 <= gapped <= full + 1e-9


# ------------------------------------------------------------------------------ wood EMC


@PROPS
@given(st.floats(min_value=-1.0, max_value=60.0), pi_rhs, pi_rhs)
def test_emc_increases_with_rh(t, rh1, rh2):
    assume(rh2 - rh1 > 1e-6)
    assert wood_emc(t, rh1) < wood_emc(t, rh2)


# --------------------------------------------------------------------------------- mould


@PROPS
@given(
    st.floats(min_value=0.5, max_value=49.5),
    st.floats(min_value=80.0, max_value=100.0),
    st.integers(min_value=1, max_value=200),
)
def test_mould_reaches_one_at_days_to_germination_for_any_sampling(t, rh, n):
    d = days_to_germination(t, rh)
    assume(d is not None and d < 3650)
    span = d * 86400.0
    samples = [(span * i / n, t, rh) for i in range(n + 1)]
    assert mold_risk(samples) == pytest.approx(1.0, abs=1e-6)


@PROPS
@given(st.floats(min_value=0.5, max_value=49.5), st.floats(80.0, 100.0), st.floats(80.0, 100.0))
def test_days_to_germination_shorter_when_damper(t, rh1, rh2):
    assume(rh2 - rh1 > 1e-3)
    d1, d2 = days_to_germination(t, rh1), days_to_germination(t, rh2)
    assume(d1 is not None)
    assert d2 is not None and d2 < d1


@PROPS
@given(st.lists(st.tuples(st.floats(-10.0, 45.0), pi_rhs), min_size=1, max_size=60), steps)
def test_mould_index_stays_within_model_bounds(conditions, deltas):
    acc = MoldRiskAccumulator()
    times = _times(0.0, [d * 50 for d in deltas])
    for ts, (t, rh) in zip(times, conditions, strict=False):
        acc.add(ts, t, rh)
        assert 0.0 <= acc.risk <= 6.0


@PROPS
@given(st.floats(-10.0, 45.0), st.floats(0.0, 79.0), steps)
def test_no_mould_growth_below_80_percent(t, rh, deltas):
    samples = [(ts * 100, t, rh) for ts in _times(0.0, deltas)]
    assert mold_risk(samples) == 0.0


# ---------------------------------------------------------------------------- corrosion

_RANK = {"low": 0, "moderate": 1, "high": 2}


@PROPS
@given(st.sampled_from(sorted(CORROSION_RH_THRESHOLDS)), pi_rhs, pi_rhs)
def test_corrosion_risk_monotone_in_rh(metal, rh1, rh2):
    assume(rh1 <= rh2)
    assert _RANK[corrosion_risk(rh1, metal)] <= _RANK[corrosion_risk(rh2, metal)]


# ---------------------------------------------------------------------------- stability


@PROPS
@given(
    st.lists(st.floats(0.0, 100.0), min_size=1, max_size=50),
    steps,
    st.floats(0.0, 100.0),
    st.floats(0.0, 100.0),
)
def test_percent_time_in_range_bounds(values, deltas, a, b):
    lo, hi = min(a, b), max(a, b)
    n = min(len(values), len(deltas) + 1)
    samples = list(zip(_times(0.0, deltas[: n - 1]), values[:n], strict=True))
    p = percent_time_in_range(samples, lo, hi)
    assert 0.0 <= p <= 100.0
    assert percent_time_in_range(samples, min(values[:n]), max(values[:n])) == 100.0


@PROPS
@given(st.lists(st.floats(0.0, 100.0), min_size=1, max_size=80), st.floats(0.0, 50.0))
def test_percent_days_within_swing_bounds(values, limit):
    samples = [(1.7e9 + i * 5400.0, v) for i, v in enumerate(values)]
    p = percent_days_within_swing(samples, limit, "Asia/Shanghai")
    assert 0.0 <= p <= 100.0
    assert percent_days_within_swing(samples, 100.0, "Asia/Shanghai") == 100.0
    assert not math.isnan(p)
