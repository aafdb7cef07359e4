"""The simulated facility's physics: seasons, set points, work hours, faults, determinism."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

import pytest

from cangjing.config import load_facility

from .faults import SensorEffect, SensorFault, Window, ZoneEffect, ZoneFault
from .model import FacilityModel
from .outdoor import OutdoorClimate
from .testing import BENCH_FACILITY

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def bench():
    return load_facility(BENCH_FACILITY)


def month(outdoor: OutdoorClimate, m: int) -> tuple[float, float]:
    air = [outdoor.at(datetime(2026, m, d, h, tzinfo=SHANGHAI)) for d in range(1, 29)
           for h in range(0, 24, 2)]
    return mean(a.temperature for a in air), mean(a.humidity for a in air)


def test_beijing_has_cold_dry_winters_and_hot_humid_summers() -> None:
    outdoor = OutdoorClimate(SHANGHAI, seed=1)
    jan_t, jan_rh = month(outdoor, 1)
    jul_t, jul_rh = month(outdoor, 7)
    assert -8 < jan_t < -1 and 25 < jul_t < 30, (jan_t, jul_t)
    assert 28 < jan_rh < 42 and 68 < jul_rh < 82, (jan_rh, jul_rh)
    afternoon = outdoor.at(datetime(2026, 7, 20, 14, 30, tzinfo=SHANGHAI))
    dawn = outdoor.at(datetime(2026, 7, 20, 5, 0, tzinfo=SHANGHAI))
    assert afternoon.temperature > dawn.temperature + 5
    assert afternoon.humidity < dawn.humidity  # same vapour, warmer air


def test_zones_hold_their_set_points_through_the_year(bench) -> None:
    model = FacilityModel(bench, seed=3)
    a1 = bench.sensor("A1-TH-02")
    limits = bench.zone("A1").effective_limits()
    for m in (1, 4, 7, 10):
        for h in range(0, 24, 3):
            v = model.measure(a1, datetime(2026, m, 15, h, tzinfo=SHANGHAI))
            assert limits.temperature.min < v["temperature"] < limits.temperature.max
            assert limits.humidity.min < v["humidity"] < limits.humidity.max


def test_lights_only_during_visits_on_workdays_in_local_time(bench) -> None:
    model = FacilityModel(bench, seed=1)
    c2 = bench.sensor("C2-TH-02")
    week = [datetime(2026, 3, 9, tzinfo=SHANGHAI) + timedelta(minutes=5 * i)
            for i in range(7 * 24 * 12)]
    lit = [t for t in week if model.measure(c2, t)["illuminance"] > 0]
    assert lit, "nobody visited C2 all week"
    for t in lit:
        assert t.weekday() < 5 and 9 <= t.hour < 17, t
    max_lux = bench.zone("C2").effective_limits().illuminance_max
    assert max(model.measure(c2, t)["illuminance"] for t in lit) < max_lux


def test_same_seed_same_readings_in_any_order(bench) -> None:
    times = [datetime(2026, 7, 20, tzinfo=UTC) + timedelta(minutes=7 * i) for i in range(50)]
    sensor = bench.sensor("A1-TH-03")
    a = [FacilityModel(bench, seed=5).measure(sensor, t) for t in times]
    other = FacilityModel(bench, seed=5)
    b = [other.measure(sensor, t) for t in reversed(times)][::-1]
    assert a == b
    c = [FacilityModel(bench, seed=6).measure(sensor, t) for t in times]
    assert a != c


def test_each_sensor_has_its_own_bias(bench) -> None:
    model = FacilityModel(bench, seed=1)
    t = datetime(2026, 7, 20, 3, tzinfo=SHANGHAI)
    a, b = (model.measure(bench.sensor(s), t) for s in ("A1-TH-02", "A1-TH-03"))
    assert a["humidity"] != b["humidity"] and abs(a["humidity"] - b["humidity"]) < 3


def test_faults_move_the_air_and_the_sensors(bench) -> None:
    t0 = datetime(2026, 7, 20, 8, tzinfo=SHANGHAI)
    model = FacilityModel(bench, seed=1)
    a1 = bench.sensor("A1-TH-02")
    before = model.measure(a1, t0 + timedelta(hours=2))
    model.add_fault(ZoneFault(ZoneEffect.leak, "A1", Window(t0, t0 + timedelta(hours=3)), 90))
    model.add_fault(SensorFault(SensorEffect.stuck, "A1-TH-03", Window(t0)))
    during = model.measure(a1, t0 + timedelta(hours=2))
    assert before["humidity"] < 60 < 85 < during["humidity"]
    stuck = {model.measure(bench.sensor("A1-TH-03"), t0 + timedelta(minutes=m))["humidity"]
             for m in range(0, 180, 10)}
    assert len(stuck) == 1
