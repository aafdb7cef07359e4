"""`cangjing sim verify`: run a scenario against the running system and judge it.

The run plays the field side in accelerated time: every sensor's readings for the
scenario's simulated hours or days are published as fast as the pipeline takes them, with
timestamps placed in the recent past (whole days back, so the local hour of the scenario
is kept; the physics uses the scenario's own date, so a July scenario has July weather).
The alert engine judges durations on reading timestamps, so hours resolve in seconds.

Running simulators of the same site are paused for the run (sim/control). A scenario that
needs a gateway gets one of its own (a `cangjing gateway` process the run starts, kills
for a power cut, and reaches the broker through a proxy it can cut for a partition); the
running system must then not run a gateway of the same id.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cangjing.config import Facility
from cangjing.mqtt import parse_mqtt_url
from cangjing.topics import Topics

from .accelerated import Feed, WindowedPublisher, instants, keep_up
from .checks import Check, RunFacts, evaluate, positive_met
from .gatewayctl import GatewayProcess
from .model import FacilityModel
from .netfault import PartitionProxy
from .nodes import control_topic
from .observer import Observer
from .scenarios import NetworkPartition, PowerCut, Scenario

log = logging.getLogger(__name__)


class VerifyError(RuntimeError):
    """The scenario cannot run here (a need is not met); the message says why."""


def fmt_duration(delta: timedelta) -> str:
    s = int(delta.total_seconds())
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m = s // 60
    return " ".join(p for p in (f"{d}d" * bool(d), f"{h}h" * bool(h), f"{m}m" * bool(m))
                    if p) or "0m"


@dataclass
class Verdict:
    scenario: str
    checks: list[Check]
    t0: datetime
    end: datetime
    climate_start: datetime
    published: int
    seen: int
    wall_seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def report(self, tz=UTC) -> str:
        failed = sum(not c.ok for c in self.checks)
        head = "PASS" if self.ok else "FAIL"
        verdict = "all met" if not failed else f"{failed} not met"
        lines = [
            f"{head}  scenario {self.scenario}: {len(self.checks)} expectations, {verdict}",
            f"      simulated {self.t0.astimezone(tz):%Y-%m-%d %H:%M} .. "
            f"{self.end.astimezone(tz):%Y-%m-%d %H:%M} ({tz}) with the climate of "
            f"{self.climate_start:%Y-%m-%d}; {self.published} messages published, "
            f"{self.seen} readings seen, {self.wall_seconds:.1f}s",
        ]
        for c in self.checks:
            mark = "ok  " if c.ok else "FAIL"
            lines.append(f"  {mark} {c.what}" + (f" — {c.detail}" if c.detail else ""))
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass(frozen=True)
class StepInfo:
    """What the run is injecting now (for the live view)."""

    climate: datetime
    stamp: datetime
    index: int
    total: int
    active: list[str]
    values: dict[str, dict[str, float]]
    published: int
    seen: int


def placement(scenario: Scenario, end_before: datetime | None, keep_dates: bool,
              tz: tzinfo = UTC) -> timedelta:
    """How far the timestamps move from the scenario's own dates: whole days, so that the
    run ends before `end_before` (default now) and keeps its local hours; a `calendar`
    scenario moves further back rather than straddle a new year."""
    if keep_dates:
        return timedelta(0)
    assert scenario.start is not None and scenario.duration is not None
    end_before = end_before or datetime.now(UTC)
    days = (end_before - scenario.start - scenario.duration) // timedelta(days=1)
    shift = timedelta(days=days)
    if scenario.calendar:
        start = (scenario.start + shift).astimezone(tz)
        end = (scenario.start + shift + scenario.duration).astimezone(tz)
        if end.year != start.year:
            new_year = datetime(end.year, 1, 1, tzinfo=tz)
            shift -= (end - new_year) // timedelta(days=1) * timedelta(days=1) + timedelta(
                days=1)
    return shift


def _via(url: str, port: int) -> str:
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@127.0.0.1:{port}" if userinfo else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


class ScenarioRun:
    def __init__(
        self,
        facility: Facility,
        scenario: Scenario,
        mqtt_url: str,
        *,
        config: Path | None = None,
        seed: int = 1,
        end_before: datetime | None = None,
        keep_dates: bool = False,
        settle: float = 15.0,
        window: int = 200,
        lag: int = 400,
        workdir: Path | None = None,
        on_step: Callable[[StepInfo], None] | None = None,
    ) -> None:
        problems = scenario.problems(facility)
        if problems:
            raise VerifyError(f"scenario {scenario.name}:\n  " + "\n  ".join(problems))
        self.facility = facility
        self.scenario = scenario
        self.mqtt_url = mqtt_url
        self.config = config
        self.seed = seed
        self.settle = settle
        self.window = window
        self.lag = lag
        self.workdir = workdir
        self.on_step = on_step
        self.topics = Topics(facility.mqtt.prefix, facility.site.id)
        assert scenario.start and scenario.duration and scenario.step
        self.c0 = scenario.start
        self.shift = placement(scenario, end_before, keep_dates, facility.site.tz)
        self.t0 = self.c0 + self.shift
        self.end = self.t0 + scenario.duration
        self.gateway_id = facility.gateways[0].id if facility.gateways else "gw"
        self.wall: dict[tuple[str, str], float] = {}
        self.notes: list[str] = []
        self._check_needs()

    def _check_needs(self) -> None:
        s = self.scenario
        if any(isinstance(e, NetworkPartition) for e in s.events) and not s.needs.partition:
            raise VerifyError("a network_partition event needs `needs: {partition: true}`")
        if s.needs_gateway and self.config is None:
            raise VerifyError(f"scenario {s.name} needs a gateway: give the facility file "
                              "(--config) so that the run can start one")
        if s.needs.serial and importlib.util.find_spec("firmware_sim.serial") is None:
            raise VerifyError(f"scenario {s.name} needs serial devices, and firmware_sim.serial "
                              "is not installed in this version")

    # -- the run ---------------------------------------------------------------------------
    def run(self) -> Verdict:
        began = time.monotonic()
        wall_began = time.time()
        s = self.scenario
        model = FacilityModel(self.facility, self.seed, s.physics)
        for fault in s.faults(self.facility, self.c0):
            model.add_fault(fault)
        zones = set(s.zones) or {z.id for z in self.facility.zones}
        sensors = [x for x in self.facility.sensors if x.zone in zones]
        tag = f"{time.time_ns() % 10**9}"
        observer = Observer(self.mqtt_url, self.topics, f"cangjing-sim-verify-obs-{tag}").start()
        publisher = WindowedPublisher(self.mqtt_url, f"cangjing-sim-verify-{tag}",
                                      self.window).start()
        feed = Feed(self.facility, model, publisher, sensors, via_gateway=s.needs_gateway,
                    shift=self.shift)
        with tempfile.TemporaryDirectory(prefix="cangjing-verify-") as tmp:
            workdir = self.workdir or Path(tmp)
            self.proxy: PartitionProxy | None = None
            self.gateway: GatewayProcess | None = None
            try:
                self._pause_live(publisher, s.duration_hint_seconds())
                if s.needs_gateway:
                    self._start_gateway(observer, workdir)
                self._play(feed, observer, model)
                keep_up(feed, lambda: self._seen(observer), 0)
                facts = RunFacts(s, self.t0, self.end, self.wall, self.gateway_id, wall_began)
                deadline = time.monotonic() + self.settle
                while time.monotonic() < deadline and not positive_met(observer, facts):
                    time.sleep(0.05)
                if s.expect.no_alerts:
                    # false alarms need a moment to show up after the last reading
                    time.sleep(1.0)
                checks = evaluate(observer, facts)
            finally:
                self._teardown(publisher, observer)
        return Verdict(s.name, checks, self.t0, self.end, self.c0, feed.published,
                       self._seen(observer), time.monotonic() - began, self.notes)

    def _seen(self, observer: Observer) -> int:
        return observer.count

    def _pause_live(self, publisher: WindowedPublisher, seconds: float) -> None:
        publisher.publish(control_topic(self.topics), json.dumps({"pause": seconds}).encode())

    def _start_gateway(self, observer: Observer, workdir: Path) -> None:
        _wait(lambda: observer.last_status(self.gateway_id) is not None, 0.5)
        last = observer.last_status(self.gateway_id)
        if last is not None and last.state == "online":
            raise VerifyError(
                f"gateway {self.gateway_id} reports online: this scenario runs a gateway of "
                "its own; stop the running one first")
        url = self.mqtt_url
        if self.scenario.needs.partition:
            address = parse_mqtt_url(self.mqtt_url)
            self.proxy = PartitionProxy(address.host, address.port).start()
            url = _via(self.mqtt_url, self.proxy.port)
        assert self.config is not None
        self.gateway = GatewayProcess(self.config, url, workdir / "gateway", self.gateway_id)
        self._gateway_up(observer, "start")

    def _gateway_up(self, observer: Observer, why: str) -> None:
        assert self.gateway is not None
        mark = time.time()
        self.gateway.start()
        if not self._wait_status(observer, "online", mark, 30.0):
            raise VerifyError(f"the gateway did not come online ({why}):\n{self.gateway.tail()}")

    def _wait_status(self, observer: Observer, state: str, since: float, timeout: float) -> bool:
        def seen() -> bool:
            return any(x.gateway == self.gateway_id and x.state == state and not x.retained
                       and x.received >= since for x in observer.status_changes())
        return _wait(seen, timeout)

    def _play(self, feed: Feed, observer: Observer, model: FacilityModel) -> None:
        s = self.scenario
        assert s.duration is not None and s.step is not None
        total = int(s.duration / s.step) + 1
        systemic = [e for e in s.events if isinstance(e, PowerCut | NetworkPartition)]
        done: set[tuple[str, str]] = set()
        partitioned = False
        for i, when in enumerate(instants(self.c0, self.c0 + s.duration, s.step)):
            for event in systemic:
                w = event.window(self.c0)
                for edge, at in (("start", w.start), ("end", w.end)):
                    if at is not None and when >= at and (event.label, edge) not in done:
                        done.add((event.label, edge))
                        self.wall[(event.label, edge)] = time.time()
                        partitioned = self._system_edge(event, edge, observer, partitioned)
            feed.step(when, delivered=not partitioned)
            keep_up(feed, lambda: self._seen(observer), self.lag)
            if self.on_step is not None:
                active = [e.label for e in s.events if e.window(self.c0).contains(when)]
                self.on_step(StepInfo(when, when + self.shift, i, total, active, feed.last,
                                      feed.published, self._seen(observer)))

    def _system_edge(self, event: PowerCut | NetworkPartition, edge: str, observer: Observer,
                     partitioned: bool) -> bool:
        mark = time.time()
        if isinstance(event, PowerCut) and self.gateway is not None:
            if edge == "start":
                self.gateway.kill()
                if not self._wait_status(observer, "offline", mark, 15.0):
                    self.notes.append("the broker did not publish the gateway's last will")
            else:
                self._gateway_up(observer, "power back")
            return partitioned
        if isinstance(event, NetworkPartition) and self.proxy is not None:
            if edge == "start":
                self.proxy.cut()
                if not self._wait_status(observer, "offline", mark, 15.0):
                    self.notes.append("no offline status within 15s of the partition")
                return True
            self.proxy.heal()
            if not self._wait_status(observer, "online", mark, 45.0):
                self.notes.append("the gateway did not come back within 45s of the heal")
            return False
        return partitioned

    def _teardown(self, publisher: WindowedPublisher, observer: Observer) -> None:
        try:
            if self.gateway is not None:
                self.gateway.stop()
            if self.proxy is not None:
                self.proxy.close()
            self._pause_live(publisher, 0)
        finally:
            publisher.stop()
            observer.stop()


def _wait(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True
