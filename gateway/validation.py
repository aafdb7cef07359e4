"""Validation that flags instead of dropping: a suspicious value is still published, with a
quality flag, so conservators see it and the alert engine can judge the sensor.

Flags, strongest first (one per value):
    impossible  outside what any working sensor of the kind can report (PHYSICAL_BOUNDS)
    spike       further from the last good value than the physics of a storage room allows
                (rate × max(elapsed, spike_window), rates from the facility file)
    stuck       unchanged (within stuck_tolerance) for stuck_after or longer
State lives in memory: after a gateway restart, spike and stuck checks start afresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cangjing.config.sensors import Validation
from cangjing.reading import PHYSICAL_BOUNDS


def quality_flags(values: dict[str, float]) -> dict[str, str]:
    flags: dict[str, str] = {}
    for quantity, value in values.items():
        lo, hi = PHYSICAL_BOUNDS.get(quantity, (float("-inf"), float("inf")))
        if not lo <= value <= hi:
            flags[quantity] = "impossible"
    return flags


@dataclass
class _Track:
    good_value: float | None = None  # last value not flagged spike/impossible
    good_time: float = 0.0
    same_value: float | None = None  # value the current unchanged run started with
    same_since: float = 0.0


@dataclass
class Validator:
    """Per-sensor plausibility state; `check` returns the flags of one reading."""

    policy: Validation
    _tracks: dict[str, _Track] = field(default_factory=dict)

    def check(self, when: float, values: dict[str, float]) -> dict[str, str]:
        flags = quality_flags(values)
        for quantity, value in values.items():
            track = self._tracks.setdefault(quantity, _Track())
            if quantity in flags:
                continue
            if self._spike(track, quantity, when, value):
                flags[quantity] = "spike"
                continue
            track.good_value, track.good_time = value, when
            if self._stuck(track, quantity, when, value):
                flags[quantity] = "stuck"
        return flags

    def _spike(self, track: _Track, quantity: str, when: float, value: float) -> bool:
        rate = self.policy.spike_rate.get(quantity)  # type: ignore[call-overload]
        if rate is None or track.good_value is None:
            return False
        minutes = max(when - track.good_time, self.policy.spike_window.total_seconds()) / 60
        return abs(value - track.good_value) > rate * minutes

    def _stuck(self, track: _Track, quantity: str, when: float, value: float) -> bool:
        if quantity not in self.policy.stuck_quantities:
            return False
        if track.same_value is None or abs(value - track.same_value) > self.policy.stuck_tolerance:
            track.same_value, track.same_since = value, when
            return False
        return when - track.same_since >= self.policy.stuck_after.total_seconds()
