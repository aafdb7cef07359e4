"""Observations (a rule's verdict on one reading) and alerts (what the lifecycle tracks and
every later stage passes along), with the alert event JSON published on MQTT."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any


class State(StrEnum):
    pending = "pending"
    firing = "firing"
    acknowledged = "acknowledged"
    resolved = "resolved"


ACTIVE = (State.pending, State.firing, State.acknowledged)


@dataclass(frozen=True)
class Observation:
    """One rule's verdict on one reading (or one moment, for time-driven rules)."""

    rule: str  # e.g. "humidity_range"
    zone: str
    sensor: str
    quantity: str
    value: float
    limit: float | None  # the limit crossed (or nearest), in the quantity's unit
    direction: str  # "high" / "low" / ""
    breached: bool
    time: datetime
    severity: str = "warning"
    hold: timedelta = timedelta(0)
    cleared: bool = False  # back inside by the hysteresis margin
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.zone, self.sensor)


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Alert:
    """One breach of one rule at one sensor, from its first reading to its resolution."""

    rule: str
    zone: str
    sensor: str
    quantity: str
    severity: str
    state: State
    value: float
    limit: float | None
    direction: str
    since: datetime  # when the breach began (reading time)
    time: datetime  # reading time of the latest transition
    site: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    past: bool = False  # judged on replayed history: reported, never paged
    ended: datetime | None = None
    acked_by: str | None = None
    acked_at: float | None = None  # wall clock, epoch seconds
    notified_at: float | None = None  # last message sent (wall clock)
    first_notified_at: float | None = None
    notify_count: int = 0
    channels: list[str] = field(default_factory=list)  # channels told so far
    escalated: list[str] = field(default_factory=list)  # escalation steps done
    suppressed: str = ""  # why it is not being sent now (silence, maintenance, ...)
    last_obs: datetime | None = None  # newest reading time seen (older ones are ignored)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.zone, self.sensor)

    @property
    def id(self) -> str:
        """Stable per breach: the same (rule, zone, sensor, since) gives the same id."""
        raw = f"{self.site}|{self.rule}|{self.zone}|{self.sensor}|{self.since.isoformat()}"
        return hashlib.sha1(raw.encode()).hexdigest()[:12]

    def copy(self) -> Alert:
        return replace(self, extra=dict(self.extra), channels=list(self.channels),
                       escalated=list(self.escalated))

    def event(self) -> dict[str, Any]:
        """The alert event as published on cangjing/<site>/alerts/<zone>."""
        return {
            "id": self.id, "site": self.site, "zone": self.zone, "sensor": self.sensor,
            "rule": self.rule, "quantity": self.quantity, "severity": self.severity,
            "state": self.state.value, "value": self.value, "limit": self.limit,
            "direction": self.direction, "since": _iso(self.since), "time": _iso(self.time),
            "ended": _iso(self.ended), "past": self.past, "acked_by": self.acked_by,
            "suppressed": self.suppressed or None, "extra": self.extra,
        }

    def to_json(self) -> bytes:
        return json.dumps(self.event(), ensure_ascii=False).encode()

    # --- persistence (SQLite keeps the whole record as JSON) ---

    def to_record(self) -> str:
        doc = asdict(self)
        for name in ("since", "time", "ended", "last_obs"):
            doc[name] = _iso(doc[name])
        doc["state"] = self.state.value
        return json.dumps(doc, ensure_ascii=False)

    @classmethod
    def from_record(cls, text: str) -> Alert:
        doc = json.loads(text)
        known = {f.name for f in fields(cls)}
        doc = {k: v for k, v in doc.items() if k in known}
        for name in ("since", "time", "ended", "last_obs"):
            if doc.get(name):
                doc[name] = datetime.fromisoformat(doc[name].replace("Z", "+00:00"))
        doc["state"] = State(doc["state"])
        return cls(**doc)
