"""Every query of every dashboard, as Grafana would send it, against a real influxd holding a
simulated year of the facility: the series it returns, their names and their units."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from cangjing.influx import Series
from dashboards.build import build_all
from dashboards.common import measures_uv, zone_has_uv
from dashboards.grafana import Json
from dashboards.queries import RAW_HORIZON
from dashboards.render import PanelQuery, TimeRange, interpolate, panel_range, queries_of

from .conftest import Year

YEAR = timedelta(days=365)
# What each Grafana unit may plausibly hold for a storage room (wrong units fall outside:
# °F for °C, fractions for %, seconds for ms ...).
UNIT_RANGES = {
    "celsius": (-30.0, 45.0), "humidity": (0.0, 100.0), "lux": (0.0, 10_000.0),
    "volt": (2.5, 4.5), "suffix: lx·h": (0.0, 2_000_000.0), "suffix: 年": (1.0, 10_000.0),
    "percent": (0.0, 100.0), "none": (0.0, 6.0), "short": (0.0, 10_000_000.0),
    "cps": (0.0, 100_000.0), "s": (0.0, 86_400.0), "ms": (0.0, 60_000.0),
    # UV relative to light: filtered museum lighting ~0-75, unfiltered daylight up to ~1600;
    # a register left ×10 or an absolute irradiance (mW/m²) of a lit room falls outside.
    "suffix: µW/lm": (0.0, 2_000.0),
}
SPANS = {"now-6h": timedelta(hours=6), "now-24h": timedelta(hours=24),
         "now-7d": timedelta(days=7)}


def variables(dash: Json, year: Year) -> dict[str, list[str]]:
    """Variable values as a user would have them: this site, the dashboard's zone or All."""
    values = {"site": [year.facility.site.id]}
    for v in dash["templating"]["list"]:
        if v["type"] == "constant":
            values[v["name"]] = [v["query"]]
        elif v["name"] == "zone":
            values["zone"] = [z.id for z in year.facility.zones]
    return values


def run(year: Year, dash: Json, pq: PanelQuery, rng: TimeRange) -> list[Series]:
    rng = panel_range(pq.source, rng, year.facility.site.timezone)
    text = interpolate(pq.text, variables(dash, year), rng, pq.source.get("interval"))
    return year.client.query(text)


def unit_of(panel: Json, ref: str, column: str) -> str | None:
    for o in panel["fieldConfig"]["overrides"]:
        m = o["matcher"]
        if (m["id"] == "byFrameRefID" and m["options"] == ref) or (
                m["id"] == "byName" and m["options"] == column):
            units = [p["value"] for p in o["properties"] if p["id"] == "unit"]
            if units:
                return units[0]
    return None if panel["type"] == "table" else panel["fieldConfig"]["defaults"]["unit"]


def problems_in(series: list[Series], pq: PanelQuery, dash: Json, year: Year) -> list[str]:
    """Unit ranges of every value; sensors that belong to the dashboard's zone."""
    out: list[str] = []
    where = f"{dash['uid']} / {pq.panel} / {pq.ref}"
    zone = next((v["query"] for v in dash["templating"]["list"] if v["type"] == "constant"), None)
    zone_sensors = {s.id for s in year.facility.sensors_in(zone)} if zone else None
    now_ms = datetime.now(UTC).timestamp() * 1000
    for s in series:
        sensor = s.tags.get("sensor")
        if zone_sensors is not None and sensor is not None and sensor not in zone_sensors:
            out.append(f"{where}: sensor {s.tags['sensor']} is not in zone {zone}")
        for row in s.records():
            for col, value in row.items():
                if col == "time" or not isinstance(value, int | float):
                    continue
                unit = unit_of(pq.source, pq.ref, col)
                if unit == "dateTimeFromNow":
                    ok = now_ms - 31 * 86_400_000 <= value <= now_ms + 60_000
                elif unit is None:
                    continue
                else:
                    lo, hi = UNIT_RANGES[unit]
                    ok = math.isfinite(value) and lo <= value <= hi
                if not ok:
                    out.append(f"{where}: {col}={value} outside the range of unit {unit}")
                    break
    return out


def expected_empty(pq: PanelQuery, dash: Json, year: Year) -> bool:
    """Queries that must find nothing: the active-alert count of a zone with none active."""
    if "count(\"value\")" in pq.text and "\"st\" != 'resolved'" in pq.text:
        zone = pq.text.split('"zone" = \'')[1].split("'")[0]
        return year.written.active_alerts[zone] == 0
    return False


