"""Scenario files: what happens to the facility, and what the system is expected to do.

A scenario is YAML in firmware_sim/scenarios/ (or anywhere); these pydantic models are its
documentation. A scenario may `include` others: their events and expectations are run
together on one timeline (composition), and `cangjing sim verify A.yaml B.yaml` composes
the files it is given in the same way.

    name: leak
    description: a pipe leaks above A1; RH climbs towards 90 %
    start: 2026-07-20T08:00:00+08:00     # climate date and local hour of the run's start
    duration: 8h                          # simulated time
    step: 2m                              # simulated time between two readings of a sensor
    events:
      - {kind: leak, zones: [A1], at: 1h, for: 3h, rh: 90}
    expect:
      alerts:
        - {rule: humidity_range, zones: [A1], within: 30m}
        - {rule: humidity_range, zones: [A1], state: resolved, edge: end, within: 4h}

Times in `expect` are simulated time after the start (or `edge: end`) of the event named
by `after` (default: the first event), except gateway states, which are judged on the wall
clock because a gateway's process and network do not run on simulated time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cangjing.config import Facility
from cangjing.config.loader import format_location
from cangjing.config.types import Duration, Id, PositiveDuration

from .faults import SensorEffect, SensorFault, Window, ZoneEffect, ZoneFault
from .tuning import PhysicsTuning

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
GATEWAY_ZONE = "gateway"  # where the alert engine files gateway alerts (alerts/<zone>)


class ScenarioError(Exception):
    """An invalid scenario file: one "path: message" line per problem, all at once."""

    def __init__(self, source: str, errors: list[str]) -> None:
        self.source = source
        self.errors = errors
        super().__init__(f"{source}: {len(errors)} error(s)\n" + "\n".join(errors))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Needs(_Strict):
    """What a scenario needs beyond publishing readings; `verify` provides it or refuses."""

    gateway: bool = Field(False, description="node payloads go through a `cangjing gateway` "
                          "that the run starts itself (and may kill)")
    partition: bool = Field(False, description="that gateway reaches the broker through a "
                            "TCP proxy the run can cut (implies gateway)")
    serial: bool = Field(False, description="serial devices of firmware_sim.serial")


# -- events ------------------------------------------------------------------------------
class _Event(_Strict):
    name: str | None = Field(None, description="for `after:` in expectations (default: kind)")
    at: Duration = Field(timedelta(0), description="simulated time after the run's start")
    for_: PositiveDuration | None = Field(None, alias="for", description="default: to the end")

    @property
    def label(self) -> str:
        return self.name or self.kind  # type: ignore[attr-defined]

    def window(self, t0: datetime) -> Window:
        start = t0 + self.at
        return Window(start, start + self.for_ if self.for_ else None)

    def faults(self, facility: Facility, t0: datetime) -> list[ZoneFault | SensorFault]:
        return []

    def zone_ids(self) -> list[str]:
        return list(getattr(self, "zones", []))

    def sensor_ids(self) -> list[str]:
        return list(getattr(self, "sensors", []))


class _ZoneEvent(_Event):
    zones: list[Id] = Field(min_length=1)
    _effect: ZoneEffect
    _value: str | None = None

    def faults(self, facility: Facility, t0: datetime) -> list[ZoneFault | SensorFault]:
        value = getattr(self, self._value) if self._value else None
        return [ZoneFault(self._effect, z, self.window(t0), value) for z in self.zones]


class AirHandlerFailure(_ZoneEvent):
    """The zone's air handler stops: the room drifts towards the outdoor climate."""

    kind: Literal["air_handler_failure"]
    _effect = ZoneEffect.air_handler


class DehumidifierFailure(_ZoneEvent):
    """Only the drying stops: vapour pressure drifts towards outdoors, temperature holds."""

    kind: Literal["dehumidifier_failure"]
    _effect = ZoneEffect.dehumidifier


class DoorLeftOpen(_ZoneEvent):
    kind: Literal["door_open"]
    coupling: float | None = Field(None, gt=0, le=1, description="default: physics.zone")
    _effect = ZoneEffect.door
    _value = "coupling"


class LightsLeftOn(_ZoneEvent):
    kind: Literal["lights_on"]
    lux: float | None = Field(None, gt=0, description="default: the zone's routine lighting")
    _effect = ZoneEffect.lights
    _value = "lux"


