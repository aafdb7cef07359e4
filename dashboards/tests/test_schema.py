"""The dashboard JSON against Grafana's dashboard model, written down as a JSON schema in
dashboards/schema/dashboard.schema.json (sources cited there)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from dashboards.build import GENERATED
from dashboards.grafana import GRID_WIDTH

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "schema" / "dashboard.schema.json")
                    .read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
FILES = sorted(GENERATED.glob("*/*.json"))


def errors(doc: dict) -> list[str]:
    out = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
           for e in VALIDATOR.iter_errors(doc)]
    ids = [p["id"] for p in doc.get("panels", [])]
    if len(ids) != len(set(ids)):
        out.append("panel ids are not unique")
    for p in doc.get("panels", []):
        g = p.get("gridPos", {})
        if g.get("x", 0) + g.get("w", 0) > GRID_WIDTH:
            out.append(f"panel {p.get('id')} runs past the {GRID_WIDTH}-column grid")
        for thr in _thresholds(p):
            values = [s["value"] for s in thr["steps"][1:]]
            if None in values or values != sorted(values):
                out.append(f"panel {p.get('id')}: threshold steps not ascending")
    return out


def _thresholds(panel: dict) -> list[dict]:
    """The panel's thresholds, and those its overrides set (free-form values in the schema)."""
    fc = panel.get("fieldConfig", {})
    found = [fc["defaults"]["thresholds"]] if "thresholds" in fc.get("defaults", {}) else []
    found += [prop["value"] for o in fc.get("overrides", []) for prop in o["properties"]
              if prop["id"] == "thresholds"]
    return found


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_every_generated_dashboard_matches_the_schema():
    assert len(FILES) >= 2 * 12
    problems = {f.name: errors(json.loads(f.read_text(encoding="utf-8"))) for f in FILES}
    assert {k: v for k, v in problems.items() if v} == {}


def _overview() -> dict:
    return json.loads((GENERATED / "zh" / "overview.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("breakage", [
    lambda d: d.pop("uid"),
    lambda d: d["panels"][0]["gridPos"].update(x=20, w=8),
    lambda d: d["panels"][0]["gridPos"].update(w=30),
    lambda d: d["panels"][0]["fieldConfig"]["overrides"][0]["properties"][1]["value"]["steps"]
    .reverse(),
    lambda d: d["panels"][0]["fieldConfig"]["defaults"].update(thresholds={
        "mode": "absolute", "steps": [{"color": "red", "value": 16}, {"color": "green",
                                                                       "value": 17}]}),
    lambda d: d["panels"][0]["targets"][0].update(rawQuery=False),
    lambda d: d["panels"][0].update(type="graph-typo"),
    lambda d: d["panels"][1].update(id=d["panels"][0]["id"]),
    lambda d: d["templating"]["list"][0].update(refresh=5),
    lambda d: d["annotations"]["list"][0].update(query='SELECT "message" FROM "alert"'),
    lambda d: d.update(tilte="typo"),
], ids=["no-uid", "off-grid", "too-wide", "override-steps", "first-step-not-null", "not-raw",
        "panel-type", "duplicate-id", "refresh", "annotation-without-timefilter", "unknown-key"])
def test_the_schema_check_catches_broken_dashboards(breakage):
    doc = copy.deepcopy(_overview())
    assert errors(doc) == []
    breakage(doc)
    assert errors(doc) != []
