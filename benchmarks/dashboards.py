"""Dashboards: how long every panel's queries take over one year of the whole facility.

    .venv/bin/python -m benchmarks.dashboards [--repeat 5]

A private influxd gets a simulated year of the Beiqijia facility (dashboards.simyear with
REAL_CADENCE: `environment` hourly for the year and every 30 s for the last two days, which
is all the raw half of a plot ever reads; the hourly rollups backfilled; hourly preservation
and sensor health, pipeline metrics every 10 min). Then every query of every generated
dashboard runs as Grafana would send it (dashboards.render), over the last 365 days and over
the dashboard's own default range. A panel's time is the sum of its queries' medians (Grafana
may run them in parallel, so this is the pessimistic figure). Prints Markdown and writes it
into the "Dashboards" section of BENCHMARKS.md. Aim: every panel under 1 s for a year.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import cpu_model, write_section
from cangjing.config import Facility, load_facility
from cangjing.influx import InfluxClient
from cangjing.settings import DEFAULT_FACILITY
from cangjing.stack import Influxd
from dashboards.build import build_all
from dashboards.grafana import Json
from dashboards.render import (
    TimeRange,
    format_ms,
    interpolate,
    interval_ms,
    panel_range,
    queries_of,
)
from dashboards.simyear import REAL_CADENCE, write_year

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Dashboards"
SPANS = {"now-6h": timedelta(hours=6), "now-24h": timedelta(hours=24),
         "now-7d": timedelta(days=7)}
AIM_MS = 1000.0


def machine() -> str:
    cpu = cpu_model()
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    influxd = subprocess.run(["influxd", "version"], capture_output=True, text=True).stdout.strip()
    return f"{nproc} CPU(s), {cpu}; {influxd}; Python {platform.python_version()}"


def variables(dash: Json, site: str, zones: list[str]) -> dict[str, list[str]]:
    values = {"site": [site]}
    for v in dash["templating"]["list"]:
        if v["type"] == "constant":
            values[v["name"]] = [v["query"]]
        elif v["name"] == "zone":
            values["zone"] = zones
    return values


def time_query(client: InfluxClient, text: str, repeat: int) -> tuple[float, int]:
    """Median wall time (ms) of the query, and how many rows it returned."""
    times, rows = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        series = client.query(text)
        times.append((time.perf_counter() - t0) * 1000)
        rows = sum(len(s.values) for s in series)
    return statistics.median(times), rows


def measure(client: InfluxClient, docs: dict[str, Json], site: str, zones: list[str], tz: str,
            repeat: int) -> list[dict]:
    """One row per panel (and per annotation / variable query) of every dashboard."""
    out: list[dict] = []
    year = TimeRange.last(timedelta(days=365))
    for name, dash in docs.items():
        default = TimeRange.last(SPANS[dash["time"]["from"]])
        panels: dict[tuple[str, str], dict] = {}
        for pq in queries_of(dash):
            row = panels.setdefault((pq.kind, pq.panel), {
                "dashboard": name, "panel": pq.panel, "kind": pq.kind, "queries": 0,
                "year_ms": 0.0, "default_ms": 0.0, "rows": 0})
            for key, rng in (("year_ms", year), ("default_ms", default)):
                text = interpolate(pq.text, variables(dash, site, zones),
                                   panel_range(pq.source, rng, tz), pq.source.get("interval"))
                ms, rows = time_query(client, text, repeat)
                row[key] += ms
                if key == "year_ms":
                    row["rows"] += rows
            row["queries"] += 1
        out += panels.values()
    return out


def raw_vs_rollup(url: str, facility: Facility, repeat: int, days: int = 30) -> dict[str, float]:
    """What the rollups buy: zone A1's temperature plot over `days` of 30-s readings, read
    from raw points versus from the hourly rollup (each sensor reports every 30 s)."""
    from cangjing.lineprotocol import encode
    from cangjing.rollups import backfill

    client = InfluxClient(url, "bench_raw", timeout=600)
    client.ensure_database()
    zone = facility.zones[0]
    sensors = [s.id for s in facility.sensors_in(zone.id)]
    end = int(time.time()) // 60 * 60
    start = end - days * 86400
    client.write_lines((encode("environment", {"site": facility.site.id, "zone": zone.id,
                                               "sensor": sensor},
                               {"temperature": 20.0 + i * 0.1 + (ts % 3600) / 36000},
                               ts * 1_000_000_000)
                        for ts in range(start, end, 30) for i, sensor in enumerate(sensors)),
                       batch=10_000)
    backfill(client, datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC))
    rng = TimeRange.last(timedelta(days=days))
    lo, hi = rng.ms
    where = f"\"zone\" = '{zone.id}' AND time >= {lo}ms AND time <= {hi}ms"
    step = format_ms(interval_ms(rng))
    raw_ms, _ = time_query(client, f'SELECT mean("temperature") FROM "raw"."environment" '
                           f'WHERE {where} GROUP BY time({step}), "sensor"', repeat)
    rollup_ms, _ = time_query(client, f'SELECT mean("temperature_mean") FROM "rollup".'
                              f'"environment_1h" WHERE {where} GROUP BY time({step}), "sensor"',
                              repeat)
    return {"days": days, "points": (end - start) // 30 * len(sensors), "raw_ms": raw_ms,
            "rollup_ms": rollup_ms}


def markdown(rows: list[dict], written: dict[str, int], setup_s: float, repeat: int,
             raw: dict[str, float]) -> str:
    slow = [r for r in rows if r["year_ms"] >= AIM_MS]
    worst = max(rows, key=lambda r: r["year_ms"])
    lines = [
        SECTION, "",
        f"Command: `.venv/bin/python -m benchmarks.dashboards --repeat {repeat}` "
        f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)  ",
        f"Machine: {machine()}  ",
        "Data: one simulated year of Beiqijia (9 zones, 25 sensors): "
        + ", ".join(f"{k} {v:,}" for k, v in written.items())
        + f" points; hourly rollups backfilled (setup {setup_s:.0f} s).", "",
        f"Every panel query as Grafana sends it (variables and macros substituted), median of "
        f"{repeat} runs; a panel's time is the sum over its queries. **{len(rows) - len(slow)} of "
        f"{len(rows)} panels/annotations/variables under {AIM_MS:.0f} ms over a year**; slowest: "
        f"{worst['dashboard']} / {worst['panel']} {worst['year_ms']:.0f} ms.", "",
        f"Raw versus rollup: zone A1's temperature plot over {raw['days']} days of 30-s "
        f"readings ({raw['points']:,} raw points): {raw['raw_ms']:.0f} ms from raw points, "
        f"{raw['rollup_ms']:.0f} ms from the hourly rollup; a year of raw points would be "
        f"~{365 / raw['days']:.0f}× the raw figure (~{raw['raw_ms'] * 365 / raw['days']:,.0f} ms "
        "per zone plot), which is why long ranges read the rollup.", "",
        "Per dashboard (all panels, queries run one after another):", "",
        "| dashboard | panels | queries | slowest panel (1 year) | ms | all panels, 1 year ms "
        "| all panels, default range ms |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    by_dash: dict[str, list[dict]] = {}
    for r in rows:
        by_dash.setdefault(r["dashboard"], []).append(r)
    for name, rs in by_dash.items():
        w = max(rs, key=lambda r: r["year_ms"])
        lines.append(f"| {name} | {sum(r['kind'] == 'panel' for r in rs)} | "
                     f"{sum(r['queries'] for r in rs)} | {w['panel']} | {w['year_ms']:.0f} | "
                     f"{sum(r['year_ms'] for r in rs):.0f} | "
                     f"{sum(r['default_ms'] for r in rs):.0f} |")
    lines += ["", "Every panel of the overview, zone A1, sensor health and pipeline health:", "",
              "| dashboard | panel | kind | queries | rows (1 year) | 1 year ms "
              "| default range ms |",
              "|---|---|---|---:|---:|---:|---:|"]
    for r in rows:
        if r["dashboard"] in ("overview.json", "zone-A1.json", "sensors.json", "pipeline.json"):
            lines.append(f"| {r['dashboard']} | {r['panel']} | {r['kind']} | {r['queries']} | "
                         f"{r['rows']:,} | {r['year_ms']:.1f} | {r['default_ms']:.1f} |")
    return "\n".join(lines) + "\n"



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    facility = load_facility(DEFAULT_FACILITY)
    with tempfile.TemporaryDirectory() as tmp:
        server = Influxd(Path(tmp))
        server.start(timeout=60)
        try:
            client = InfluxClient(server.url, "bench", timeout=600)
            client.ensure_database()
            t0 = time.perf_counter()
            written = write_year(client, facility, datetime.now(UTC), cadence=REAL_CADENCE)
            setup_s = time.perf_counter() - t0
            rows = measure(client, build_all(facility, "zh"), facility.site.id,
                           [z.id for z in facility.zones], facility.site.timezone, args.repeat)
            raw = raw_vs_rollup(server.url, facility, args.repeat)
        finally:
            server.stop()
    text = markdown(rows, written.points, setup_s, args.repeat, raw)
    print(text)
    if not args.no_write:
        write_section(SECTION, text)
    return 0 if all(r["year_ms"] < AIM_MS for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