class Leak(_ZoneEvent):
    kind: Literal["leak"]
    rh: float = Field(90.0, gt=0, le=100, description="%RH the wet room tends to")
    _effect = ZoneEffect.leak
    _value = "rh"


class PowerCut(_Event):
    """Mains off: air handlers and lights stop, the gateway dies abruptly (SIGKILL when the
    run owns it), nodes lose their Wi-Fi and report nothing until power returns."""

    kind: Literal["power_cut"]
    zones: list[Id] = Field(default_factory=list, description="default: every zone")

    def faults(self, facility: Facility, t0: datetime) -> list[ZoneFault | SensorFault]:
        zones = self.zones or [z.id for z in facility.zones]
        w = self.window(t0)
        return [*(ZoneFault(ZoneEffect.power, z, w) for z in zones),
                *(SensorFault(SensorEffect.silent, s.id, w) for s in facility.sensors
                  if s.zone in zones)]


class NetworkPartition(_Event):
    """The gateway loses the broker (its connections are cut and refused) while the
    sensors and the rest of the system carry on."""

    kind: Literal["network_partition"]


class _SensorEvent(_Event):
    sensors: list[Id] = Field(min_length=1)


class SensorDrift(_SensorEvent):
    kind: Literal["sensor_drift"]
    quantity: Literal["temperature", "humidity"] = "humidity"
    per_day: float = Field(description="drift per simulated day, in the quantity's unit")

    def faults(self, facility: Facility, t0: datetime) -> list[ZoneFault | SensorFault]:
        return [SensorFault(SensorEffect.drift, s, self.window(t0), self.per_day, self.quantity)
                for s in self.sensors]


class StuckSensor(_SensorEvent):
    """The sensor repeats the values it had when it stuck."""

    kind: Literal["stuck_sensor"]

    def faults(self, facility: Facility, t0: datetime) -> list[ZoneFault | SensorFault]:
        return [SensorFault(SensorEffect.stuck, s, self.window(t0)) for s in self.sensors]


class DyingBattery(_SensorEvent):
    """The battery drains to `cutoff` over `for`, then the node falls silent."""

    kind: Literal["dying_battery"]
    for_: PositiveDuration = Field(alias="for")
    cutoff: float = Field(2.4, gt=0, description="V at which the node browns out")

    def faults(self, facility: Facility, t0: datetime) -> list[ZoneFault | SensorFault]:
        return [SensorFault(SensorEffect.battery, s, self.window(t0), self.cutoff)
                for s in self.sensors]


class NoisyBus(_SensorEvent):
    """The sensors' link garbles a share of their messages (cut short, line noise)."""

    kind: Literal["noisy_bus"]
    garbled: float = Field(0.3, gt=0, le=1, description="share of messages garbled")

    def faults(self, facility: Facility, t0: datetime) -> list[ZoneFault | SensorFault]:
        return [SensorFault(SensorEffect.noisy, s, self.window(t0), self.garbled)
                for s in self.sensors]


Event = Annotated[
    AirHandlerFailure | DehumidifierFailure | DoorLeftOpen | LightsLeftOn | Leak | PowerCut
    | NetworkPartition | SensorDrift | StuckSensor | DyingBattery | NoisyBus,
    Field(discriminator="kind"),
]


# -- expectations ------------------------------------------------------------------------
class _Anchored(_Strict):
    after: str | None = Field(None, description="event name (default: the first event)")
    edge: Literal["start", "end"] = Field("start", description="of that event")


class AlertExpectation(_Anchored):
    """Each zone (and each listed sensor) gets an alert event of `rule` in `state`."""

    rule: str = Field(description="as the alert engine names it, e.g. humidity_range")
    zones: list[Id] = Field(min_length=1, description="zone ids; `gateway` for gateway rules")
    sensors: list[Id] = Field(default_factory=list, description="default: any in the zone")
    state: Literal["firing", "resolved"] = "firing"
    within: PositiveDuration = Field(description="after the anchor, on `clock`")
    clock: Literal["simulated", "wall"] = Field(
        "simulated", description="simulated: judged on the event's reading time; wall: on "
        "when it arrived, for rules the engine runs on its own clock (gateway_offline, stale)")


class NoAlert(_Strict):
    """No `rule` alert fires for these zones/sensors during the run (false alarms)."""

    rule: str
    zones: list[Id] = Field(default_factory=list, description="default: every zone")
    sensors: list[Id] = Field(default_factory=list, description="default: every sensor")


