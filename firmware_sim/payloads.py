"""Device payloads as MQTT sensor nodes send them (the gateway's decoders read these)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from .determinism import rng


def cangjing_json(values: dict[str, float], when: datetime, battery: float = 3.0) -> bytes:
    """Our own nodes: compact keys, epoch seconds."""
    doc = {
        "ts": round(when.timestamp(), 3),
        "t": round(values["temperature"], 2),
        "rh": round(values["humidity"], 1),
        "bat": round(battery, 2),
    }
    if "illuminance" in values:
        doc["lux"] = round(values["illuminance"], 1)
    return json.dumps(doc, separators=(",", ":")).encode()


def tasmota_sensor(values: dict[str, float], when: datetime, tz: ZoneInfo) -> bytes:
    """Tasmota's tele/<device>/SENSOR with an SI7021 and a BH1750: local time, no zone."""
    doc = {
        "Time": when.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S"),
        "SI7021": {
            "Temperature": round(values["temperature"], 1),
            "Humidity": round(values["humidity"], 1),
            "DewPoint": 0.0,
        },
        "TempUnit": "C",
    }
    if "illuminance" in values:
        doc["BH1750"] = {"Illuminance": round(values["illuminance"])}
    return json.dumps(doc, separators=(",", ":")).encode()


def garble(payload: bytes, key: str) -> bytes:
    """What a noisy link makes of a frame: cut short, or with bytes overwritten by line
    noise. Always breaks the JSON framing (a flipped digit that still parses would be a
    wrong value, which a checksum catches on a real link; JSON has none)."""
    r = rng(key, "garble")
    if r.random() < 0.5:
        return payload[: r.randint(1, max(1, len(payload) - 2))]
    out = bytearray(payload)
    out[0] = 0xFF  # the start of the frame is lost ...
    for _ in range(r.randint(1, 4)):  # ... and a few more bytes with it
        out[r.randrange(len(out))] = r.randrange(256)
    return bytes(out)
