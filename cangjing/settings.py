"""Resolving what a command runs on: the facility file and the connections."""

from __future__ import annotations

import os
from pathlib import Path

from .config import Facility, load_facility
from .config.connections import influx_settings, mqtt_settings
from .influx import InfluxClient

DEFAULT_FACILITY = Path(__file__).resolve().parent.parent / "config" / "beiqijia.yaml"


def facility_path(explicit: str | Path | None = None) -> Path:
    """--config, else CANGJING_CONFIG, else the Beiqijia facility shipped with the project."""
    return Path(explicit or os.environ.get("CANGJING_CONFIG") or DEFAULT_FACILITY)


def mqtt_url(facility: Facility) -> str:
    return mqtt_settings(facility.mqtt).url


def influx_client(facility: Facility) -> InfluxClient:
    s = influx_settings(facility.influx)
    return InfluxClient(
        s.url, s.database, user=s.user,
        password=s.password.get_secret_value() if s.password else None,
        token=s.token.get_secret_value() if s.token else None,
    )


__all__ = ["facility_path", "influx_client", "load_facility", "mqtt_url"]