class ReadingExpectation(_Anchored):
    """What the readings of one sensor (as published by the gateway) show.

    above/below: some value crosses `value` within `within`; constant: every value from
    the anchor to `within` (or the run's end) is the same; silent: none arrives from the
    anchor to `within` (or the end); arrive: at least one arrives within `within`."""

    sensor: Id
    check: Literal["above", "below", "constant", "silent", "arrive"]
    quantity: str | None = Field(None, description="required for above, below, constant")
    value: float | None = None
    within: PositiveDuration | None = None


class GatewayExpectation(_Anchored):
    """The gateway's status topic says `state` within `within` of wall-clock time."""

    gateway: Id | None = Field(None, description="default: the facility's first gateway")
    state: Literal["online", "offline"]
    within: PositiveDuration


class DeadletterExpectation(_Strict):
    at_least: int = Field(ge=1, description="rejections on cangjing/<site>/deadletter")
    kind: str | None = Field(None, description="text the rejection's kind contains")


class Expectations(_Strict):
    alerts: list[AlertExpectation] = Field(default_factory=list)
    no_alerts: list[NoAlert] = Field(default_factory=list)
    readings: list[ReadingExpectation] = Field(default_factory=list)
    gateway: list[GatewayExpectation] = Field(default_factory=list)
    deadletters: DeadletterExpectation | None = None


class Scenario(_Strict):
    name: str
    description: str = ""
    include: list[str] = Field(default_factory=list, description="files, relative to this one")
    needs: Needs = Field(default_factory=Needs)
    start: datetime | None = Field(None, description="climate date and local time of the "
                                   "start, with its UTC offset (season matters)")
    duration: PositiveDuration | None = Field(None, description="simulated")
    step: PositiveDuration | None = Field(None, description="simulated time between readings")
    zones: list[Id] = Field(default_factory=list, description="sensors simulated: these zones' "
                            "(default: every zone)")
    calendar: bool = Field(False, description="the run must lie inside one calendar year of "
                           "the site (light dose is counted per calendar year)")
    physics: PhysicsTuning | None = Field(None, description="tuning (firmware_sim/tuning.py)")
    events: list[Event] = Field(default_factory=list)
    expect: Expectations = Field(default_factory=Expectations)

    # -- derived -------------------------------------------------------------------------
    @property
    def needs_gateway(self) -> bool:
        return self.needs.gateway or self.needs.partition or self.needs.serial

    def event(self, label: str | None) -> _Event:
        if label is None:
            return self.events[0]
        return next(e for e in self.events if e.label == label)

    def anchor(self, t0: datetime, after: str | None, edge: str) -> datetime:
        w = self.event(after).window(t0)
        if edge == "end":
            return w.end or t0 + self.run_length
        return w.start

    def duration_hint_seconds(self) -> float:
        """Wall time to pause live simulators for: generous, they resume when told."""
        return 600.0 if self.needs_gateway else 300.0

    @property
    def run_length(self) -> timedelta:
        assert self.duration is not None
        return self.duration

    def faults(self, facility: Facility, t0: datetime) -> list[ZoneFault | SensorFault]:
        return [f for e in self.events for f in e.faults(facility, t0)]

    def problems(self, facility: Facility | None = None) -> list[str]:
        """Everything wrong with the (composed) scenario, against `facility` if given."""
        out: list[str] = []
        for name in ("start", "duration", "step"):
            if getattr(self, name) is None:
                out.append(f"{name}: required (here or in an included scenario)")
        if self.start is not None and self.start.tzinfo is None:
            out.append("start: needs a UTC offset, e.g. 2026-07-20T08:00:00+08:00")
        labels = [e.label for e in self.events]
        out += [f"events: two events named {x!r} (give one a name:)"
                for x in sorted({x for x in labels if labels.count(x) > 1})]
        anchored = [*self.expect.alerts, *self.expect.readings, *self.expect.gateway]
        for i, exp in enumerate(anchored):
            if exp.after is not None and exp.after not in labels:
                out.append(f"expect: {exp.after!r} is not an event (events: {labels})")
            elif exp.after is None and not self.events:
                out.append(f"expect[{i}]: anchored to the first event, but there is none")
        for i, r in enumerate(self.expect.readings):
            if r.check in ("above", "below") and (r.quantity is None or r.value is None):
                out.append(f"expect.readings[{i}]: {r.check} needs quantity and value")
            if r.check == "constant" and r.quantity is None:
                out.append(f"expect.readings[{i}]: constant needs quantity")
        if facility is not None:
            out += self._facility_problems(facility)
        return out

    def _facility_problems(self, facility: Facility) -> list[str]:
        zones = {z.id for z in facility.zones}
        sensors = {s.id for s in facility.sensors}
        out: list[str] = []
        for i, e in enumerate(self.events):
            out += [f"events[{i}].zones: no zone {z!r} in {facility.site.id}"
                    for z in e.zone_ids() if z not in zones]
            out += [f"events[{i}].sensors: no sensor {s!r} in {facility.site.id}"
                    for s in e.sensor_ids() if s not in sensors]
        exp = self.expect
        for part in (*exp.alerts, *exp.no_alerts):
            out += [f"expect: no zone {z!r}" for z in part.zones
                    if z not in zones and z != GATEWAY_ZONE]
            out += [f"expect: no sensor {s!r}" for s in part.sensors if s not in sensors]
        out += [f"expect.readings: no sensor {r.sensor!r}" for r in exp.readings
                if r.sensor not in sensors]
        out += [f"zones: no zone {z!r}" for z in self.zones if z not in zones]
        return out


