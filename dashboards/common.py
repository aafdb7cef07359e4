"""What every dashboard shares: uids, the site variable, links, light- and UV-capable sensors."""

from __future__ import annotations

from cangjing.config import Facility
from cangjing.config.sensors import Decoder, Sensor, Transport

from . import queries as q
from .grafana import Json, query_variable, tag_link, target
from .texts import text

TAG = "cangjing"
ZONE_TAG = "cangjing-zone"
LIGHT_PROFILES = {"lux", "uv"}
UV_PROFILES = {"uv"}


def uid(name: str, lang: str) -> str:
    """Dashboard uid: stable across builds, one per language (both may live in one Grafana)."""
    return f"cangjing-{name}" if lang == "zh" else f"cangjing-{name}-en"


def zone_uid(zone_id: str, lang: str) -> str:
    return uid(f"zone-{zone_id.lower()}", lang)


def site_variable(facility: Facility, lang: str) -> Json:
    return query_variable("site", text("site", lang), q.site_values(), default=facility.site.id)


def links(lang: str) -> list[Json]:
    return [tag_link(text("dashboards_link", lang), TAG),
            tag_link(text("zones_link", lang), ZONE_TAG)]


def targets(queries: list[q.Query]) -> list[Json]:
    """Grafana targets A, B, C, ... for the queries, in order."""
    return [target(chr(ord("A") + i), qu.text, alias=qu.alias, table=qu.table)
            for i, qu in enumerate(queries)]


def measures_light(sensor: Sensor) -> bool:
    """Whether a sensor reports illuminance: the facility file does not say so directly.

    Modbus transmitters with the `lux` or `uv` profile, USB-serial nodes (their $CJTH line
    carries lux) and our own JSON MQTT nodes do; temperature/RH transmitters and Tasmota
    nodes do not. Light panels are drawn only for zones with such a sensor.
    """
    if sensor.transport is Transport.modbus:
        return sensor.profile in LIGHT_PROFILES
    if sensor.transport is Transport.ascii:
        return True
    return sensor.decoder is Decoder.cangjing_json


def zone_has_light(facility: Facility, zone_id: str) -> bool:
    return any(measures_light(s) for s in facility.sensors_in(zone_id))


def measures_uv(sensor: Sensor) -> bool:
    """Whether a sensor reports `uv` (µW/lm): Modbus transmitters with the `uv` profile (its
    register map carries UV relative to light). Other transports are not assumed to measure
    UV; a UV panel is drawn only for zones with such a transmitter."""
    return sensor.transport is Transport.modbus and sensor.profile in UV_PROFILES


def zone_has_uv(facility: Facility, zone_id: str) -> bool:
    return any(measures_uv(s) for s in facility.sensors_in(zone_id))
