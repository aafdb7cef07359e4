"""What Grafana does to an InfluxQL query before it sends it: template variables, the time
filter and `$__interval`. The tests and the benchmark run every panel query through this
against a real influxd, since Grafana itself cannot run on the development machines.

Follows Grafana's InfluxDB data source (InfluxQL mode): `$timeFilter` becomes
`time >= <from>ms and time <= <to>ms`; `$__interval` is the range divided by the panel's
max data points, rounded as Grafana's `roundInterval` does, and never below the panel's
`interval`; variables in a regex (`=~ /^$zone$/`) are regex-escaped and multi values become
`(a|b)`; a panel's `timeFrom` overrides the dashboard's range (only `now/y` is used here).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from .grafana import Json

MAX_DATA_POINTS = 1000  # about a panel's width in pixels, which Grafana uses

# Grafana's roundInterval (public/app/core/utils/kbn / rangeutil): upper bound ms -> interval ms
_ROUND = [
    (15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500), (1_500, 1_000),
    (3_500, 2_000), (7_500, 5_000), (12_500, 10_000), (17_500, 15_000), (25_000, 20_000),
    (45_000, 30_000), (90_000, 60_000), (150_000, 120_000), (450_000, 300_000),
    (750_000, 600_000), (1_050_000, 900_000), (1_500_000, 1_200_000), (2_700_000, 1_800_000),
    (5_400_000, 3_600_000), (9_000_000, 7_200_000), (16_200_000, 10_800_000),
    (27_000_000, 21_600_000), (86_400_000, 43_200_000), (604_800_000, 86_400_000),
    (1_814_400_000, 604_800_000), (3_628_800_000, 2_592_000_000),
]
_UNITS_MS = [("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
             ("s", 1_000), ("ms", 1)]
_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d|w)$")
_REGEX_LITERAL = re.compile(r"([=!]~\s*)/((?:[^/\\]|\\.)*)/")
_VARIABLE = re.compile(r"\$\{(\w+)\}|\[\[(\w+)\]\]|\$(\w+)")


@dataclass(frozen=True)
class TimeRange:
    start: datetime
    end: datetime

    @classmethod
    def last(cls, span: timedelta, now: datetime | None = None) -> TimeRange:
        end = now or datetime.now(UTC)
        return cls(end - span, end)

    @property
    def ms(self) -> tuple[int, int]:
        return int(self.start.timestamp() * 1000), int(self.end.timestamp() * 1000)


@dataclass(frozen=True)
class PanelQuery:
    """One query of a dashboard: a panel target, an annotation or a variable's query."""

    dashboard: str
    panel: str
    ref: str
    text: str
    kind: str  # "panel", "annotation", "variable"
    source: Json  # the panel, annotation or variable it belongs to


def duration_ms(text: str) -> int:
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"not a Grafana interval: {text!r}")
    return int(m.group(1)) * dict(_UNITS_MS)[m.group(2)]


def format_ms(ms: int) -> str:
    """An interval as InfluxQL writes durations (largest unit that divides it)."""
    for unit, size in _UNITS_MS:
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def interval_ms(rng: TimeRange, min_interval: str | None = None,
                max_points: int = MAX_DATA_POINTS) -> int:
    lo, hi = rng.ms
    raw = max((hi - lo) / max_points, 1)
    rounded = next((ms for bound, ms in _ROUND if raw < bound), 31_536_000_000)
    if min_interval:
        rounded = max(rounded, duration_ms(min_interval))
    return rounded


def panel_range(panel: Json, rng: TimeRange, tz: str) -> TimeRange:
    """The range a panel queries: the dashboard's, unless the panel overrides it."""
    time_from = panel.get("timeFrom")
    if not time_from:
        return rng
    if time_from == "now/y":
        local = rng.end.astimezone(ZoneInfo(tz))
        return TimeRange(local.replace(month=1, day=1, hour=0, minute=0, second=0,
                                       microsecond=0).astimezone(UTC), rng.end)
    raise ValueError(f"panel time override {time_from!r} is not supported here")


def _format(values: Sequence[str], regex: bool) -> str:
    if not regex:
        return values[0] if len(values) == 1 else "{" + ",".join(values) + "}"
    escaped = [re.sub(r"[\\^$*+?.()|{}\[\]/]", lambda m: "\\" + m.group(0), v) for v in values]
    return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"


def _substitute(text: str, values: Mapping[str, Sequence[str]], regex: bool) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2) or m.group(3)
        return _format(values[name], regex) if name in values else m.group(0)

    return _VARIABLE.sub(one, text)


def interpolate(query: str, variables: Mapping[str, Sequence[str]], rng: TimeRange,
                min_interval: str | None = None) -> str:
    """The query as Grafana sends it for `rng` with these variable values."""
    lo, hi = rng.ms
    step = interval_ms(rng, min_interval)
    builtins = {"timeFilter": [f"time >= {lo}ms and time <= {hi}ms"],
                "__timeFilter": [f"time >= {lo}ms and time <= {hi}ms"],
                "__interval": [format_ms(step)], "__interval_ms": [str(step)],
                "__from": [str(lo)], "__to": [str(hi)]}
    values = {**variables, **builtins}
    out = _REGEX_LITERAL.sub(
        lambda m: f"{m.group(1)}/{_substitute(m.group(2), variables, regex=True)}/", query)
    out = _substitute(out, values, regex=False)
    if _VARIABLE.search(out):
        raise ValueError(f"unresolved variable in {out!r}")
    return out


def queries_of(dashboard: Json) -> Iterator[PanelQuery]:
    """Every query in a dashboard: panel targets, annotations and variable queries."""
    uid = dashboard["uid"]
    for p in dashboard["panels"]:
        for t in p.get("targets", []):
            yield PanelQuery(uid, p["title"], t["refId"], t["query"], "panel", p)
    for a in dashboard["annotations"]["list"]:
        yield PanelQuery(uid, a["name"], "annotation", a["query"], "annotation", a)
    for v in dashboard["templating"]["list"]:
        if v["type"] == "query":
            yield PanelQuery(uid, v["name"], "variable", v["query"], "variable", v)
