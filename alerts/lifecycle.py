"""Lifecycle stage: pending -> firing -> (acknowledged) -> resolved, deduplicated per
(rule, zone, sensor).

Holds are judged on reading timestamps, so replayed readings count as they happened. A
breach that fires on readings older than `live_lag` when they arrive is marked `past`: it
is recorded, and reported once it is over, but never paged; if live readings show it still
going on, it becomes a live alert and pages then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .events import Alert, Observation, State


class Lifecycle:
    def __init__(self, site: str, live_lag: timedelta) -> None:
        self.site = site
        self.live_lag = live_lag
        self.tracks: dict[tuple[str, str, str], Alert] = {}

    def restore(self, alerts: list[Alert]) -> None:
        """Take over the active alerts persisted by an earlier run."""
        for alert in alerts:
            if alert.state is not State.resolved:
                self.tracks[alert.key] = alert

    def active(self) -> list[Alert]:
        return list(self.tracks.values())

    def get(self, alert_id: str) -> Alert | None:
        return next((a for a in self.tracks.values() if a.id == alert_id), None)

    def step(self, obs: Observation, now: datetime) -> Alert | None:
        """Feed one observation; return the alert if its state (or liveness) changed."""
        alert = self.tracks.get(obs.key)
        if alert is not None and alert.last_obs is not None and obs.time < alert.last_obs:
            return None  # out of order: the newer reading already decided
        live = now - obs.time <= self.live_lag
        if obs.breached:
            if alert is None:
                alert = Alert(
                    rule=obs.rule, zone=obs.zone, sensor=obs.sensor, quantity=obs.quantity,
                    severity=obs.severity, state=State.pending, value=obs.value,
                    limit=obs.limit, direction=obs.direction, since=obs.time, time=obs.time,
                    site=self.site, extra=dict(obs.extra), last_obs=obs.time,
                )
                self.tracks[obs.key] = alert
                if obs.hold <= timedelta(0):
                    return self._fire(alert, obs, live)
                return alert
            self._update(alert, obs)
            if alert.state is State.pending and obs.time - alert.since >= obs.hold:
                return self._fire(alert, obs, live)
            if alert.past and live and alert.state is State.firing:
                alert.past = False  # still going on now: a live alert from here on
                alert.time = obs.time
                return alert
            return None
        if alert is None:
            return None
        self._update(alert, obs)
        if alert.state is State.pending:
            del self.tracks[obs.key]  # the hold needs the breach to last: start again
            return None
        if obs.cleared:
            del self.tracks[obs.key]
            alert.state = State.resolved
            alert.time = alert.ended = obs.time
            return alert
        return None

    def acknowledge(self, alert_id: str, by: str, wall: float) -> Alert | None:
        alert = self.get(alert_id)
        if alert is None or alert.state is not State.firing:
            return None
        alert.state = State.acknowledged
        alert.acked_by = by
        alert.acked_at = wall
        return alert

    @staticmethod
    def _update(alert: Alert, obs: Observation) -> None:
        alert.value = obs.value
        alert.last_obs = obs.time
        if obs.breached and obs.limit is not None:
            alert.limit = obs.limit
        if obs.extra:
            alert.extra.update(obs.extra)

    @staticmethod
    def _fire(alert: Alert, obs: Observation, live: bool) -> Alert:
        alert.state = State.firing
        alert.time = obs.time
        alert.past = not live
        return alert