# -- loading and composing ---------------------------------------------------------------
def _errors(exc: ValidationError) -> list[str]:
    return [f"{format_location(e['loc'])}: "
            + ("unknown key (check the spelling)" if e["type"] == "extra_forbidden"
               else e["msg"].removeprefix("Value error, "))
            for e in exc.errors(include_url=False)]


def resolve_path(name: str | Path, base: Path | None = None) -> Path:
    """A file path, or a bare name of a shipped scenario ("leak" -> scenarios/leak.yaml)."""
    path = Path(name)
    candidates = [base / path if base else path, path, SCENARIO_DIR / path,
                  SCENARIO_DIR / f"{path}.yaml"]
    return next((c for c in candidates if c.is_file()), candidates[0])


def parse_scenario(data: Any, source: str = "<scenario>") -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError(source, ["(top level): must be a mapping with name, events, expect"])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, _errors(exc)) from None


def load_scenario(path: str | Path, _seen: tuple[Path, ...] = ()) -> Scenario:
    """Load a scenario file and compose the scenarios it includes."""
    path = resolve_path(path).resolve()
    if path in _seen:
        raise ScenarioError(str(path), ["include: the scenario includes itself"])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(str(path), [f"cannot read: {exc.strerror or exc}"]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(str(path), [f"YAML: {exc}"]) from None
    own = parse_scenario(data, str(path))
    included = [load_scenario(resolve_path(p, path.parent), (*_seen, path))
                for p in own.include]
    if not included:
        return own
    # an including scenario keeps its own name and story
    return compose([*included, own]).model_copy(update={"name": own.name,
                                                         "description": own.description})


def compose(parts: list[Scenario]) -> Scenario:
    """One timeline with every part's events and expectations; the last part's start and
    physics win, the longest duration and the shortest step."""
    def last(name: str) -> Any:
        return next((getattr(p, name) for p in reversed(parts) if getattr(p, name)), None)

    durations = [p.duration for p in parts if p.duration]
    steps = [p.step for p in parts if p.step]
    zones = [] if any(not p.zones for p in parts) else sorted({z for p in parts for z in p.zones})
    return Scenario(
        name=" + ".join(p.name for p in parts),
        description="\n".join(p.description for p in parts if p.description),
        needs=Needs(**{k: any(getattr(p.needs, k) for p in parts) for k in Needs.model_fields}),
        start=last("start"), duration=max(durations) if durations else None,
        calendar=any(p.calendar for p in parts),
        step=min(steps) if steps else None, zones=zones, physics=last("physics"),
        events=[e for p in parts for e in p.events],
        expect=Expectations(**{k: _merge_expect([getattr(p.expect, k) for p in parts])
                               for k in Expectations.model_fields}),
    )


def _merge_expect(values: list[Any]) -> Any:
    if isinstance(values[0], list):
        return [x for v in values for x in v]
    return next((v for v in reversed(values) if v is not None), None)


def load_scenarios(paths: list[str | Path]) -> Scenario:
    scenarios = [load_scenario(p) for p in paths]
    return scenarios[0] if len(scenarios) == 1 else compose(scenarios)


def shipped_scenarios() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("*.yaml"))
