"""Scenario files: every shipped one is valid for the bench and for Beiqijia; a broken one
is refused with every problem and its path; `include` composes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cangjing.config import load_facility
from cangjing.settings import DEFAULT_FACILITY

from .scenarios import ScenarioError, load_scenario, load_scenarios, shipped_scenarios
from .testing import BENCH_FACILITY

KINDS_ASKED_FOR = {"air_handler_failure", "dehumidifier_failure", "door_open", "lights_on",
                   "power_cut", "leak", "sensor_drift", "stuck_sensor", "dying_battery",
                   "noisy_bus", "network_partition"}


def test_every_incident_of_the_issue_has_a_scenario() -> None:
    kinds = {e.kind for p in shipped_scenarios() for e in load_scenario(p).events}
    assert kinds >= KINDS_ASKED_FOR, KINDS_ASKED_FOR - kinds


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda p: p.stem)
@pytest.mark.parametrize("facility_file", [BENCH_FACILITY, DEFAULT_FACILITY],
                         ids=["bench", "beiqijia"])
def test_shipped_scenario_is_valid(path: Path, facility_file: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.problems(load_facility(facility_file)) == []
    assert scenario.expect.alerts or scenario.expect.readings or scenario.expect.gateway, (
        "a scenario must expect something")


def test_a_broken_scenario_is_refused_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump({
        "name": "broken", "start": "2026-07-20T08:00:00+08:00", "duration": "soon",
        "events": [{"kind": "leek", "zones": ["A1"]},
                   {"kind": "leak", "zones": ["A1"], "rh": 120}],
        "expect": {"alerts": [{"rule": "humidity_range", "zones": ["A1"]}]},
    }))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = "\n".join(err.value.errors)
    assert "duration: 'soon' is not a duration" in text
    assert "events[0]: Input tag 'leek'" in text
    assert "events[1].leak.rh" in text
    assert "expect.alerts[0].within: Field required" in text


def test_problems_against_the_facility_name_the_missing_zone(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.yaml"
    path.write_text(yaml.safe_dump({
        "name": "elsewhere", "start": "2026-07-20T08:00:00+08:00", "duration": "1h",
        "step": "1m", "events": [{"kind": "leak", "zones": ["Z9"]}],
        "expect": {"alerts": [{"rule": "humidity_range", "zones": ["Z9"], "within": "1h",
                               "after": "flood"}]},
    }))
    problems = load_scenario(path).problems(load_facility(BENCH_FACILITY))
    assert "events[0].zones: no zone 'Z9' in bench" in problems
    assert any("'flood' is not an event" in p for p in problems)


def test_include_and_the_command_line_compose_one_timeline() -> None:
    stuck = load_scenario("stuck-sensor")
    assert stuck.name == "stuck-sensor"
    assert [e.label for e in stuck.events] == ["leak", "stuck_sensor"]
    assert stuck.start is not None and stuck.duration is not None  # from leak.yaml
    both = load_scenarios(["leak", "lights-left-on"])
    assert both.name == "leak + lights-left-on"
    assert {e.label for e in both.events} == {"leak", "lights_on"}
    assert len(both.expect.alerts) == (len(load_scenario("leak").expect.alerts)
                                       + len(load_scenario("lights-left-on").expect.alerts))
