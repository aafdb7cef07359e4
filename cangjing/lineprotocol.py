"""InfluxDB line protocol, encoded fast for the collector's hot path.

influxdb-client's `Point` is the reference: collector/tests/test_lineprotocol.py checks this
module against it with hypothesis, byte for byte (same escaping, tags and fields sorted by
key, floats without a trailing ".0"). One deliberate difference: `Point` silently drops a
NaN or infinite field, this module refuses the point (LineProtocolError), because a
reading that lost a value without a word is worse than one that is dead-lettered.
`Point` costs several times more per point, so it is not used on the hot path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache

from .conservation.dewpoint import dew_point
from .reading import PHYSICAL_BOUNDS, Reading

# The same escapes as influxdb_client.client.write.point (the oracle).
_MEASUREMENT_ESC = str.maketrans({",": r"\,", " ": r"\ ", "\n": r"\n", "\r": r"\r", "\t": r"\t"})
_KEY_ESC = str.maketrans(
    {",": r"\,", "=": r"\=", " ": r"\ ", "\n": r"\n", "\r": r"\r", "\t": r"\t"}
)
_STR_ESC = str.maketrans({'"': r"\"", "\\": "\\\\"})


# A temperature no working sensor gives (the gateway flags it) gets no derived dew point.
_T_MIN, _T_MAX = PHYSICAL_BOUNDS["temperature"]


class LineProtocolError(ValueError):
    """A point that cannot be written (no fields, a non-finite number)."""


def _float_text(value: float) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _field(key: str, value: object) -> str:
    k = key.translate(_KEY_ESC)
    if isinstance(value, bool):
        return f"{k}={'true' if value else 'false'}"
    if isinstance(value, int):
        return f"{k}={value}i"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise LineProtocolError(f"field {key!r} is {value}, not a finite number")
        return f"{k}={_float_text(value)}"
    return f'{k}="{str(value).translate(_STR_ESC)}"'


def _tag_value(value: object) -> str:
    text = str(value).translate(_KEY_ESC)
    # A trailing backslash would escape the separator; the oracle appends a space.
    return text + " " if text.endswith("\\") else text


@lru_cache(maxsize=65536)
def series_key(measurement: str, tags: tuple[tuple[str, str], ...]) -> str:
    """Measurement and sorted tags, escaped: the part of a line before the fields.

    Cached because a facility has a few hundred series and every reading repeats one."""
    head = measurement.translate(_MEASUREMENT_ESC)
    for key, value in sorted(tags):
        k, v = key.translate(_KEY_ESC), _tag_value(value)
        if k and v:  # InfluxDB refuses empty tag keys and values; absent means the same
            head += f",{k}={v}"
    return head


def encode(
    measurement: str,
    tags: Mapping[str, str | None],
    fields: Mapping[str, object],
    time_ns: int,
) -> str:
    """One line of line protocol; tags and fields sorted by key as `Point` writes them."""
    items = tuple((k, str(v)) for k, v in tags.items() if v is not None)
    head = series_key(measurement, items)
    body = ",".join(_field(k, fields[k]) for k in sorted(fields) if fields[k] is not None)
    if not body:
        raise LineProtocolError("a point needs at least one non-null field")
    return f"{head} {body} {time_ns}"


def reading_fields(reading: Reading) -> dict[str, float]:
    """The stored fields of a reading: its values plus the derived dew point."""
    fields = {k.value: float(v) for k, v in reading.values.items()}
    t, rh = fields.get("temperature"), fields.get("humidity")
    if (t is not None and rh is not None and 0 < rh <= 100  # outside: flagged, no dew point
            and _T_MIN <= t <= _T_MAX):
        try:
            dp = dew_point(t, rh)
        except (ValueError, OverflowError, ZeroDivisionError):
            # Outside the Magnus form (an absurd temperature: a flagged or broken sensor):
            # no derived value, but the measured values are still stored.
            return fields
        if math.isfinite(dp):
            fields["dew_point"] = round(dp, 3)
    return fields


# InfluxDB stores nanoseconds since 1970 in a signed 64-bit integer.
TIME_NS_MIN, TIME_NS_MAX = -(2**63) + 2, 2**63 - 1


def reading_line(reading: Reading, measurement: str = "environment") -> str:
    """The `environment` point of a reading; same reading -> same series and time (ms)."""
    time_ns = round(reading.epoch * 1000) * 1_000_000
    if not TIME_NS_MIN <= time_ns <= TIME_NS_MAX:
        raise LineProtocolError(
            f"time {reading.time.isoformat()} is outside InfluxDB's range (1677 to 2262)"
        )
    head = series_key(
        measurement, (("sensor", reading.sensor), ("site", reading.site), ("zone", reading.zone))
    )
    fields = reading_fields(reading)
    parts = []
    for key in sorted(fields):
        value = fields[key]
        if not math.isfinite(value):
            raise LineProtocolError(f"field {key!r} is {value}, not a finite number")
        parts.append(f"{key}={_float_text(value)}")
    return f"{head} {','.join(parts)} {time_ns}"
