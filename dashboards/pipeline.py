"""Pipeline health: what the services say about themselves in `cangjing_pipeline`
(collector/metrics.py: counts per metrics interval, gauges, per service instance)."""

from __future__ import annotations

from cangjing.config import Facility

from . import queries as q
from .common import TAG, links, site_variable, targets, uid
from .grafana import (
    Json,
    Layout,
    dashboard,
    field_config,
    grafana_duration,
    panel,
    timeseries_options,
)
from .texts import text


def _ts(title: str, query: q.Query, unit: str, interval: str, **custom: object) -> Json:
    # Never a bucket shorter than the collector's metrics interval: it would fall between
    # two points and show a comb of empty buckets (and double rates beside them).
    return panel("timeseries", title, targets([query]), field_config(unit, extra=custom or None),
                 timeseries_options(), interval=interval)


def build_pipeline(facility: Facility, lang: str) -> Json:
    layout = Layout()
    step = grafana_duration(facility.collector.metrics_interval.total_seconds())
    parts = [
        _ts(text("ingest_rate", lang), q.pipeline_rate(), "cps", step),
        _ts(text("spool_depth", lang), q.pipeline_gauge("spool_depth"), "short", step),
        _ts(text("lag", lang), q.pipeline_gauge("lag_s"), "s", step),
        _ts(text("write_latency", lang), q.pipeline_gauge("write_latency_ms", "mean"), "ms",
            step),
        _ts(text("dead_letters", lang), q.pipeline_count("dead_lettered"), "short", step,
            drawStyle="bars", fillOpacity=60),
    ]
    for p in parts:
        layout.add(p, 12, 8)
    return dashboard(
        uid("pipeline", lang), text("pipeline_health", lang), tags=[TAG],
        timezone=facility.site.timezone, time_from="now-24h", panels=layout.panels,
        variables=[site_variable(facility, lang)], annotations=[], links=links(lang))
