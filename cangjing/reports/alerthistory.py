"""A zone's alert history from the `alert` measurement: one span per alert id.

The alert engine writes a point per state change (pending, firing, acknowledged,
resolved) carrying the alert's stable `id`; a breach lasts from its first `firing` to its
`resolved`. Pending-only ids (a breach that cleared within its hold time) never paged
anyone and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..conservation.zonedata import rfc3339
from ..influx import InfluxClient

# How far before the report period an alert may have started and still overlap it.
LOOKBACK_S = 366 * 86400


@dataclass
class AlertSpan:
    id: str
    rule: str
    sensor: str
    severity: str
    start: float  # first firing, POSIX seconds
    value: float | None
    limit: float | None
    acknowledged: float | None = None
    end: float | None = None  # resolved; None while still firing
    message: str = ""
    states: list[str] = field(default_factory=list)

    def duration(self, until: float) -> float:
        return (self.end if self.end is not None else until) - self.start


def alert_spans(
    influx: InfluxClient, site: str, zone: str, start: float, end: float
) -> list[AlertSpan]:
    """The alerts of a zone that were firing at some time within [start, end), by start."""
    q = ('SELECT "id", "value", "limit", "message", "rule", "sensor", "severity", "state" '
         f"FROM \"alert\" WHERE \"site\" = '{site}' AND \"zone\" = '{zone}' "
         f"AND time >= '{rfc3339(start - LOOKBACK_S)}' AND time < '{rfc3339(end)}'")
    rows = [r for s in influx.query(q, epoch="s") for r in s.records()]
    spans: dict[str, AlertSpan] = {}
    for r in sorted(rows, key=lambda r: r["time"]):
        ident, state, ts = r.get("id"), r.get("state"), float(r["time"])
        if not ident:
            continue
        span = spans.get(ident)
        if span is None:
            if state != "firing":
                continue
            span = spans[ident] = AlertSpan(
                ident, r.get("rule") or "", r.get("sensor") or "", r.get("severity") or "",
                ts, r.get("value"), r.get("limit"), message=r.get("message") or "",
            )
        span.states.append(state)
        if state == "acknowledged" and span.acknowledged is None:
            span.acknowledged = ts
        elif state == "resolved" and span.end is None:
            span.end = ts
    return sorted(
        (s for s in spans.values() if s.start < end and (s.end is None or s.end >= start)),
        key=lambda s: s.start,
    )
