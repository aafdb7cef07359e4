"""`cangjing mqtt-acl`, `cangjing influx-setup`, `cangjing health`: setting a deployment up
and checking that a service's credentials work."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cangjing.cli_common import ConfigOpt, err, load_or_exit

# The checkout this package runs from: secrets must not be generated into it.
PROJECT_DIR = Path(__file__).resolve().parents[2]


def register(app: typer.Typer) -> None:
    app.command("mqtt-acl")(mqtt_acl)
    app.command("influx-setup")(influx_setup)
    app.command("health")(health)


def mqtt_acl(
    out: Annotated[Path, typer.Option("--out", help="folder for Mosquitto's passwd and acl")],
    config: ConfigOpt = None,
    credentials: Annotated[
        Path | None,
        typer.Option(help="KEY=value file of the MQTT passwords (default: OUT/credentials.env)"),
    ] = None,
) -> None:
    """Generate Mosquitto's password and ACL files from the facility file.

    Each user's password comes from CANGJING_MQTT_PASSWORD_<USER> in the environment, else
    from the credentials file, else it is generated and added to the credentials file."""
    from cangjing.settings import facility_path

    from .acl import AclError, write_broker_files
    from .credentials import CredentialsError, inside

    facility = load_or_exit(config)
    credentials = credentials or out / "credentials.env"
    for path in (out, credentials):
        if inside(path, PROJECT_DIR):
            err.print(f"refusing to write secrets into the project checkout: {path}\n"
                      "  use a folder outside it, e.g. /etc/cangjing/mqtt", markup=False)
            raise typer.Exit(2)
    try:
        files = write_broker_files(facility, out, credentials,
                                   source=facility_path(config).name)
    except (AclError, CredentialsError) as exc:
        err.print(f"mqtt-acl: {exc}", markup=False)
        raise typer.Exit(2) from None
    pw = files.passwords
    print(f"wrote {files.passwd} ({len(files.users)} users) and {files.acl}")
    print(f"passwords: {len(pw.from_env)} from the environment, {len(pw.kept)} kept, "
          f"{len(pw.generated)} generated into {credentials} (mode 0600)")


def influx_setup(config: ConfigOpt = None) -> None:
    """Create the database, its retention policies and the rollups (needs an admin user:
    set CANGJING_INFLUX_USER/PASSWORD to InfluxDB's admin for this command only)."""
    from cangjing.config.connections import influx_settings
    from cangjing.influx import InfluxError, retention_text
    from cangjing.rollups import ensure_rollups
    from cangjing.service import setup_logging
    from cangjing.settings import influx_client

    setup_logging()
    facility = load_or_exit(config)
    client = influx_client(facility)
    retention = retention_text(influx_settings(facility.influx).raw_retention.total_seconds())
    try:
        client.ensure_database(retention)
        ensure_rollups(client)
    except InfluxError as exc:
        err.print(f"influx-setup: {exc}", markup=False)
        raise typer.Exit(1) from None
    print(f"database {client.database} ready at {client.url} (raw retention {retention})")


def health(
    config: ConfigOpt = None,
    mqtt: Annotated[bool, typer.Option(help="log in to the broker")] = True,
    influx: Annotated[bool, typer.Option(help="query InfluxDB with its credentials")] = False,
    timeout: Annotated[float, typer.Option(help="seconds for each check")] = 10.0,
) -> None:
    """Check that this service's credentials work: exit 0 when the broker (and InfluxDB)
    accept them, 1 otherwise. For container health checks and after an install."""
    import os

    from .checks import check_influx, check_mqtt

    facility = load_or_exit(config)
    problems = []
    if mqtt:
        problems += check_mqtt(facility, f"cangjing-health-{os.getpid()}", timeout)
    if influx:
        problems += check_influx(facility)
    for problem in problems:
        err.print(f"unhealthy: {problem}", markup=False)
    if problems:
        raise typer.Exit(1)
    print("healthy")
