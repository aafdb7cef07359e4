"""Facility file -> dashboard JSON files, and the check that the committed files are current.

Files: <out>/<lang>/overview.json, sensors.json, pipeline.json, zone-<id>.json. The JSON is
deterministic (same facility, same bytes) so that `--check` can compare byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

from cangjing.config import Facility

from .grafana import Json
from .overview import build_overview
from .pipeline import build_pipeline
from .sensors import build_sensors
from .texts import LANGS
from .zone import build_zone

GENERATED = Path(__file__).resolve().parent / "generated"


def build_all(facility: Facility, lang: str) -> dict[str, Json]:
    """Every dashboard of the facility in `lang`, by file name."""
    out = {"overview.json": build_overview(facility, lang),
           "sensors.json": build_sensors(facility, lang),
           "pipeline.json": build_pipeline(facility, lang)}
    for zone in facility.zones:
        out[f"zone-{zone.id}.json"] = build_zone(facility, zone, lang)
    return out


def render(doc: Json) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def write(facility: Facility, out_dir: Path, langs: tuple[str, ...] = LANGS) -> list[Path]:
    """Write the dashboards; remove files of ours that are no longer generated (a zone
    taken out of the facility file must not leave its dashboard behind)."""
    written: list[Path] = []
    for lang in langs:
        folder = out_dir / lang
        folder.mkdir(parents=True, exist_ok=True)
        docs = build_all(facility, lang)
        for name, doc in docs.items():
            path = folder / name
            text = render(doc)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
            written.append(path)
        for old in folder.glob("*.json"):
            if old.name not in docs:
                old.unlink()
    return written


def stale(facility: Facility, out_dir: Path, langs: tuple[str, ...] = LANGS) -> list[str]:
    """What differs between the facility file and the files in `out_dir` ([] = current)."""
    problems: list[str] = []
    for lang in langs:
        folder = out_dir / lang
        docs = build_all(facility, lang)
        for name, doc in docs.items():
            path = folder / name
            if not path.exists():
                problems.append(f"{path}: missing")
            elif path.read_text(encoding="utf-8") != render(doc):
                problems.append(f"{path}: differs from the facility file")
        if folder.is_dir():
            problems += [f"{p}: no longer generated" for p in sorted(folder.glob("*.json"))
                         if p.name not in docs]
    return problems
