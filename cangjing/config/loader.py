"""Reading a facility file: every error at once, each with its path, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .facility import Facility


class FacilityError(Exception):
    """The facility file is invalid; `errors` holds one "path: message" line per problem."""

    def __init__(self, source: str, errors: list[str]) -> None:
        self.source = source
        self.errors = errors
        super().__init__(f"{source}: {len(errors)} error(s)\n" + "\n".join(errors))


def format_location(loc: tuple[Any, ...]) -> str:
    """('zones', 2, 'limits', 'humidity') -> 'zones[2].limits.humidity'"""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _pydantic_errors(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors(include_url=False):
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling)"
        lines.append(f"{format_location(err['loc'])}: {msg}")
    return lines


def parse_facility(data: Any, source: str = "<facility>") -> Facility:
    if not isinstance(data, dict):
        raise FacilityError(source, ["(top level): must be a mapping with site, zones, sensors"])
    try:
        facility = Facility.model_validate(data)
    except ValidationError as exc:
        raise FacilityError(source, _pydantic_errors(exc)) from None
    problems = facility.problems()
    if problems:
        raise FacilityError(source, [f"{path}: {msg}" for path, msg in problems])
    return facility


def load_facility(path: str | Path) -> Facility:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FacilityError(str(path), [f"cannot read: {exc.strerror or exc}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        problem = getattr(exc, "problem", None) or str(exc)
        raise FacilityError(str(path), [f"{where}: {problem}"]) from None
    return parse_facility(data, str(path))