@pytest.fixture(scope="module")
def dashboards(year: Year) -> dict[str, Json]:
    return build_all(year.facility, "zh")


def test_every_panel_query_over_a_year_finds_its_series_in_its_units(year, dashboards):
    problems: list[str] = []
    checked = 0
    rng = TimeRange.last(YEAR)
    for dash in dashboards.values():
        for pq in queries_of(dash):
            if pq.kind != "panel":
                continue
            series = run(year, dash, pq, rng)
            checked += 1
            if expected_empty(pq, dash, year):
                if series:
                    problems.append(f"{dash['uid']} / {pq.panel}: expected no active alerts")
                continue
            if not series or not any(s.values for s in series):
                problems.append(f"{dash['uid']} / {pq.panel} / {pq.ref}: no data")
                continue
            problems += problems_in(series, pq, dash, year)
    assert checked > 100
    assert problems == []


def test_default_time_ranges_read_raw_recently_and_rollups_before(year, dashboards):
    """Over each dashboard's own range every query finds data, except the rollup half of a
    split target when the range is shorter than the raw horizon (they never overlap)."""
    horizon = timedelta(days=int(RAW_HORIZON.rstrip("d")))
    problems: list[str] = []
    for dash in dashboards.values():
        span = SPANS[dash["time"]["from"]]
        for pq in queries_of(dash):
            if pq.kind != "panel" or expected_empty(pq, dash, year):
                continue
            series = run(year, dash, pq, TimeRange.last(span))
            rollup_half = f"time <= now() - {RAW_HORIZON}" in pq.text
            if rollup_half and span <= horizon:
                if series:
                    problems.append(f"{dash['uid']} / {pq.panel}: rollup overlaps the raw part")
            elif not series:
                problems.append(f"{dash['uid']} / {pq.panel} / {pq.ref}: no data in "
                                f"{dash['time']['from']}")
            else:
                problems += problems_in(series, pq, dash, year)
    assert problems == []


def test_zone_plots_stay_inside_the_zone_limits_and_rollups_match_raw(year, dashboards):
    """The simulated climate keeps inside each zone's limits, so a wrong zone, field or
    rollup column in a query shows up here; the hourly rollup half agrees with raw data."""
    rng = TimeRange.last(timedelta(days=7))
    for zone in year.facility.zones:
        dash = dashboards[f"zone-{zone.id}.json"]
        lim = zone.effective_limits()
        for quantity, band in (("temperature", lim.temperature), ("humidity", lim.humidity)):
            pqs = [pq for pq in queries_of(dash) if f'("{quantity}' in pq.text
                   and "environment" in pq.text and "spread" not in pq.text
                   and "_max\") - min" not in pq.text]
            assert len(pqs) == 2, [pq.text for pq in pqs]
            means: dict[str, list[float]] = {}
            for pq in pqs:
                for s in run(year, dash, pq, rng):
                    vals = [v for _, v in s.values if v is not None]
                    assert vals, (zone.id, pq.ref, s.tags)
                    lo = band.min if band.min is not None else -1e9
                    assert lo - 3 <= min(vals) and max(vals) <= band.max + 3, (zone.id, quantity)
                    means.setdefault(s.tags["sensor"], []).append(sum(vals) / len(vals))
            assert {k for k, v in means.items() if len(v) == 2}, (zone.id, quantity)
            for sensor, (raw_mean, rollup_mean) in means.items():
                assert abs(raw_mean - rollup_mean) < 2.5, (sensor, raw_mean, rollup_mean)


def test_uv_plots_only_uv_sensors_below_the_zone_uv_limit(year, dashboards):
    """Zones with a UV transmitter (profile uv) get a UV plot, the others none; it shows
    exactly those sensors, in µW/lm below the zone's uv_max, raw and rollup alike."""
    with_uv = 0
    for zone in year.facility.zones:
        dash = dashboards[f"zone-{zone.id}.json"]
        pqs = [pq for pq in queries_of(dash) if '("uv' in pq.text]
        if not zone_has_uv(year.facility, zone.id):
            assert pqs == [], zone.id
            continue
        with_uv += 1
        assert len(pqs) == 2 and pqs[0].source is pqs[1].source, zone.id
        uv_max = zone.effective_limits().uv_max
        want = {s.id for s in year.facility.sensors_in(zone.id) if measures_uv(s)}
        for pq in pqs:
            series = run(year, dash, pq, TimeRange.last(YEAR))
            assert {s.tags["sensor"] for s in series} == want, (zone.id, pq.ref)
            vals = [v for s in series for _, v in s.values if v is not None]
            assert vals and 0 < max(vals) <= uv_max, (zone.id, pq.ref)
    assert with_uv >= 2


