"""`cangjing alerts` (the service) and its subcommands."""

from __future__ import annotations

import typer

from cangjing.cli_common import ConfigOpt, load_or_exit
from cangjing.service import run_until_signal, setup_logging
from cangjing.settings import influx_client, mqtt_url

alerts_app = typer.Typer(help="The alert engine (no subcommand: run the service).",
                         invoke_without_command=True)


@alerts_app.callback()
def alerts(ctx: typer.Context, config: ConfigOpt = None) -> None:
    """Run the alert engine when no subcommand is given."""
    if ctx.invoked_subcommand is not None:
        return
    from .service import AlertService

    setup_logging()
    facility = load_or_exit(config)
    run_until_signal(AlertService(facility, mqtt_url(facility), influx_client(facility)))


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")
