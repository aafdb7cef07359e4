"""Every shipped scenario against the real pipeline (`cangjing collector` and `cangjing
alerts` processes on the session's Mosquitto and influxd; scenarios that need a gateway
start `cangjing gateway` themselves), in accelerated time; and `cangjing sim --accelerate`
into InfluxDB."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from cangjing.stack import LocalStack, child_env

from .scenarios import SCENARIO_DIR, shipped_scenarios
from .testing import BENCH_FACILITY, ServiceProcesses, wait_for


@pytest.fixture(scope="module")
def pipeline(cangjing_stack: LocalStack, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[ServiceProcesses]:
    procs = ServiceProcesses(cangjing_stack, BENCH_FACILITY, tmp_path_factory.mktemp("pipe"))
    procs.start("collector", "alerts")
    yield procs
    procs.stop()
    client = procs.influx()
    client.query(f'DROP DATABASE "{procs.database}"')
    client.close()


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda p: p.stem)
def test_scenario_outcome_on_the_real_pipeline(path: Path, pipeline: ServiceProcesses,
                                               run_scenario) -> None:
    verdict = run_scenario(path)
    assert verdict.ok, verdict.report() + "\n--- alerts log ---\n" + pipeline.log("alerts")[-3000:]


def _cli(args: list[str], env: dict[str, str], timeout: float = 60
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cangjing.cli", *args], env=child_env(env),
                          capture_output=True, text=True, timeout=timeout)


def test_verify_fails_clearly_when_the_system_does_not_do_what_is_expected(
        pipeline: ServiceProcesses, tmp_path: Path, scenario_clock) -> None:
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(yaml.safe_dump({
        "name": "leak-in-the-wrong-room",
        "include": [str(SCENARIO_DIR / "leak.yaml")],
        "expect": {"alerts": [{"rule": "humidity_range", "zones": ["B1"], "within": "30m",
                               "after": "leak"}]},
    }))
    end = scenario_clock.take().isoformat()
    done = _cli(["sim", "verify", str(wrong), "--config", str(BENCH_FACILITY), "--settle", "2",
                 "--end-before", end], pipeline.env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL  scenario leak-in-the-wrong-room" in done.stdout
    assert "FAIL humidity_range firing in B1 within 30m after the start of leak" in done.stdout
    assert "no humidity_range event for B1 at all" in done.stdout
    assert "ok   humidity_range firing in A1 within 30m" in done.stdout  # the rest still judged


def test_verify_refuses_a_scenario_it_cannot_run(pipeline: ServiceProcesses,
                                                 tmp_path: Path) -> None:
    odd = tmp_path / "odd.yaml"
    odd.write_text(yaml.safe_dump({
        "name": "odd", "start": "2026-07-20T08:00:00+08:00", "duration": "1h", "step": "1m",
        "events": [{"kind": "network_partition", "at": "10m"}],
        "expect": {"gateway": [{"state": "offline", "within": "10s"}]},
    }))
    done = _cli(["sim", "verify", str(odd), "--config", str(BENCH_FACILITY)], pipeline.env)
    assert done.returncode == 2
    assert "network_partition event needs `needs: {partition: true}`" in done.stderr


def test_an_accelerated_month_lands_in_influxdb(pipeline: ServiceProcesses) -> None:
    # January 2025: before every scenario run's window, so it disturbs none of them.
    done = _cli(["sim", "--config", str(BENCH_FACILITY), "--accelerate", "--from", "2025-01-01",
                 "--to", "2025-01-31", "--step", "1h"], pipeline.env, timeout=120)
    assert done.returncode == 0, done.stderr
    steps = 30 * 24 + 1
    sensors = 5
    assert f"published {steps * sensors} messages" in done.stdout
    influx = pipeline.influx()
    where = ("WHERE site = 'bench' AND time >= '2024-12-31T16:00:00Z' "
             "AND time <= '2025-01-30T16:00:00Z'")
    wait_for(lambda: influx.count("environment", "humidity", where) == steps * sensors, 30,
             "the accelerated month in InfluxDB")
    series = influx.query(f'SELECT mean("temperature"), min("humidity"), max("humidity") '
                          f'FROM "environment" {where} AND zone = \'A1\'')
    _, t_mean, rh_min, rh_max = series[0].values[0]
    assert 16 < t_mean < 24 and 50 < rh_min < rh_max < 60  # A1 held its limits all month
    lux = influx.query(f'SELECT count("illuminance") FROM "environment" {where} '
                       "AND zone = 'C2' AND illuminance > 0")
    lit_hours = lux[0].values[0][1] if lux else 0
    assert 0 < lit_hours < 23 * 2  # staff visits on workdays only (≤ 2 a day, < 1 h each)
    influx.close()