def test_light_dose_equals_the_sum_of_the_years_readings(year, dashboards):
    now = datetime.now(UTC)
    start = now.astimezone(year.facility.site.tz).replace(
        month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    checked = 0
    for zone in year.facility.zones:
        dash = dashboards[f"zone-{zone.id}.json"]
        gauge = [p for p in dash["panels"] if p["type"] == "bargauge"]
        if not gauge:
            continue
        pq = next(pq for pq in queries_of(dash) if pq.source is gauge[0])
        got = {s.tags["sensor"]: s.values[0][1] for s in run(year, dash, pq, TimeRange.last(YEAR))}
        lo = int(start.timestamp() * 1000)
        truth = year.client.query(
            f'SELECT sum("illuminance") FROM "raw"."environment" WHERE "zone" = \'{zone.id}\' '
            f"AND time >= {lo}ms GROUP BY \"sensor\"")
        expected = {s.tags["sensor"]: s.values[0][1] for s in truth}
        assert got.keys() == expected.keys() and got, zone.id
        for sensor, dose in got.items():
            assert dose == pytest.approx(expected[sensor], rel=1e-6), sensor
        budget = zone.effective_limits().light_dose_per_year
        steps = gauge[0]["fieldConfig"]["defaults"]["thresholds"]["steps"]
        if budget is not None:
            assert steps[-1]["value"] == pytest.approx(budget)
        checked += 1
    assert checked >= 3


def test_active_alerts_are_the_latest_unresolved_events(year, dashboards):
    overview = dashboards["overview.json"]
    rng = TimeRange.last(timedelta(hours=6))
    counts: dict[str, int] = {}
    table_rows = 0
    for pq in queries_of(overview):
        if pq.kind != "panel":
            continue
        if "\"st\" != 'resolved'" in pq.text:
            zone = pq.text.split('"zone" = \'')[1].split("'")[0]
            series = run(year, overview, pq, rng)
            counts[zone] = int(series[0].values[0][1]) if series else 0
        elif pq.source["type"] == "table":
            for s in run(year, overview, pq, rng):
                assert {"value", "limit", "state", "severity", "message"} <= set(s.columns)
                table_rows += sum(1 for r in s.records() if r["state"] != "resolved")
    assert counts == year.written.active_alerts
    assert table_rows == sum(year.written.active_alerts.values()) > 0


def test_annotations_and_variables_return_what_grafana_needs(year, dashboards):
    rng = TimeRange.last(YEAR)
    for dash in dashboards.values():
        for pq in queries_of(dash):
            if pq.kind == "annotation":
                series = run(year, dash, pq, rng)
                assert series and series[0].values, dash["uid"]
                cols = set(series[0].columns)
                tags = pq.source["tagsColumn"].split(",")
                assert {pq.source["textColumn"], *tags} <= cols
            elif pq.kind == "variable":
                values = {r["value"] for s in run(year, dash, pq, rng) for r in s.records()}
                want = ({year.facility.site.id} if pq.panel == "site"
                        else {z.id for z in year.facility.zones})
                assert values == want, pq.panel


def test_pipeline_rate_is_readings_per_second(year, dashboards):
    dash = dashboards["pipeline.json"]
    pq = next(pq for pq in queries_of(dash) if "$__interval_ms" in pq.text)
    series = run(year, dash, pq, TimeRange.last(YEAR))
    assert series and series[0].tags == {"service": "collector", "instance": "collector-1"}
    assert series[0].columns == ["time", "received", "written"]
    rate = len(year.facility.sensors) / 30  # every sensor every 30 s
    rows = [r for r in series[0].records() if r["received"] is not None]
    # The first and last buckets are partly outside the year written: lower, never higher.
    assert len(rows) > 300
    assert all(r["received"] == pytest.approx(rate, rel=0.01) for r in rows[1:-1])
    assert rows[0]["received"] <= rate * 1.01 and rows[-1]["received"] <= rate * 1.01


def test_both_languages_send_the_same_queries(year, dashboards):
    en = build_all(year.facility, "en")
    for name, dash in dashboards.items():
        zh_q = [(pq.ref, pq.text) for pq in queries_of(dash)]
        en_q = [(pq.ref, pq.text) for pq in queries_of(en[name])]
        assert zh_q == en_q, name
        assert dash["title"] != en[name]["title"]
