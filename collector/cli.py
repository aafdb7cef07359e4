"""`cangjing collector` and `cangjing collector-forget`."""

from __future__ import annotations

from typing import Annotated

import typer

from cangjing.cli_common import ConfigOpt, load_or_exit
from cangjing.service import run_until_signal, setup_logging
from cangjing.settings import influx_client, mqtt_url

InstanceOpt = Annotated[
    str | None,
    typer.Option("--instance", help="name in the group (default $CANGJING_COLLECTOR_INSTANCE "
                 "or the host name); names the persistent session and the spool file"),
]


def register(app: typer.Typer) -> None:
    @app.command()
    def collector(config: ConfigOpt = None, instance: InstanceOpt = None) -> None:
        """Run the collector: readings in, InfluxDB out (at-least-once)."""
        from .service import Collector

        setup_logging()
        facility = load_or_exit(config)
        run_until_signal(Collector(facility, mqtt_url(facility), influx_client(facility),
                                   instance=instance))

    @app.command("collector-forget")
    def collector_forget(config: ConfigOpt = None, instance: InstanceOpt = None) -> None:
        """Retire a collector instance: end its persistent session on the broker.

        A stopped member of a shared subscription keeps being handed its share of the
        readings; run this once the instance is stopped for good and its spool is empty."""
        from .service import forget_session

        setup_logging()
        facility = load_or_exit(config)
        forget_session(mqtt_url(facility), instance)
