"""Time-driven rules about the equipment rather than the climate: sensor stale (no reading
for N of its intervals), calibration overdue, and gateway offline (its retained status or
last will), which inhibits the stale alerts of the sensors behind it."""

from __future__ import annotations

from datetime import UTC, datetime

from cangjing.config import Facility

from .events import Observation

GATEWAY_ZONE = "gateway"  # gateway alerts go to cangjing/<site>/alerts/gateway


class Health:
    def __init__(self, facility: Facility, started: float) -> None:
        self.facility = facility
        self.last_seen: dict[str, float] = {s.id: started for s in facility.sensors}
        self.offline: dict[str, float] = {}  # gateway -> since (wall clock)
        self.returned: dict[str, float] = {}  # gateway -> back online at (wall clock)

    def seen(self, sensor: str, t: float, now: float) -> bool:
        """Note a reading at `t`; True when it is newer than anything seen before."""
        t = min(t, now)
        if t > self.last_seen.get(sensor, 0.0):
            self.last_seen[sensor] = t
            return True
        return False

    def stale(self, now: float) -> list[Observation]:
        s = self.facility.alerts.stale
        out = []
        at = datetime.fromtimestamp(now, UTC)
        for sensor in self.facility.sensors:
            limit = s.intervals * sensor.interval.total_seconds()
            last = self.last_seen.get(sensor.id, now)
            silent = now - last
            gw = self.facility.gateway_of(sensor)
            out.append(Observation(
                rule="stale", zone=sensor.zone, sensor=sensor.id, quantity="stale",
                value=round(silent / 60, 1), limit=round(limit / 60, 2), direction="high",
                breached=silent > limit, cleared=silent <= limit, time=at, severity=s.severity,
                extra={"last_seen": last, "gateway": gw.id if gw else None},
            ))
        return out

    def back(self, sensor: str, silent_s: float, now: float) -> Observation:
        """A sensor that was stale reports again after `silent_s`: this clears the alert."""
        sensor_cfg = self.facility.sensor(sensor)
        s = self.facility.alerts.stale
        return Observation(
            rule="stale", zone=sensor_cfg.zone, sensor=sensor, quantity="stale",
            value=round(max(silent_s, 0.0) / 60, 1),
            limit=round(s.intervals * sensor_cfg.interval.total_seconds() / 60, 2),
            direction="", breached=False, cleared=True, time=datetime.fromtimestamp(now, UTC),
            severity=s.severity,
        )

    def calibration(self, now: float) -> list[Observation]:
        s = self.facility.alerts.calibration
        at = datetime.fromtimestamp(now, UTC)
        today = at.astimezone(self.facility.site.tz).date()
        out = []
        for sensor in self.facility.sensors:
            due = sensor.calibration.due
            if due is None:
                continue
            overdue = (today - due).days
            out.append(Observation(
                rule="calibration", zone=sensor.zone, sensor=sensor.id, quantity="calibration",
                value=float(max(overdue, 0)), limit=0.0, direction="high" if overdue > 0 else "",
                breached=overdue > 0, cleared=overdue <= 0, time=at, severity=s.severity,
                extra={"due": due.isoformat()},
            ))
        return out

    def gateway(self, gateway: str, offline: bool, now: float) -> Observation:
        if offline:
            self.offline.setdefault(gateway, now)
            self.returned.pop(gateway, None)
        elif self.offline.pop(gateway, None) is not None:
            self.returned[gateway] = now
        s = self.facility.alerts.gateway
        behind = [x for x in self.facility.sensors
                  if (g := self.facility.gateway_of(x)) is not None and g.id == gateway]
        return Observation(
            rule="gateway_offline", zone=GATEWAY_ZONE, sensor=gateway, quantity="gateway",
            value=1.0 if offline else 0.0, limit=None, direction="offline" if offline else "",
            breached=offline, cleared=not offline, time=datetime.fromtimestamp(now, UTC),
            severity=s.severity, hold=s.hold,
            extra={"sensors": [x.id for x in behind],
                   "zones": sorted({x.zone for x in behind})},
        )

    def inhibits(self, gateway: str | None, sensor: str, now: float) -> bool:
        """Is the gateway offline, or back so recently that its sensors have not had the
        time to report yet (one stale window)?"""
        if gateway is None:
            return False
        if gateway in self.offline:
            return True
        back = self.returned.get(gateway)
        if back is None:
            return False
        cfg = next((s for s in self.facility.sensors if s.id == sensor), None)
        grace = self.facility.alerts.stale.intervals * (
            cfg.interval.total_seconds() if cfg else 60.0)
        return now - back <= grace

    def gateways_offline(self, now: float) -> list[Observation]:
        """Offline gateways again, so that a hold on them completes with time."""
        return [self.gateway(gw, True, now) for gw in list(self.offline)]
