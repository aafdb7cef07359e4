"""InfluxDB line protocol, encoded fast for the collector's hot path.

influxdb-client's `Point` is the reference (tests/test_lineprotocol.py checks this module
against it with hypothesis); it costs several times more per point, so it is not used here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .conservation_basics import dew_point
from .reading import Reading

_MEASUREMENT_ESC = str.maketrans({",": r"\,", " ": r"\ ", "\n": r"\n", "\r": r"\r", "\t": r"\t"})
_TAG_ESC = str.maketrans(
    {",": r"\,", "=": r"\=", " ": r"\ ", "\n": r"\n", "\r": r"\r", "\t": r"\t", "\\": "\\\\"}
)
_STR_ESC = str.maketrans({'"': r"\"", "\\": "\\\\", "\n": r"\n", "\r": r"\r", "\t": r"\t"})


class LineProtocolError(ValueError):
    """A point that cannot be written (no fields, a non-finite number, an empty tag key)."""


def _field(key: str, value: object) -> str:
    k = key.translate(_TAG_ESC)
    if isinstance(value, bool):
        return f"{k}={'true' if value else 'false'}"
    if isinstance(value, int):
        return f"{k}={value}i"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise LineProtocolError(f"field {key!r} is {value}, not a finite number")
        return f"{k}={value!r}"
    return f'{k}="{str(value).translate(_STR_ESC)}"'


def encode(
    measurement: str,
    tags: Mapping[str, str],
    fields: Mapping[str, object],
    time_ns: int,
) -> str:
    """One line of line protocol; tags sorted by key as InfluxDB prefers them."""
    if not fields:
        raise LineProtocolError("a point needs at least one field")
    head = measurement.translate(_MEASUREMENT_ESC)
    for key in sorted(tags):
        value = tags[key]
        if value == "" or value is None:
            continue  # InfluxDB refuses empty tag values; an absent tag means the same
        head += f",{key.translate(_TAG_ESC)}={str(value).translate(_TAG_ESC)}"
    body = ",".join(_field(k, v) for k, v in fields.items() if v is not None)
    if not body:
        raise LineProtocolError("a point needs at least one non-null field")
    return f"{head} {body} {time_ns}"


def reading_fields(reading: Reading) -> dict[str, float]:
    """The stored fields of a reading: its values plus the derived dew point."""
    fields = {k.value: float(v) for k, v in reading.values.items()}
    t, rh = fields.get("temperature"), fields.get("humidity")
    if t is not None and rh is not None and rh > 0:
        fields["dew_point"] = round(dew_point(t, rh), 3)
    return fields


def reading_line(reading: Reading, measurement: str = "environment") -> str:
    """The `environment` point of a reading; same reading -> same series and time."""
    time_ns = round(reading.epoch * 1000) * 1_000_000
    tags = {"site": reading.site, "zone": reading.zone, "sensor": reading.sensor}
    return encode(measurement, tags, reading_fields(reading), time_ns)
