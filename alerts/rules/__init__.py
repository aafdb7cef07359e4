"""Rules turn a reading into observations; the lifecycle decides what they mean.

Every rule has `observe(reading, values, ctx) -> list[Observation]`. Values the gateway
flagged in `quality` never reach the rules with memory (windows, accumulators); rules with
`instant = True` see them, but the engine drops their breaches (a spike must not page as a
humidity breach; the fault rule reports it) and keeps their clearings. Rules keep
per-sensor state (rolling windows, accumulators); feeding them history rebuilds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from cangjing.config.alerting import AlertSettings
from cangjing.config.limits import Limits
from cangjing.config.zones import Zone
from cangjing.reading import Reading

from ..events import Observation


@dataclass(frozen=True)
class Context:
    zone: Zone
    limits: Limits
    settings: AlertSettings
    tz: ZoneInfo


class Rule(Protocol):
    def observe(self, reading: Reading, values: dict[str, float],
                ctx: Context) -> list[Observation]: ...


def obs(reading: Reading, rule: str, quantity: str, value: float, limit: float | None,
        direction: str, breached: bool, cleared: bool, severity: str, **kw: object
        ) -> Observation:
    """An observation about `reading` (shorthand shared by the rules)."""
    return Observation(rule=rule, zone=reading.zone, sensor=reading.sensor, quantity=quantity,
                       value=value, limit=limit, direction=direction, breached=breached,
                       cleared=cleared, time=reading.time, severity=severity, **kw)  # type: ignore[arg-type]


def all_rules() -> list[Rule]:
    from .condensation import CondensationRule
    from .fault import FaultRule
    from .light import LightDoseRule, LightRule
    from .mold import MoldRule
    from .range import RangeRule
    from .swing import SwingRule

    return [RangeRule(), SwingRule(), LightRule(), LightDoseRule(), CondensationRule(),
            MoldRule(), FaultRule()]
