"""Alert events: what the lifecycle emits and every later stage passes along."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum


class State(StrEnum):
    pending = "pending"
    firing = "firing"
    acknowledged = "acknowledged"
    resolved = "resolved"


@dataclass(frozen=True)
class Observation:
    """One rule's verdict on one reading: breached or not, with the numbers."""

    rule: str  # e.g. "humidity_range"
    zone: str
    sensor: str
    quantity: str
    value: float
    limit: float | None  # the limit crossed (or nearest), in the quantity's unit
    direction: str  # "high" / "low" / ""
    breached: bool
    time: datetime
    cleared: bool = False  # back inside by the hysteresis margin

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.zone, self.sensor)


@dataclass(frozen=True)
class AlertEvent:
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
    time: datetime  # the reading time of this transition
    site: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        """Stable per breach: the same (rule, zone, sensor, since) gives the same id."""
        raw = f"{self.site}|{self.rule}|{self.zone}|{self.sensor}|{self.since.isoformat()}"
        return hashlib.sha1(raw.encode()).hexdigest()[:12]

    def with_state(self, state: State, time: datetime, value: float | None = None) -> AlertEvent:
        return replace(self, state=state, time=time, value=self.value if value is None else value)

    def to_json(self) -> bytes:
        doc = asdict(self)
        doc["id"] = self.id
        doc["state"] = self.state.value
        doc["since"] = self.since.astimezone(UTC).isoformat().replace("+00:00", "Z")
        doc["time"] = self.time.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return json.dumps(doc, ensure_ascii=False).encode()
