"""The committed dashboards are current, draw exactly the facility's limits, and `build
--check` fails the moment the facility file and the JSON disagree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cangjing.cli import app
from cangjing.config import Facility, load_facility
from cangjing.settings import DEFAULT_FACILITY
from dashboards.build import GENERATED, build_all, stale
from dashboards.common import zone_has_uv
from dashboards.render import queries_of
from dashboards.texts import LANGS

runner = CliRunner()


def steps(panel: dict) -> list[float]:
    return [s["value"] for s in panel["fieldConfig"]["defaults"]["thresholds"]["steps"][1:]]


def test_committed_dashboards_are_current(facility: Facility):
    """What CI runs: the JSON under dashboards/generated matches the facility file."""
    assert stale(facility, GENERATED) == []
    result = runner.invoke(app, ["dashboards", "build", "--check"])
    assert result.exit_code == 0, result.output


def test_check_fails_when_the_facility_file_changes(tmp_path: Path):
    doc = yaml.safe_load(DEFAULT_FACILITY.read_text(encoding="utf-8"))
    doc["zones"][0]["limits"] = {"humidity": {"min": 45, "max": 55}}
    del doc["zones"][-1]
    doc["sensors"] = [s for s in doc["sensors"] if s["zone"] != "S1"]
    changed = tmp_path / "facility.yaml"
    changed.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")

    result = runner.invoke(app, ["dashboards", "build", "--check", "--config", str(changed)])
    assert result.exit_code == 1
    assert "zone-A1.json: differs" in result.output and "zone-S1.json: no longer" in result.output

    out = tmp_path / "out"
    runner.invoke(app, ["dashboards", "build", "--out", str(out)])  # the original facility
    result = runner.invoke(app, ["dashboards", "build", "--config", str(changed),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not (out / "zh" / "zone-S1.json").exists()
    result = runner.invoke(app, ["dashboards", "build", "--check", "--config", str(changed),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    a1 = json.loads((out / "zh" / "zone-A1.json").read_text(encoding="utf-8"))
    humidity = next(p for p in a1["panels"] if '"humidity' in p["targets"][0]["query"])
    assert steps(humidity) == [45, 55]


@pytest.mark.parametrize("lang", LANGS)
def test_every_zone_draws_exactly_its_effective_limits(facility: Facility, lang: str):
    docs = build_all(facility, lang)
    for zone in facility.zones:
        lim = zone.effective_limits()
        panels = docs[f"zone-{zone.id}.json"]["panels"]

        def by_query(fragment: str, kind: str = "timeseries", panels=panels,
                     zone_id=zone.id) -> dict:
            found = [p for p in panels if p["type"] == kind
                     and any(fragment in t["query"] for t in p.get("targets", []))]
            assert len(found) == 1, (zone_id, fragment, len(found))
            return found[0]

        assert steps(by_query('mean("temperature")')) == [lim.temperature.min, lim.temperature.max]
        assert steps(by_query('mean("humidity")')) == [lim.humidity.min, lim.humidity.max]
        assert steps(by_query('max("humidity_max") - min')) == [lim.humidity_swing]
        assert steps(by_query('max("temperature_max") - min')) == [lim.temperature_swing]
        has_lux = any(p["type"] == "bargauge" for p in panels)
        if has_lux:
            assert steps(by_query('max("illuminance")')) == [lim.illuminance_max]
            dose = by_query('sum("illuminance_mean")', "bargauge")
            if lim.light_dose_per_year is None:
                assert steps(dose) == []
            else:
                levels = facility.alerts.light_dose.levels
                assert steps(dose) == [lim.light_dose_per_year * lv.percent / 100
                                       for lv in levels]
        uv_panels = [p for p in panels
                     if any('("uv' in t["query"] for t in p.get("targets", []))]
        if zone_has_uv(facility, zone.id):
            assert steps(by_query('max("uv")')) == [lim.uv_max]
            assert by_query('max("uv_max")')["fieldConfig"]["defaults"]["unit"] == "suffix: µW/lm"
            assert f"{lim.uv_max:g} µW/lm" in uv_panels[0]["title"]
        else:
            assert uv_panels == [], zone.id
        tile = next(p for p in docs["overview.json"]["panels"]
                    if p["title"].startswith(f"{zone.id} "))
        by_ref = {o["matcher"]["options"]: {p["id"]: p["value"] for p in o["properties"]}
                  for o in tile["fieldConfig"]["overrides"]}
        t_steps = [s["value"] for s in by_ref["A"]["thresholds"]["steps"][1:]]
        rh_steps = [s["value"] for s in by_ref["B"]["thresholds"]["steps"][1:]]
        assert t_steps == [lim.temperature.min, lim.temperature.max]
        assert rh_steps == [lim.humidity.min, lim.humidity.max]
        if has_lux:
            assert [s["value"] for s in by_ref["D"]["thresholds"]["steps"][1:]] == [
                lim.illuminance_max]


def test_uv_panels_are_drawn_for_the_zones_with_a_uv_transmitter(facility: Facility):
    """In the Beiqijia facility file: A2 and C1 (Modbus transmitters with profile uv)."""
    for lang in LANGS:
        docs = build_all(facility, lang)
        with_uv = {name for name, d in docs.items()
                   if any('("uv")' in t["query"]
                          for p in d["panels"] for t in p.get("targets", []))}
        assert with_uv == {"zone-A2.json", "zone-C1.json"}, lang


def test_titles_are_chinese_by_default_and_english_on_request(facility: Facility):
    zh, en = build_all(facility, "zh"), build_all(facility, "en")
    assert zh["overview.json"]["title"].startswith("库房总览")
    assert en["overview.json"]["title"].startswith("Facility overview")
    assert zh["zone-A1.json"]["uid"] != en["zone-A1.json"]["uid"]
    for name in zh:
        assert [pq.text for pq in queries_of(zh[name])] == [pq.text for pq in queries_of(en[name])]


def test_generated_files_are_what_build_writes(facility: Facility):
    """Byte-identical rebuilds (deterministic JSON), or --check could never pass."""
    assert build_all(facility, "zh") == build_all(load_facility(DEFAULT_FACILITY), "zh")
    for lang in LANGS:
        names = {p.name for p in (GENERATED / lang).glob("*.json")}
        assert names == set(build_all(facility, lang))
