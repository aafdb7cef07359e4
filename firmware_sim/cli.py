"""`cangjing sim`: the simulated field side."""

from __future__ import annotations

from typing import Annotated

import typer

from cangjing.cli_common import ConfigOpt, err, load_or_exit
from cangjing.service import run_until_signal, setup_logging
from cangjing.settings import mqtt_url


def register(app: typer.Typer) -> None:
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
        from .nodes import FacilityModel, MqttNodes

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
