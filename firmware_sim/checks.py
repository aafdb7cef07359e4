"""Judging a scenario's expectations against what the system did (observer.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .observer import AlertSeen, Observer
from .scenarios import (
    AlertExpectation,
    GatewayExpectation,
    NoAlert,
    ReadingExpectation,
    Scenario,
)


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str
    detail: str = ""


@dataclass
class RunFacts:
    """Where the run sat in time: `t0` and `end` as published (simulated) timestamps,
    `wall` the wall-clock instant of each system event edge, keyed (event label, edge)."""

    scenario: Scenario
    t0: datetime
    end: datetime
    wall: dict[tuple[str, str], float]
    default_gateway: str | None
    began: float = 0.0  # wall clock at the start of the run

    def anchor(self, after: str | None, edge: str) -> datetime:
        return self.scenario.anchor(self.t0, after, edge)

    def label(self, after: str | None, edge: str) -> str:
        return f"{edge} of {self.scenario.event(after).label}"


def _offset(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    if abs(seconds) < 120:
        return f"{seconds:+.1f}s"
    minutes = int(seconds // 60)
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60}h{abs(minutes) % 60:02d}m"


def _span(delta: timedelta) -> str:
    s = int(delta.total_seconds())
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    parts = [f"{d}d" * bool(d), f"{h}h" * bool(h), f"{m}m" * bool(m), f"{s}s" * bool(s)]
    return "".join(parts) or "0s"


def _ours(event: AlertSeen, facts: RunFacts, clock: str = "simulated") -> bool:
    """Events of this run: the breach began inside its window (earlier runs' leftovers and
    the live system's own alerts stay out)."""
    if clock == "wall":
        return event.received >= facts.began
    since = event.at("since") or event.at("time")
    return since is None or facts.t0 <= since <= facts.end + timedelta(minutes=1)


def _when(event: AlertSeen, clock: str) -> datetime | None:
    if clock == "wall":
        return datetime.fromtimestamp(event.received, UTC)
    return event.at()


def check_alert(exp: AlertExpectation, obs: Observer, facts: RunFacts) -> list[Check]:
    if exp.clock == "wall":
        mark = facts.wall.get((facts.scenario.event(exp.after).label, exp.edge))
        if mark is None:
            return [Check(False, f"{exp.rule} {exp.state} in {','.join(exp.zones)}",
                          "the run never reached its anchor event")]
        anchor = datetime.fromtimestamp(mark, UTC)
    else:
        anchor = facts.anchor(exp.after, exp.edge)
    deadline = anchor + exp.within
    events = [e for e in obs.alert_events()
              if e.get("rule") == exp.rule and _ours(e, facts, exp.clock)]
    out = []
    targets = [(z, s) for z in exp.zones for s in (exp.sensors or [None])]
    for zone, sensor in targets:
        where = f"{zone}" + (f"/{sensor}" if sensor else "")
        clock = " (wall clock)" if exp.clock == "wall" else ""
        what = (f"{exp.rule} {exp.state} in {where} within {_span(exp.within)}{clock} after "
                f"the {facts.label(exp.after, exp.edge)}")
        mine = [e for e in events if e.get("zone") == zone
                and (sensor is None or e.get("sensor") == sensor)]
        hits = [e for e in mine if e.get("state") == exp.state
                and ((t := _when(e, exp.clock)) is None or anchor <= t <= deadline)]
        if hits:
            first = hits[0]
            when = _when(first, exp.clock)
            at = _offset(when - anchor) if when else "(event has no time)"
            out.append(Check(True, what, f"{first.get('sensor')} at {at}"))
            continue
        seen = ", ".join(f"{e.get('state')} {e.get('sensor')} at "
                         f"{_offset(t - anchor) if (t := _when(e, exp.clock)) else '?'}"
                         for e in mine[:6])
        out.append(Check(False, what, f"saw: {seen}" if seen else
                         f"no {exp.rule} event for {where} at all"))
    return out


def check_quiet(exp: NoAlert, obs: Observer, facts: RunFacts) -> list[Check]:
    where = ",".join(exp.sensors or exp.zones) or "any zone"
    bad = [e for e in obs.alert_events() if e.get("rule") == exp.rule and _ours(e, facts)
           and e.get("state") == "firing"
           and (not exp.zones or e.get("zone") in exp.zones)
           and (not exp.sensors or e.get("sensor") in exp.sensors)]
    detail = ", ".join(f"{e.get('zone')}/{e.get('sensor')} value {e.get('value')}"
                       for e in bad[:5])
    return [Check(not bad, f"no {exp.rule} firing in {where}", f"fired: {detail}" if bad else "")]


def check_readings(exp: ReadingExpectation, obs: Observer, facts: RunFacts) -> list[Check]:
    anchor = facts.anchor(exp.after, exp.edge)
    until = anchor + exp.within if exp.within else facts.end
    if exp.check == "constant" and exp.within is None:
        window = facts.scenario.event(exp.after).window(facts.t0)
        until = window.end or facts.end
    readings = [r for r in obs.readings_of(exp.sensor) if anchor <= r.time <= until]
    span = f"+0..{_span(until - anchor)} after the {facts.label(exp.after, exp.edge)}"
    q = exp.quantity
    values = [v for r in readings if q is not None and (v := r.get(q)) is not None]
    if exp.check in ("above", "below"):
        assert exp.value is not None
        hit = [v for v in values if (v > exp.value if exp.check == "above" else v < exp.value)]
        extreme = (max if exp.check == "above" else min)(values) if values else None
        return [Check(bool(hit), f"{exp.sensor} {q} {exp.check} {exp.value:g} in {span}",
                      f"{len(values)} readings, extreme {extreme}")]
    if exp.check == "constant":
        ok = len(values) >= 2 and len(set(values)) == 1
        return [Check(ok, f"{exp.sensor} {q} constant in {span}",
                      f"{len(values)} readings, {len(set(values))} distinct values")]
    if exp.check == "silent":
        return [Check(not readings, f"{exp.sensor} silent in {span}",
                      f"{len(readings)} readings arrived" if readings else "")]
    return [Check(bool(readings), f"{exp.sensor} readings arrive in {span}",
                  f"{len(readings)} readings")]


def check_gateway(exp: GatewayExpectation, obs: Observer, facts: RunFacts) -> list[Check]:
    gateway = exp.gateway or facts.default_gateway or "?"
    label = facts.label(exp.after, exp.edge)
    event = facts.scenario.event(exp.after)
    what = f"gateway {gateway} {exp.state} within {_span(exp.within)} (wall clock) of the {label}"
    mark = facts.wall.get((event.label, exp.edge))
    if mark is None:
        return [Check(False, what, "the run never reached that event")]
    limit = mark + exp.within.total_seconds()
    seen = [s for s in obs.status_changes() if s.gateway == gateway and not s.retained
            and s.received >= mark - 0.5]
    hits = [s for s in seen if s.state == exp.state and s.received <= limit]
    if hits:
        return [Check(True, what, f"after {hits[0].received - mark:.1f}s")]
    states = ", ".join(f"{s.state} after {s.received - mark:.1f}s" for s in seen[:5])
    return [Check(False, what, f"saw: {states}" if states else "no status change")]


def check_deadletters(scenario: Scenario, obs: Observer) -> list[Check]:
    exp = scenario.expect.deadletters
    if exp is None:
        return []
    dead = [d for d in obs.dead() if exp.kind is None or exp.kind in str(d.get("kind", ""))]
    kind = f" ({exp.kind})" if exp.kind else ""
    return [Check(len(dead) >= exp.at_least, f"at least {exp.at_least} dead letters{kind}",
                  f"{len(dead)} seen")]


def evaluate(obs: Observer, facts: RunFacts) -> list[Check]:
    exp = facts.scenario.expect
    out: list[Check] = []
    for a in exp.alerts:
        out += check_alert(a, obs, facts)
    for q in exp.no_alerts:
        out += check_quiet(q, obs, facts)
    for r in exp.readings:
        out += check_readings(r, obs, facts)
    for g in exp.gateway:
        out += check_gateway(g, obs, facts)
    return out + check_deadletters(facts.scenario, obs)


def positive_met(obs: Observer, facts: RunFacts) -> bool:
    """Everything that has to show up has shown up (no_alerts cannot be proven early)."""
    exp = facts.scenario.expect
    checks = [c for a in exp.alerts for c in check_alert(a, obs, facts)]
    checks += check_deadletters(facts.scenario, obs)
    checks += [c for r in exp.readings if r.check in ("above", "below", "arrive")
               for c in check_readings(r, obs, facts)]
    return all(c.ok for c in checks)
