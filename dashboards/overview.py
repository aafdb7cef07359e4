"""Facility overview: one tile per zone (current values coloured by the zone's limits, and
its active alerts), the table of active alerts, alert annotations."""

from __future__ import annotations

from cangjing.config import Facility
from cangjing.config.zones import Zone

from . import queries as q
from .common import TAG, links, site_variable, targets, uid, zone_has_light, zone_uid
from .grafana import (
    Json,
    Layout,
    annotation,
    dashboard,
    panel,
    range_thresholds,
    stat_options,
    thresholds,
)
from .texts import text

TILE_W, TILE_H = 8, 5


def _ref_override(ref: str, unit: str, thr: Json, **more: object) -> Json:
    props = [{"id": "unit", "value": unit}, {"id": "thresholds", "value": thr},
             *({"id": k, "value": v} for k, v in more.items())]
    return {"matcher": {"id": "byFrameRefID", "options": ref}, "properties": props}


def zone_tile(facility: Facility, zone: Zone, lang: str) -> Json:
    """Temperature, RH (and light) now, each red outside the zone's limits; alert count."""
    lim = zone.effective_limits()
    queries = [q.current("temperature", zone.id), q.current("humidity", zone.id),
               q.active_alert_count(zone.id)]
    names = ["temperature", "humidity", "active_alerts"]
    overrides = [
        _ref_override("A", "celsius", range_thresholds(lim.temperature.min, lim.temperature.max),
                      decimals=1),
        _ref_override("B", "humidity", range_thresholds(lim.humidity.min, lim.humidity.max),
                      decimals=1),
        # No active alert: the count query returns no series and the tile shows no count.
        _ref_override("C", "none", thresholds("green", (1, "red")), decimals=0),
    ]
    if zone_has_light(facility, zone.id):
        queries.append(q.current("illuminance", zone.id))
        names.append("illuminance")
        lux = thresholds("green", (lim.illuminance_max, "red"))
        overrides.append(_ref_override("D", "lux", lux, decimals=0))
    tgts = targets(queries)
    for t, name in zip(tgts, names, strict=True):
        t["alias"] = text(name, lang)
    fc = {"defaults": {"unit": "none"}, "overrides": overrides}
    title = f"{zone.id} {zone.display_name(lang)}"
    link = {"title": text("zone_detail", lang), "url": f"/d/{zone_uid(zone.id, lang)}"
            "?${__url_time_range}&${site:queryparam}"}
    return panel("stat", title, tgts, fc, stat_options(), links=[link])


def alerts_table(lang: str) -> Json:
    hide_resolved = {"id": "filterByValue", "options": {
        "type": "exclude", "match": "any",
        "filters": [{"fieldName": "state",
                     "config": {"id": "equal", "options": {"value": "resolved"}}}]}}
    return panel("table", text("active_alerts", lang), targets([q.active_alerts_table()]),
                 {"defaults": {"unit": "none"}, "overrides": []},
                 {"showHeader": True, "cellHeight": "sm"}, transformations=[hide_resolved])


def build_overview(facility: Facility, lang: str) -> Json:
    layout = Layout()
    for zone in facility.zones:
        layout.add(zone_tile(facility, zone, lang), TILE_W, TILE_H)
    layout.newline()
    layout.add(alerts_table(lang), 24, 9)
    site = facility.site
    site_name = site.name_en if lang == "en" and site.name_en else site.name
    return dashboard(
        uid("overview", lang), f"{text('overview', lang)} · {site_name}", tags=[TAG],
        timezone=facility.site.timezone, time_from="now-6h", panels=layout.panels,
        variables=[site_variable(facility, lang)],
        annotations=[annotation(text("alerts", lang), q.alert_annotations(zone=None),
                                text_column="message", tags_columns="rule,severity,state,sensor")],
        links=links(lang))
