"""Lifecycle stage: pending -> firing -> (acknowledged) -> resolved, deduplicated per
(rule, zone, sensor), judged on reading timestamps so that replayed readings count as
they happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from .events import AlertEvent, Observation, State


@dataclass
class _Track:
    event: AlertEvent


class Lifecycle:
    def __init__(self, site: str) -> None:
        self.site = site
        self.tracks: dict[tuple[str, str, str], _Track] = {}

    def active(self) -> list[AlertEvent]:
        return [t.event for t in self.tracks.values()]

    def step(self, obs: Observation, hold: timedelta, severity: str) -> AlertEvent | None:
        """Feed one observation; return the event of a state change, or None."""
        track = self.tracks.get(obs.key)
        if obs.breached:
            if track is None:
                event = AlertEvent(
                    rule=obs.rule, zone=obs.zone, sensor=obs.sensor, quantity=obs.quantity,
                    severity=severity, state=State.pending, value=obs.value, limit=obs.limit,
                    direction=obs.direction, since=obs.time, time=obs.time, site=self.site,
                )
                self.tracks[obs.key] = _Track(event)
                if hold <= timedelta(0):
                    return self._fire(obs)
                return event
            if track.event.state is State.pending and obs.time - track.event.since >= hold:
                return self._fire(obs)
            track.event = track.event.with_state(track.event.state, track.event.time, obs.value)
            return None
        if track is None:
            return None
        if obs.cleared or track.event.state is State.pending:
            del self.tracks[obs.key]
            if track.event.state is State.pending:
                return None  # never fired: nobody was told, nobody needs the all-clear
            return track.event.with_state(State.resolved, obs.time, obs.value)
        return None

    def _fire(self, obs: Observation) -> AlertEvent:
        track = self.tracks[obs.key]
        track.event = track.event.with_state(State.firing, obs.time, obs.value)
        return track.event
