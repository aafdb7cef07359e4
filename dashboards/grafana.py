"""Small builders for Grafana's dashboard JSON model (only the parts these dashboards use).

Reference: Grafana's "Dashboard JSON model"
(https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/),
the panel field config ("Configure thresholds", "Configure standard options") and the
InfluxDB data source pages (InfluxQL query editor, template variables, annotations).
schema/dashboard.schema.json checks what these builders emit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DATASOURCE_UID = "cangjing-influxdb"  # the provisioned data source (config/grafana/provisioning)
DATASOURCE = {"type": "influxdb", "uid": DATASOURCE_UID}
SCHEMA_VERSION = 39  # Grafana 10.4/11 dashboards; older Grafana migrates up, newer reads it
GRID_WIDTH = 24  # Grafana's grid is 24 columns wide

Json = dict[str, Any]


def grafana_duration(seconds: float) -> str:
    """A duration as Grafana and InfluxQL write it: 10s, 5m, 1h (whole seconds or ms)."""
    ms = round(seconds * 1000)
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def target(ref: str, query: str, *, alias: str = "", table: bool = False) -> Json:
    """A raw InfluxQL query of a panel (the editor's "raw query" mode)."""
    out: Json = {"refId": ref, "datasource": DATASOURCE, "query": query, "rawQuery": True,
                 "resultFormat": "table" if table else "time_series"}
    if alias:
        out["alias"] = alias
    return out


def thresholds(base: str, *steps: tuple[float, str]) -> Json:
    """Absolute thresholds: `base` colour below the first step, then each step's colour."""
    return {"mode": "absolute",
            "steps": [{"color": base, "value": None},
                      *({"color": c, "value": v} for v, c in steps)]}


def range_thresholds(lo: float | None, hi: float | None) -> Json:
    """Red outside [lo, hi], green inside: a zone's limit band."""
    if lo is None:
        return thresholds("green", *([(hi, "red")] if hi is not None else []))
    return thresholds("red", (lo, "green"), *([(hi, "red")] if hi is not None else []))


def field_config(unit: str, thr: Json | None = None, *, decimals: int | None = None,
                 band: bool = False, extra: Json | None = None) -> Json:
    """fieldConfig.defaults with unit and thresholds; `band` shades the limit band."""
    defaults: Json = {"unit": unit}
    if decimals is not None:
        defaults["decimals"] = decimals
    if thr is not None:
        defaults["thresholds"] = thr
        # A plot keeps one colour per sensor and draws the thresholds as lines/bands; single
        # values (stat, gauge) take the colour of the threshold they fall in.
        defaults["color"] = {"mode": "palette-classic" if band else "thresholds"}
    custom: Json = dict(extra or {})
    if band:
        custom["thresholdsStyle"] = {"mode": "line+area"}
    if custom:
        defaults["custom"] = custom
    return {"defaults": defaults, "overrides": []}


def override(name: str, **props: Any) -> Json:
    """A field override by field name (properties as id -> value)."""
    return {"matcher": {"id": "byName", "options": name},
            "properties": [{"id": k, "value": v} for k, v in props.items()]}


@dataclass
class Layout:
    """Places panels left to right, wrapping at Grafana's 24-column grid."""

    x: int = 0
    y: int = 0
    row_height: int = 0
    next_id: int = 1
    panels: list[Json] = field(default_factory=list)

    def add(self, panel: Json, w: int, h: int) -> Json:
        if self.x + w > GRID_WIDTH:
            self.newline()
        panel["id"] = self.next_id
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.next_id += 1
        self.x += w
        self.row_height = max(self.row_height, h)
        self.panels.append(panel)
        return panel

    def newline(self) -> None:
        self.y += self.row_height
        self.x, self.row_height = 0, 0


def panel(kind: str, title: str, targets: list[Json], fc: Json, options: Json,
          **extra: Any) -> Json:
    """A panel of type `kind` ("timeseries", "stat", "table", "bargauge", ...)."""
    return {"type": kind, "title": title, "datasource": DATASOURCE, "targets": targets,
            "fieldConfig": fc, "options": options, **extra}


def text_panel(title: str, markdown: str) -> Json:
    return {"type": "text", "title": title, "options": {"mode": "markdown", "content": markdown}}


def stat_options(calc: str = "lastNotNull", color_mode: str = "background") -> Json:
    return {"reduceOptions": {"calcs": [calc], "fields": "", "values": False},
            "colorMode": color_mode, "graphMode": "none", "justifyMode": "auto",
            "orientation": "auto", "textMode": "value_and_name"}


def timeseries_options() -> Json:
    return {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "none"}}


def query_variable(name: str, label: str, query: str, *, default: str | None = None,
                   multi: bool = False) -> Json:
    """A template variable whose values come from InfluxDB (refreshed on load)."""
    var: Json = {"name": name, "label": label, "type": "query", "datasource": DATASOURCE,
                 "query": query, "definition": query, "refresh": 1, "hide": 0, "sort": 1,
                 "multi": multi, "includeAll": multi, "options": []}
    if multi:
        var["current"] = {"selected": True, "text": ["All"], "value": ["$__all"]}
    elif default is not None:
        var["current"] = {"selected": True, "text": default, "value": default}
    return var


def constant_variable(name: str, label: str, value: str) -> Json:
    """A hidden variable with one value: queries say `$zone` but the dashboard is one zone's."""
    return {"name": name, "label": label, "type": "constant", "query": value, "hide": 2,
            "current": {"selected": True, "text": value, "value": value},
            "options": [{"selected": True, "text": value, "value": value}]}


def annotation(name: str, query: str, *, text_column: str, tags_columns: str,
               color: str = "red") -> Json:
    """An InfluxQL annotation query (classic field mapping: textColumn, tagsColumn)."""
    return {"name": name, "datasource": DATASOURCE, "enable": True, "iconColor": color,
            "query": query, "textColumn": text_column, "tagsColumn": tags_columns}


def dashboard(uid: str, title: str, *, tags: list[str], timezone: str, time_from: str,
              panels: list[Json], variables: list[Json], annotations: list[Json],
              links: list[Json], refresh: str = "1m") -> Json:
    return {
        "uid": uid, "title": title, "tags": tags, "timezone": timezone,
        "editable": True, "graphTooltip": 1, "refresh": refresh,
        "schemaVersion": SCHEMA_VERSION, "version": 1,
        "time": {"from": time_from, "to": "now"},
        "templating": {"list": variables},
        "annotations": {"list": annotations},
        "links": links,
        "panels": panels,
    }


def tag_link(title: str, tag: str) -> Json:
    """A dashboard link: a drop-down of the dashboards carrying `tag`."""
    return {"title": title, "type": "dashboards", "tags": [tag], "asDropdown": True,
            "includeVars": False, "keepTime": True}
