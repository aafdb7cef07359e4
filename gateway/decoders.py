"""Decoders for MQTT node payloads: device format -> (time, values in canonical units)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from cangjing.config.sensors import Decoder
from cangjing.payload import json_object


class DecodeError(ValueError):
    """The payload is not in the sensor's format; the message says what is wrong."""


Decoded = tuple[datetime, dict[str, float]]

_OUR_KEYS = {"t": "temperature", "rh": "humidity", "lux": "illuminance", "uv": "uv",
             "bat": "battery"}


def _number(doc: dict[str, Any], key: str) -> float:
    value = doc[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DecodeError(f"{key} is {value!r}, not a number")
    if not math.isfinite(value):
        raise DecodeError(f"{key} is not a finite number")
    return float(value)


def _json_object(payload: bytes) -> dict[str, Any]:
    return json_object(payload, DecodeError)


def decode_cangjing_json(payload: bytes, received: datetime, tz: ZoneInfo) -> Decoded:
    """{"ts": 1764000000.0, "t": 20.4, "rh": 55.2, "lux": 12, "uv": 3, "bat": 3.0}"""
    doc = _json_object(payload)
    values = {name: _number(doc, key) for key, name in _OUR_KEYS.items() if key in doc}
    if not values:
        raise DecodeError("no known value (t, rh, lux, uv, bat)")
    when = received
    if "ts" in doc:
        when = datetime.fromtimestamp(_number(doc, "ts"), tz=UTC)
    return when, values


_TASMOTA_FIELDS = {"Temperature": "temperature", "Humidity": "humidity",
                   "Illuminance": "illuminance", "UvIndex": None}


def decode_tasmota(payload: bytes, received: datetime, tz: ZoneInfo) -> Decoded:
    """Tasmota tele/<device>/SENSOR: {"Time": local, "<SENSOR>": {"Temperature": .., ...}}"""
    doc = _json_object(payload)
    values: dict[str, float] = {}
    for section in doc.values():
        if not isinstance(section, dict):
            continue
        for key, name in _TASMOTA_FIELDS.items():
            if name and key in section and name not in values:
                values[name] = _number(section, key)
    if not values:
        raise DecodeError("no sensor section with Temperature, Humidity or Illuminance")
    if doc.get("TempUnit", "C") == "F" and "temperature" in values:
        values["temperature"] = (values["temperature"] - 32) * 5 / 9
    when = received
    if isinstance(doc.get("Time"), str):
        try:
            local = datetime.fromisoformat(doc["Time"])
        except ValueError:
            raise DecodeError(f"Time {doc['Time']!r} is not ISO 8601") from None
        # Tasmota sends its local time without a zone: the site's zone is assumed.
        when = (local if local.tzinfo else local.replace(tzinfo=tz)).astimezone(UTC)
    return when, values


DECODERS = {
    Decoder.cangjing_json: decode_cangjing_json,
    Decoder.tasmota: decode_tasmota,
}


def decode(decoder: Decoder, payload: bytes, received: datetime, tz: ZoneInfo) -> Decoded:
    return DECODERS[decoder](payload, received, tz)
