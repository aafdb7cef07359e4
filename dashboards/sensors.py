"""Sensor health: last report, battery, communication errors, calibration due dates.

Reads `environment` (battery) and `sensor_health`, which the gateway's periodic per-sensor
health is expected to land in (README.md, "What it reads")."""

from __future__ import annotations

from cangjing.config import Facility

from . import queries as q
from .common import TAG, links, site_variable, targets, uid
from .grafana import (
    Json,
    Layout,
    annotation,
    dashboard,
    field_config,
    panel,
    query_variable,
    text_panel,
    timeseries_options,
)
from .texts import text


def calibration_markdown(facility: Facility, lang: str) -> str:
    """The facility file's calibration due dates, soonest first (unset ones last)."""
    rows = sorted(facility.sensors,
                  key=lambda s: (s.calibration.due is None, s.calibration.due or 0, s.id))
    head = [text("sensor", lang), text("zone", lang), text("transport", lang), text("due", lang)]
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|---|"]
    for s in rows:
        due = s.calibration.due.isoformat() if s.calibration.due else text("not_set", lang)
        lines.append(f"| {s.id} | {s.zone} | {s.transport.value} | {due} |")
    return "\n".join(lines) + "\n"


def build_sensors(facility: Facility, lang: str) -> Json:
    layout = Layout()
    seen = panel("table", text("last_seen", lang), targets([q.last_seen()]),
                 {"defaults": {"unit": "none"},
                  "overrides": [{"matcher": {"id": "byName", "options": "last_seen"},
                                 "properties": [{"id": "unit", "value": "dateTimeFromNow"}]}]},
                 {"showHeader": True, "cellHeight": "sm",
                  "sortBy": [{"displayName": "last_seen", "desc": False}]})
    layout.add(seen, 12, 10)
    layout.add(text_panel(text("calibration_due", lang), calibration_markdown(facility, lang)),
               12, 10)
    battery = panel("timeseries", text("battery", lang),
                    targets(q.environment("battery", "min", zone=q.ZONES)),
                    field_config("volt", decimals=2), timeseries_options())
    layout.add(battery, 12, 8)
    errors = q.counter_increase("sensor_health", "errors", f"{q.SITE} AND {q.ZONES}",
                                '"sensor"', "$tag_sensor")
    layout.add(panel("timeseries", text("errors", lang), targets([errors]),
                     field_config("short", decimals=0,
                                  extra={"drawStyle": "bars", "fillOpacity": 60}),
                     timeseries_options()), 12, 8)
    zone_var = query_variable("zone", text("zone", lang), q.zone_values(), multi=True)
    return dashboard(
        uid("sensors", lang), text("sensor_health", lang), tags=[TAG],
        timezone=facility.site.timezone, time_from="now-24h", panels=layout.panels,
        variables=[site_variable(facility, lang), zone_var],
        annotations=[annotation(text("alerts", lang), q.alert_annotations(zone=q.ZONES),
                                text_column="message", tags_columns="rule,severity,state,sensor")],
        links=links(lang))
