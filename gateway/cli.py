"""`cangjing gateway`."""

from __future__ import annotations

from typing import Annotated

import typer

from cangjing.cli_common import ConfigOpt, err, load_or_exit
from cangjing.service import run_until_signal, setup_logging
from cangjing.settings import mqtt_url


def register(app: typer.Typer) -> None:
    @app.command()
    def gateway(
        config: ConfigOpt = None,
        gateway_id: Annotated[str | None, typer.Option("--id", help="gateway id")] = None,
    ) -> None:
        """Run the gateway: sensors in, canonical readings out."""
        from .outbox import OutboxError
        from .service import Gateway

        setup_logging()
        facility = load_or_exit(config)
        if gateway_id and gateway_id not in {g.id for g in facility.gateways}:
            known = ", ".join(g.id for g in facility.gateways) or "none"
            err.print(f"--id {gateway_id}: no such gateway in the facility file ({known})")
            raise typer.Exit(2)
        try:
            gw = Gateway(facility, mqtt_url(facility), gateway_id)
        except OutboxError as exc:
            err.print(str(exc), markup=False)
            raise typer.Exit(2) from None
        run_until_signal(gw)
