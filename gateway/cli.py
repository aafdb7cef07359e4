"""`cangjing gateway`."""

from __future__ import annotations

from typing import Annotated

import typer

from cangjing.cli_common import ConfigOpt, load_or_exit
from cangjing.service import run_until_signal, setup_logging
from cangjing.settings import mqtt_url


def register(app: typer.Typer) -> None:
    @app.command()
    def gateway(
        config: ConfigOpt = None,
        gateway_id: Annotated[str | None, typer.Option("--id", help="gateway id")] = None,
    ) -> None:
        """Run the gateway: sensors in, canonical readings out."""
        from .service import Gateway

        setup_logging()
        facility = load_or_exit(config)
        run_until_signal(Gateway(facility, mqtt_url(facility), gateway_id))
