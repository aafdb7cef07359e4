"""Zone detail: one dashboard per zone, so that every plot carries exactly that zone's limits.

Grafana's thresholds are numbers in the panel, not values of a template variable; a single
dashboard switching zones by a variable would draw one zone's limits over another's data.
Each zone's dashboard therefore has `$zone` as a hidden constant (the queries still say
`$zone` and `$site`), and the zone links at the top switch between zones.
"""

from __future__ import annotations

from cangjing.config import Facility
from cangjing.config.alerting import DoseLevel
from cangjing.config.zones import Zone
from cangjing.conservation.preservation import TWPI_GOOD_MIN_YEARS, TWPI_OK_MIN_YEARS

from . import queries as q
from .common import (
    TAG,
    ZONE_TAG,
    links,
    site_variable,
    targets,
    zone_has_light,
    zone_has_uv,
    zone_uid,
)
from .grafana import (
    Json,
    Layout,
    annotation,
    constant_variable,
    dashboard,
    field_config,
    panel,
    range_thresholds,
    stat_options,
    thresholds,
    timeseries_options,
)
from .texts import text

# The light-dose gauge changes colour at the alert engine's dose levels (facility file,
# alerts.light_dose.levels), in the colour of each level's severity.
SEVERITY_COLORS = {"info": "blue", "warning": "orange", "critical": "red"}
# VTT mould index: 1 = growth starts (microscopic), 3 = visible growth (Hukka & Viitanen 1999).
MOLD_STEPS = ((1.0, "orange"), (3.0, "red"))
# Grafana has no built-in unit for UV relative to light.
UV_UNIT = "suffix: µW/lm"


def _timeseries(title: str, queries: list[q.Query], fc: Json, **extra: object) -> Json:
    return panel("timeseries", title, targets(queries), fc, timeseries_options(), **extra)


def _band(unit: str, lo: float | None, hi: float | None) -> Json:
    return field_config(unit, range_thresholds(lo, hi), decimals=1, band=True,
                        extra={"lineWidth": 1, "spanNulls": 3_600_000})


def climate_panels(zone: Zone, lang: str, tz: str) -> list[tuple[Json, int, int]]:
    """Temperature and RH with the zone's limit bands, dew point, daily swings (in `tz`)."""
    lim = zone.effective_limits()
    t_title = (f"{text('temperature', lang)}（{text('limit', lang)} "
               f"{_range_text(lim.temperature.min, lim.temperature.max, '°C')}）")
    rh_title = (f"{text('humidity', lang)}（{text('limit', lang)} "
                f"{_range_text(lim.humidity.min, lim.humidity.max, '%')}）")
    return [
        (_timeseries(t_title, q.environment("temperature"),
                     _band("celsius", lim.temperature.min, lim.temperature.max)), 12, 9),
        (_timeseries(rh_title, q.environment("humidity"),
                     _band("humidity", lim.humidity.min, lim.humidity.max)), 12, 9),
        (_timeseries(text("dew_point", lang), q.environment("dew_point"),
                     field_config("celsius", decimals=1)), 12, 8),
        (_swing(text("rh_swing", lang), "humidity", "humidity", lim.humidity_swing, tz, lang),
         6, 8),
        (_swing(text("t_swing", lang), "temperature", "celsius", lim.temperature_swing, tz,
                lang), 6, 8),
    ]


def _swing(title: str, quantity: str, unit: str, limit: float, tz: str, lang: str) -> Json:
    fc = field_config(unit, thresholds("green", (limit, "red")), decimals=1,
                      extra={"drawStyle": "bars", "fillOpacity": 60,
                             "thresholdsStyle": {"mode": "line"}})
    return _timeseries(f"{title}（{text('limit', lang)} {limit:g}）",
                       [q.daily_swing(quantity, tz)], fc, interval="1d")


