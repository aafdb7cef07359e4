"""Gateway status -> `sensor_health` points, so that Grafana's sensor-health dashboard can
show each sensor's last reading, error count and calibration state over time.

Reads the retained gateway status (cangjing/<site>/gateway/<gw>/status, gateway/service.py):
    {"state": "online", "gateway": "gw-01", "time": "...Z",
     "sensors": {"A1-TH-01": {"state": "ok", "last_seen": 1764.., "errors": {"timeout": 2},
                              "retries": 1, "calibration_overdue": true}, ...}}
Writes: sensor_health,site=,zone=,sensor=,gateway= last_seen=<epoch s>,errors=<total>i,
        retries=<n>i,state="ok",calibration_overdue=<bool>   at the status document's time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cangjing.config import Facility
from cangjing.lineprotocol import encode
from cangjing.payload import json_object

MEASUREMENT = "sensor_health"


class StatusError(ValueError):
    """The status payload is not a gateway status document."""


def _status_time_ns(doc: dict[str, Any]) -> int:
    try:
        when = datetime.fromisoformat(str(doc["time"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        raise StatusError("status has no RFC 3339 'time'") from None
    return int(when.timestamp()) * 1_000_000_000


def health_lines(payload: bytes, facility: Facility) -> list[str]:
    """One point per known sensor in the status; [] for a status without sensors
    (the last will `offline` carries none) or an empty one (a cleared retained status)."""
    if not payload:
        return []
    doc = json_object(payload, StatusError)
    sensors = doc.get("sensors")
    if not isinstance(sensors, dict) or not sensors:
        return []
    time_ns = _status_time_ns(doc)
    zones = {s.id: s.zone for s in facility.sensors}
    lines = []
    for sensor_id, health in sensors.items():
        if sensor_id not in zones or not isinstance(health, dict):
            continue  # a sensor this facility file does not know: nothing to chart it under
        errors = health.get("errors") or {}
        fields: dict[str, object] = {
            "errors": int(sum(v for v in errors.values() if isinstance(v, int))),
            "retries": int(health.get("retries") or 0),
            "state": str(health.get("state", "unknown")),
            "calibration_overdue": bool(health.get("calibration_overdue", False)),
        }
        if isinstance(health.get("last_seen"), int | float):
            fields["last_seen"] = float(health["last_seen"])
        tags = {"site": facility.site.id, "zone": zones[sensor_id], "sensor": sensor_id,
                "gateway": str(doc.get("gateway", ""))}
        lines.append(encode(MEASUREMENT, tags, fields, time_ns))
    return lines
