"""The continuous preservation metrics against a real influxd: ten simulated days at
10-minute readings with known properties, recomputed through the CLI and after late data,
and the APScheduler jobs running for real. Expected values come from the metric
functions of cangjing.conservation applied to the conditions the test wrote, or from
closed forms (the lit schedule)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from cangjing.cli import app
from cangjing.config import Facility
from cangjing.conservation import (
    dew_point,
    mold_risk,
    preservation_index,
    time_weighted_preservation_index,
    wood_emc,
)
from cangjing.conservation.continuous import (
    DAILY_JOB,
    HOURLY_JOB,
    recompute,
    run_daily,
    start_preservation_scheduler,
)
from cangjing.influx import InfluxClient
from cangjing.lineprotocol import encode
from cangjing.stack import LocalStack
from firmware_sim.pytest_plugin import fresh_influx
from firmware_sim.testing import wait_for

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 1, tzinfo=TZ)
DAYS = 10
STEP = 600
LUX = 30.0  # A1 lit 09:00-16:59 local every day
DAILY_DOSE = LUX * 8  # lx·h


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """Day 1 = 2026-01-01 (site time)."""
    return datetime(2026, 1, day, hour, minute, tzinfo=TZ)


def point(sensor: str, zone: str, when: datetime, **fields: float) -> str:
    tags = {"site": "beiqijia", "zone": zone, "sensor": sensor}
    return encode("environment", tags, fields, int(when.timestamp()) * 1_000_000_000)


def ten_days() -> list[str]:
    lines = []
    for i in range(DAYS * 86400 // STEP):
        t = START + timedelta(seconds=i * STEP)
        lt = t.astimezone(TZ)
        lines.append(point("C1-TH-01", "C1", t, temperature=18.0, humidity=50.0))
        excursion = lt.day == 3 and lt.hour in (10, 11)
        lines.append(point("A1-TH-01", "A1", t, temperature=20.0,
                           humidity=65.0 if excursion else 55.0))
        lines.append(point("A1-LX-01", "A1", t, illuminance=LUX if 9 <= lt.hour < 17 else 0.0))
        lines.append(point("E1-TH-01", "E1", t, temperature=25.0, humidity=90.0))
    return lines


@pytest.fixture(scope="module")
def days_db(cangjing_stack: LocalStack) -> Iterator[InfluxClient]:
    client = fresh_influx(cangjing_stack.influxd.url)
    client.write_lines(ten_days(), batch=10_000)
    yield client
    client.query(f'DROP DATABASE "{client.database}"')
    client.close()


def points(influx: InfluxClient, zone: str, period: str) -> dict[datetime, dict]:
    q = (f"SELECT * FROM \"preservation\" WHERE \"zone\" = '{zone}' "
         f"AND \"period\" = '{period}'")
    return {datetime.fromtimestamp(r["time"], TZ): r
            for s in influx.query(q, epoch="s") for r in s.records()}


@pytest.fixture(scope="module")
def recomputed(days_db: InfluxClient, cangjing_stack: LocalStack) -> InfluxClient:
    env = {"CANGJING_INFLUX_URL": cangjing_stack.influxd.url,
           "CANGJING_INFLUX_DB": days_db.database}
    result = CliRunner().invoke(app, ["preservation", "recompute", "--from", "2026-01-01",
                                      "--to", "2026-01-10", "--zone", "A1", "--zone", "C1",
                                      "--zone", "E1"], env=env)
    assert result.exit_code == 0, result.output
    # 10 days x 24 hours + 10 days, for each of the three zones
    assert f"{3 * (240 + 10)} preservation point(s)" in result.output
    return days_db


def test_constant_zone_gives_the_closed_form_metrics(recomputed: InfluxClient):
    hourly = points(recomputed, "C1", "1h")
    daily = points(recomputed, "C1", "1d")
    assert len(hourly) == 240 and len(daily) == 10
    assert sorted(daily)[0] == local(1, 0)  # days are site-local calendar days
    pi = preservation_index(18.0, 50.0)
    for row in [*hourly.values(), *daily.values()]:
        assert row["pi"] == pytest.approx(pi, rel=1e-9)
        assert row["twpi"] == pytest.approx(pi, rel=1e-9)
        assert row["pct_time_in_range"] == pytest.approx(100.0)
        assert row["humidity_swing"] == 0 and row["temperature_swing"] == 0
        assert row["dew_point"] == pytest.approx(dew_point(18.0, 50.0), abs=1e-9)
        assert row["emc"] == pytest.approx(wood_emc(18.0, 50.0), abs=1e-9)
        assert row["corrosion_risk_level"] == 1  # 40-60 %RH: moderate for metals in general
        assert row["mold_risk"] == 0
        assert row["light_dose"] == 0 and row["light_dose_fraction"] == 0


def test_excursion_swing_and_light_dose(recomputed: InfluxClient):
    hourly = points(recomputed, "A1", "1h")
    daily = points(recomputed, "A1", "1d")
    # Two of the 24 hours of 3 January at 65 %RH (limit 50-60)
    assert daily[local(3, 0)]["pct_time_in_range"] == pytest.approx(100 * 22 / 24)
    assert daily[local(3, 0)]["humidity_swing"] == pytest.approx(10.0)
    assert daily[local(2, 0)]["pct_time_in_range"] == pytest.approx(100.0)
    assert hourly[local(3, 10)]["pct_time_in_range"] == 0
    assert hourly[local(3, 10)]["pi"] == pytest.approx(preservation_index(20.0, 65.0))
    assert daily[local(3, 0)]["twpi"] == pytest.approx(time_weighted_preservation_index(
        [(0, 20.0, 55.0), (10 * 3600, 20.0, 65.0), (12 * 3600, 20.0, 55.0),
         (24 * 3600, 20.0, 55.0)]))
    # Light dose year to date (budget of paper: 50,000 lx·h)
    for day in range(1, DAYS + 1):
        assert daily[local(day, 0)]["light_dose"] == pytest.approx(day * DAILY_DOSE)
    noon = hourly[local(5, 12)]  # 4 full days + 09:00..12:59 on the 5th
    assert noon["light_dose"] == pytest.approx(4 * DAILY_DOSE + 4 * LUX)
    assert noon["light_dose_fraction"] == pytest.approx((4 * DAILY_DOSE + 4 * LUX) / 50_000)


def test_mould_index_follows_the_vtt_model_under_humid_conditions(recomputed: InfluxClient):
    daily = points(recomputed, "E1", "1d")
    hourly = points(recomputed, "E1", "1h")
    t0 = START.timestamp()
    for day in (1, 5, 10):
        expected = mold_risk([(t0, 25.0, 90.0), (t0 + day * 86400, 25.0, 90.0)])
        assert daily[local(day, 0)]["mold_risk"] == pytest.approx(expected, rel=1e-6)
    expected = mold_risk([(t0, 25.0, 90.0), (t0 + 7 * 3600, 25.0, 90.0)])
    assert hourly[local(1, 6)]["mold_risk"] == pytest.approx(expected, rel=1e-6)
    assert daily[local(10, 0)]["mold_risk"] > daily[local(5, 0)]["mold_risk"] > 0
    assert daily[local(1, 0)]["corrosion_risk_level"] == 2  # 90 %RH


def test_recompute_after_late_data(recomputed: InfluxClient, facility: Facility):
    before = points(recomputed, "C1", "1h")[local(4, 14)]
    late = [point("C1-TH-02", "C1", local(4, 14, m), temperature=18.0, humidity=70.0)
            for m in range(0, 60, 10)]
    recomputed.write("\n".join(late), precision="ns")
    n = recompute(facility, recomputed, local(4, 0).astimezone(UTC),
                  local(5, 0).astimezone(UTC), zones=["C1"])
    assert n == 24 + 1
    after = points(recomputed, "C1", "1h")[local(4, 14)]
    assert before["pi"] == pytest.approx(preservation_index(18.0, 50.0))
    assert after["pi"] == pytest.approx(preservation_index(18.0, 60.0))  # mean of 50 and 70
    day = points(recomputed, "C1", "1d")[local(4, 0)]
    assert day["twpi"] == pytest.approx(time_weighted_preservation_index(
        [(0, 18.0, 50.0), (14 * 3600, 18.0, 60.0), (15 * 3600, 18.0, 50.0),
         (24 * 3600, 18.0, 50.0)]))
    assert day["humidity_swing"] == pytest.approx(10.0)
    assert points(recomputed, "C1", "1d")[local(5, 0)]["humidity_swing"] == 0


def test_scheduler_runs_the_hourly_job(influx: InfluxClient, facility: Facility):
    now = datetime.now(UTC)
    top = now.replace(minute=0, second=0, microsecond=0)
    # the last five hours and the next one, in case the hour turns while the test runs
    lines = [point("C1-TH-01", "C1", top + timedelta(minutes=10 * i),
                   temperature=18.0, humidity=50.0) for i in range(-6 * 5, 6)]
    influx.write("\n".join(lines), precision="ns")
    scheduler = start_preservation_scheduler(facility, influx)
    try:
        hourly, daily = scheduler.get_job(HOURLY_JOB), scheduler.get_job(DAILY_JOB)
        # at :05 past every hour (UTC), and at 00:05 site time for the day before
        nxt = hourly.next_run_time.astimezone(UTC)
        assert (nxt.minute, nxt.second) == (5, 0) and nxt - now <= timedelta(hours=1)
        nd = daily.next_run_time.astimezone(TZ)
        assert (nd.hour, nd.minute) == (0, 5) and nd - now <= timedelta(days=1)
        hourly.modify(next_run_time=datetime.now(UTC))
        rows = wait_for(lambda: len(points(influx, "C1", "1h")) >= 3 and
                        points(influx, "C1", "1h"), timeout=20, what="hourly points")
    finally:
        scheduler.shutdown()
    # late_data: 3h -> the three complete hours before the run
    last = max(rows)
    assert last in (top - timedelta(hours=1), top)
    assert sorted(rows) == [last - timedelta(hours=h) for h in (2, 1, 0)]
    assert all(r["pi"] == pytest.approx(preservation_index(18.0, 50.0)) for r in rows.values())


def test_daily_job_computes_the_previous_local_day(recomputed: InfluxClient,
                                                   facility: Facility):
    jan5, jan6 = local(5, 0), local(6, 0)
    recomputed.query(f"DELETE FROM \"preservation\" WHERE \"period\" = '1d' AND "
                     f"time >= {int(jan5.timestamp())}s AND time < {int(jan6.timestamp()) + 1}s")
    assert jan5 not in points(recomputed, "C1", "1d")
    assert run_daily(facility, recomputed, now=local(6, 0, 5)) == 3  # A1, C1, E1
    daily = points(recomputed, "A1", "1d")
    assert jan6 not in daily  # not over yet at 00:05 on the 6th
    assert daily[jan5]["light_dose"] == pytest.approx(5 * DAILY_DOSE)
    assert points(recomputed, "C1", "1d")[jan5]["pi"] == pytest.approx(
        preservation_index(18.0, 50.0))
