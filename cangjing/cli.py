"""`cangjing`: one console script for every service and tool."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .cli_common import ConfigOpt, console, load_or_exit
from .config import Facility
from .config.envref import missing
from .service import setup_logging
from .settings import facility_path

app = typer.Typer(help="Cangjing (藏境): environmental monitoring for museum collection storage.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
config_app = typer.Typer(help="The facility file.", no_args_is_help=True)
app.add_typer(config_app, name="config")

@config_app.command("check")
def config_check(
    file: Annotated[Path, typer.Argument(help="facility file to validate")],
    as_json: Annotated[bool, typer.Option("--json", help="print the resolved facility")] = False,
) -> None:
    """Validate a facility file; print the resolved zones and their limits."""
    facility = load_or_exit(file)
    if as_json:
        print(json.dumps(resolved_facility(facility), ensure_ascii=False, indent=2))
        return
    site = facility.site
    console.print(f"[bold]{site.name}[/] ({site.id}, {site.timezone}): "
                  f"{len(facility.zones)} zones, {len(facility.sensors)} sensors, "
                  f"{len(facility.gateways)} gateway(s)")
    table = Table("zone", "name", "material", "T °C", "RH %", "swing RH/T", "lux max",
                  "dose lx·h/yr", "sensors")
    for z in facility.zones:
        lim = z.effective_limits()
        table.add_row(
            z.id, z.name, z.material.value,
            f"{_g(lim.temperature.min)}–{_g(lim.temperature.max)}",
            f"{_g(lim.humidity.min)}–{_g(lim.humidity.max)}",
            f"{lim.humidity_swing:g} / {lim.temperature_swing:g}",
            f"{lim.illuminance_max:g}",
            "-" if lim.light_dose_per_year is None else f"{lim.light_dose_per_year:,.0f}",
            str(len(facility.sensors_in(z.id))),
        )
    console.print(table)
    for ch in facility.notifications.channels:
        absent = missing(ch.url)
        if absent:
            console.print(f"channel {ch.id}: disabled until set: {', '.join(absent)}")
    console.print("[green]OK[/]")


def _g(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def resolved_facility(facility: Facility) -> dict:
    """The facility with effective limits, for tools (secrets stay as ${ENV} references)."""
    doc = facility.model_dump(mode="json", exclude={"influx": {"password", "token"}})
    for zone_doc, zone in zip(doc["zones"], facility.zones, strict=True):
        zone_doc["effective_limits"] = zone.effective_limits().model_dump(mode="json")
        zone_doc["light_class"] = zone.effective_light_class().value
    return doc


@app.command()
def up(
    config: ConfigOpt = None,
    interval: Annotated[float, typer.Option(help="simulated sensors report every N s")] = 2.0,
    duration: Annotated[float | None, typer.Option(help="stop after N seconds")] = None,
    breach: Annotated[list[str] | None, typer.Option(help="as for `sim`")] = None,
    live: Annotated[bool, typer.Option(help="show the live zone table")] = True,
) -> None:
    """Run the whole system locally: Mosquitto, InfluxDB, simulated facility, services."""
    from .up import run_up

    setup_logging()
    raise typer.Exit(run_up(facility_path(config), interval=interval, duration=duration,
                            breach=breach or [], live=live))


def _register_services() -> None:
    """Each service folder adds its own commands (its cli.py has `register(app)`)."""
    import importlib

    for folder in SERVICE_FOLDERS:
        try:
            module = importlib.import_module(f"{folder}.cli")
        except ModuleNotFoundError as exc:
            if exc.name not in (folder, f"{folder}.cli"):
                raise
            continue
        module.register(app)


SERVICE_FOLDERS = ("gateway", "collector", "alerts", "firmware_sim", "dashboards",
                   "cangjing.reports", "cangjing.security")
_register_services()

if __name__ == "__main__":
    app()
