"""`cangjing collector`."""

from __future__ import annotations

import typer

from cangjing.cli_common import ConfigOpt, load_or_exit
from cangjing.service import run_until_signal, setup_logging
from cangjing.settings import influx_client, mqtt_url


def register(app: typer.Typer) -> None:
    @app.command()
    def collector(config: ConfigOpt = None) -> None:
        """Run the collector: readings in, InfluxDB out (at-least-once)."""
        from .service import Collector

        setup_logging()
        facility = load_or_exit(config)
        run_until_signal(Collector(facility, mqtt_url(facility), influx_client(facility)))
