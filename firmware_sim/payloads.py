"""Device payloads as MQTT sensor nodes send them (the gateway's decoders read these)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo


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