def light_panels(zone: Zone, levels: list[DoseLevel], lang: str, *,
                 uv: bool = False) -> list[tuple[Json, int, int]]:
    """Illuminance against the zone's maximum; UV against its maximum (`uv`: the zone has a
    UV-capable sensor); this year's dose against its budget."""
    lim = zone.effective_limits()
    lux = field_config("lux", thresholds("green", (lim.illuminance_max, "red")), decimals=0,
                       band=True, extra={"spanNulls": 3_600_000})
    lux_panel = _timeseries(f"{text('illuminance', lang)}（{text('limit', lang)} "
                            f"{lim.illuminance_max:g} lx）", q.environment("illuminance", "max"),
                            lux)
    budget = lim.light_dose_per_year
    if budget is None:
        dose_fc = field_config("suffix: lx·h", thresholds("green"), decimals=0)
        dose_title = f"{text('light_dose', lang)}（{text('no_budget', lang)}）"
    else:
        dose_fc = field_config("suffix: lx·h",
                               thresholds("green", *((budget * lv.percent / 100,
                                                      SEVERITY_COLORS[lv.severity.value])
                                                     for lv in levels)),
                               decimals=0)
        dose_fc["defaults"].update(min=0, max=budget)
        dose_title = f"{text('light_dose', lang)}（{budget:,.0f} lx·h）"
    dose = panel("bargauge", dose_title, targets([q.light_dose()]), dose_fc,
                 {"orientation": "horizontal", "displayMode": "gradient", "showUnfilled": True,
                  "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
                 timeFrom="now/y")
    return [(lux_panel, 12, 8), *([(uv_panel(zone, lang), 12, 8)] if uv else []), (dose, 12, 8)]


def uv_panel(zone: Zone, lang: str) -> Json:
    """UV relative to light (µW/lm) per sensor, peaks per interval, against the zone's
    `uv_max` (the limit the alert engine judges by)."""
    uv_max = zone.effective_limits().uv_max
    fc = field_config(UV_UNIT, thresholds("green", (uv_max, "red")), decimals=1, band=True,
                      extra={"spanNulls": 3_600_000})
    return _timeseries(f"{text('uv', lang)}（{text('limit', lang)} {uv_max:g} µW/lm）",
                       q.environment("uv", "max"), fc)


def preservation_panels(lang: str) -> list[tuple[Json, int, int]]:
    """TWPI, time in range, PI and mould risk from the `preservation` measurement."""
    years = "suffix: " + ("年" if lang == "zh" else "years")
    twpi = panel("stat", text("twpi", lang), targets([q.twpi()]),
                 field_config(years, thresholds("red", (TWPI_OK_MIN_YEARS, "orange"),
                                                (TWPI_GOOD_MIN_YEARS, "green")), decimals=0),
                 stat_options())
    # The mean of the hourly percentages: every hour weighs the same.
    in_range = panel("stat", text("pct_in_range", lang),
                     targets([q.preservation("pct_time_in_range")]),
                     field_config("percent", decimals=1), stat_options("mean", "none"))
    pi = _timeseries(text("pi", lang), [q.preservation("pi")], field_config(years, decimals=0))
    mold = _timeseries(text("mold_risk", lang), [q.preservation("mold_risk", "max")],
                       field_config("none", thresholds("green", *MOLD_STEPS), decimals=2,
                                    band=True))
    return [(twpi, 6, 6), (in_range, 6, 6), (pi, 6, 6), (mold, 6, 6)]


def build_zone(facility: Facility, zone: Zone, lang: str) -> Json:
    layout = Layout()
    parts = climate_panels(zone, lang, facility.site.timezone)
    if zone_has_light(facility, zone.id):
        parts += light_panels(zone, facility.alerts.light_dose.levels, lang,
                              uv=zone_has_uv(facility, zone.id))
    parts += preservation_panels(lang)
    for p, w, h in parts:
        layout.add(p, w, h)
    title = f"{text('zone_detail', lang)} · {zone.id} {zone.display_name(lang)}"
    return dashboard(
        zone_uid(zone.id, lang), title, tags=[TAG, ZONE_TAG],
        timezone=facility.site.timezone, time_from="now-7d", panels=layout.panels,
        variables=[site_variable(facility, lang), constant_variable("zone", text("zone", lang),
                                                                      zone.id)],
        annotations=[annotation(text("alerts", lang), q.alert_annotations(),
                                text_column="message", tags_columns="rule,severity,state,sensor")],
        links=links(lang))


def _range_text(lo: float | None, hi: float | None, unit: str) -> str:
    if lo is None:
        return f"≤ {hi:g} {unit}"
    if hi is None:
        return f"≥ {lo:g} {unit}"
    return f"{lo:g}–{hi:g} {unit}"

