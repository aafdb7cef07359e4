"""`cangjing`: one console script for every service and tool."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .config import Facility, FacilityError, load_facility
from .config.envref import missing
from .service import run_until_signal, setup_logging
from .settings import facility_path, influx_client, mqtt_url

app = typer.Typer(help="Cangjing (藏境): environmental monitoring for museum collection storage.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
config_app = typer.Typer(help="The facility file.", no_args_is_help=True)
alerts_app = typer.Typer(help="The alert engine (no subcommand: run the service).",
                         invoke_without_command=True)
app.add_typer(config_app, name="config")
app.add_typer(alerts_app, name="alerts")

console = Console()
err = Console(stderr=True)

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="facility file (default: $CANGJING_CONFIG or Beiqijia)"),
]


def load_or_exit(path: Path | None) -> Facility:
    """Load the facility file or print every error with its path and exit 2."""
    resolved = facility_path(path)
    try:
        return load_facility(resolved)
    except FacilityError as exc:
        err.print(f"[bold red]{exc.source}: {len(exc.errors)} error(s)[/]")
        for line in exc.errors:
            err.print(f"  {line}", markup=False, highlight=False)
        raise typer.Exit(2) from None


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
def gateway(
    config: ConfigOpt = None,
    gateway_id: Annotated[str | None, typer.Option("--id", help="gateway id")] = None,
) -> None:
    """Run the gateway: sensors in, canonical readings out."""
    from gateway.service import Gateway

    setup_logging()
    facility = load_or_exit(config)
    run_until_signal(Gateway(facility, mqtt_url(facility), gateway_id))


@app.command()
def collector(config: ConfigOpt = None) -> None:
    """Run the collector: readings in, InfluxDB out (at-least-once)."""
    from collector.service import Collector

    setup_logging()
    facility = load_or_exit(config)
    run_until_signal(Collector(facility, mqtt_url(facility), influx_client(facility)))


@alerts_app.callback()
def alerts(ctx: typer.Context, config: ConfigOpt = None) -> None:
    """Run the alert engine when no subcommand is given."""
    if ctx.invoked_subcommand is not None:
        return
    from alerts.service import AlertService

    setup_logging()
    facility = load_or_exit(config)
    run_until_signal(AlertService(facility, mqtt_url(facility), influx_client(facility)))


@app.command()
def sim(
    config: ConfigOpt = None,
    interval: Annotated[float | None, typer.Option(help="seconds between reports")] = None,
    seed: Annotated[int, typer.Option(help="random seed")] = 1,
    breach: Annotated[
        list[str] | None,
        typer.Option(help="ZONE:QUANTITY:DELTA, e.g. A1:humidity:+15 (repeatable)"),
    ] = None,
) -> None:
    """Run the simulated field side (MQTT sensor nodes of the facility)."""
    from firmware_sim.nodes import FacilityModel, MqttNodes

    setup_logging()
    facility = load_or_exit(config)
    model = FacilityModel(facility, seed=seed)
    for spec in breach or []:
        try:
            zone, quantity, delta = spec.split(":")
            model.zones[zone].offsets[quantity] = float(delta)
        except (ValueError, KeyError):
            err.print(f"--breach {spec!r}: expected ZONE:QUANTITY:DELTA with a known zone")
            raise typer.Exit(2) from None
    run_until_signal(MqttNodes(facility, mqtt_url(facility), model=model, interval=interval))


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


if __name__ == "__main__":
    app()
