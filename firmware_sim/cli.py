"""`cangjing sim`: the simulated field side.

    cangjing sim [--interval 2] [--seed 1] [--breach A1:humidity:+15] [--scenario leak]
                 [--serial-links DIR] [--live]            live MQTT nodes (and serial devices)
    cangjing sim --accelerate --from 2025-01-01 --to 2026-01-01 --step 10m
                                                          a simulated period, as fast as it goes
    cangjing sim verify SCENARIO...                       run scenarios, check expectations
    cangjing sim scenarios                                the scenarios shipped with Cangjing
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cangjing.cli_common import ConfigOpt, console, err, load_or_exit
from cangjing.service import run_until_signal, setup_logging, stop_event_on_signals
from cangjing.settings import facility_path, mqtt_url

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from cangjing.config import Facility

    from .model import FacilityModel
    from .scenarios import Scenario

sim_app = typer.Typer(help="The simulated field side (no subcommand: run it).",
                      invoke_without_command=True)

SeedOpt = Annotated[int, typer.Option(help="random seed: same seed, same readings")]
LiveOpt = Annotated[bool, typer.Option("--live", help="show what is injected (rich)")]


def parse_when(text: str, tz: ZoneInfo) -> datetime:
    """2025-01-01 (local midnight of the site), or an ISO time with or without offset."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date or ISO time") from None
    return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(UTC)


def parse_step(text: str) -> timedelta:
    from cangjing.config.types import parse_duration

    try:
        value = parse_duration(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if not isinstance(value, timedelta) or value.total_seconds() <= 0:
        raise typer.BadParameter(f"{text!r}: write a positive duration, e.g. 10m")
    return value


def load_scenarios_or_exit(names: list[str], facility: Facility | None = None) -> Scenario:
    from .scenarios import ScenarioError, load_scenarios

    try:
        scenario = load_scenarios(list(names))
    except ScenarioError as exc:
        err.print(f"[bold red]{exc.source}: {len(exc.errors)} error(s)[/]")
        for line in exc.errors:
            err.print(f"  {line}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    problems = scenario.problems(facility)
    if problems:
        err.print(f"[bold red]scenario {scenario.name}: {len(problems)} problem(s)[/]")
        for line in problems:
            err.print(f"  {line}", markup=False, highlight=False)
        raise typer.Exit(2)
    return scenario


def apply_breaches(model: FacilityModel, breaches: list[str]) -> None:
    for spec in breaches:
        try:
            zone, quantity, delta = spec.split(":")
            model.zones[zone].offsets[quantity] = float(delta)
        except (ValueError, KeyError):
            err.print(f"--breach {spec!r}: expected ZONE:QUANTITY:DELTA with a known zone")
            raise typer.Exit(2) from None


@sim_app.callback()
def sim(
    ctx: typer.Context,
    config: ConfigOpt = None,
    interval: Annotated[float | None, typer.Option(help="seconds between reports")] = None,
    seed: SeedOpt = 1,
    breach: Annotated[
        list[str] | None,
        typer.Option(help="ZONE:QUANTITY:DELTA, e.g. A1:humidity:+15 (repeatable)"),
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option(help="play a scenario's events (file or shipped name; repeatable)"),
    ] = None,
    serial_links: Annotated[
        Path | None,
        typer.Option(help="also simulate the serial devices, linked under DIR (firmware_sim"
                     ".serial); the gateway finds them through CANGJING_PORT_<BUS>"),
    ] = None,
    accelerate: Annotated[bool, typer.Option(help="publish a past period as fast as the "
                                             "pipeline takes it")] = False,
    from_: Annotated[str | None, typer.Option("--from", help="accelerated: start date")] = None,
    to: Annotated[str | None, typer.Option(help="accelerated: end date (default: now)")] = None,
    step: Annotated[str, typer.Option(help="accelerated: simulated time between readings")]
    = "10m",
    via_gateway: Annotated[bool, typer.Option(help="accelerated: MQTT nodes' own payloads "
                                              "for a running gateway, not readings")] = False,
    window: Annotated[int, typer.Option(help="accelerated: unacknowledged messages at most")]
    = 500,
    live: LiveOpt = False,
) -> None:
    """Run the simulated field side: MQTT sensor nodes, serial devices, accelerated years."""
    ctx.obj = {"config": config}
    if ctx.invoked_subcommand is not None:
        return
    from .model import FacilityModel

    setup_logging()
    facility = load_or_exit(config)
    plan = load_scenarios_or_exit(scenario, facility) if scenario else None
    model = FacilityModel(facility, seed=seed, tuning=plan.physics if plan else None)
    apply_breaches(model, breach or [])
    if accelerate:
        if not from_:
            err.print("--accelerate needs --from (e.g. --from 2025-01-01)")
            raise typer.Exit(2)
        tz = facility.site.tz
        start = parse_when(from_, tz)
        end = parse_when(to, tz) if to else datetime.now(UTC)
        if plan is not None:
            for fault in plan.faults(facility, start):
                model.add_fault(fault)
        raise typer.Exit(_accelerate(facility, model, start, end, parse_step(step),
                                     via_gateway, window, live))
    _run_live(facility, model, plan, interval, serial_links, live)


def _run_live(facility: Facility, model: FacilityModel, plan: Scenario | None,
              interval: float | None, serial_links: Path | None, live: bool) -> None:
    from .nodes import MqttNodes

    shift = timedelta(0)
    if plan is not None and plan.start is not None:
        # Play the scenario's season: the physics runs at the scenario's date, the events
        # start now, the payloads carry the real time.
        now = datetime.now(UTC)
        shift = (now - plan.start) // timedelta(days=1) * timedelta(days=1)
        for fault in plan.faults(facility, now - shift):
            model.add_fault(fault)
    nodes = MqttNodes(facility, mqtt_url(facility), model=model, interval=interval,
                      climate_shift=shift)
    services: list = [nodes]
    if serial_links is not None:
        services.insert(0, _SerialService(facility, model, serial_links))
    if not live:
        run_until_signal(*services)
        return
    _run_with_view(facility, nodes, services, shift)


class _SerialService:
    """firmware_sim.serial's devices as a service (imported only when asked for)."""

    def __init__(self, facility: Facility, model: FacilityModel, links: Path) -> None:
        try:
            from . import serial as serial_sim
        except ImportError as exc:
            err.print(f"--serial-links: serial devices cannot be simulated here "
                      f"(firmware_sim.serial: {exc})")
            raise typer.Exit(2) from None
        self.module, self.facility, self.model, self.links = serial_sim, facility, model, links
        self.devices = None

    def start(self) -> None:
        self.links.mkdir(parents=True, exist_ok=True)
        self.devices = self.module.start_serial_devices(self.facility, self.links, self.model)
        for name, value in self.module.port_env(self.facility, self.links).items():
            print(f"export {name}={value}", flush=True)  # for the gateway's shell

    def stop(self) -> None:
        if self.devices is not None:
            self.devices.stop()


def _run_with_view(facility: Facility, nodes, services: list, shift: timedelta) -> None:
    from .liveview import InjectionView, Snapshot

    stop = stop_event_on_signals()
    for svc in services:
        svc.start()
    try:
        with InjectionView(facility) as view:
            while not stop.wait(0.5):
                now = datetime.now(UTC)
                silent = {s.id for s in nodes.sensors if not nodes.model.reports(s, now - shift)}
                view.update(Snapshot("paused" if nodes.paused else "live", now - shift, now,
                                     None, nodes.published, None, dict(nodes.last),
                                     nodes.model.active_faults(now - shift), silent))
    finally:
        for svc in reversed(services):
            svc.stop()


def _accelerate(facility: Facility, model: FacilityModel, start: datetime, end: datetime,
                step: timedelta, via_gateway: bool, window: int, live: bool) -> int:
    from .accelerated import Progress, run_accelerated
    from .liveview import InjectionView, Snapshot

    if end <= start:
        err.print("--to must be after --from")
        return 2
    stop = stop_event_on_signals()
    view = InjectionView(facility) if live else None
    state = {"last": 0.0}

    def on_step(p: Progress) -> None:
        if view is not None:
            view.update(Snapshot("accelerated", p.when, p.when, (p.index + 1) / p.total,
                                 p.feed.published, None, dict(p.feed.last),
                                 model.active_faults(p.when)))
        elif p.index + 1 == p.total or p.index - state["last"] >= p.total / 20:
            state["last"] = p.index
            err.print(f"{p.when.astimezone(facility.site.tz):%Y-%m-%d %H:%M}  "
                      f"{100 * (p.index + 1) / p.total:5.1f} %  {p.feed.published} messages",
                      highlight=False)

    url = mqtt_url(facility)
    try:
        if view is not None:
            with view:
                feed = run_accelerated(facility, model, url, start, end, step,
                                       via_gateway=via_gateway, window=window, on_step=on_step,
                                       stop=stop)
        else:
            feed = run_accelerated(facility, model, url, start, end, step,
                                   via_gateway=via_gateway, window=window, on_step=on_step,
                                   stop=stop)
    except ConnectionError as exc:
        err.print(str(exc))
        return 1
    tz = facility.site.tz
    print(f"published {feed.published} messages from {start.astimezone(tz):%Y-%m-%d %H:%M} to "
          f"{end.astimezone(tz):%Y-%m-%d %H:%M} ({tz}) every {step}")
    return 0


@sim_app.command("verify")
def verify(
    ctx: typer.Context,
    scenarios: Annotated[list[str], typer.Argument(help="scenario files or shipped names; "
                                                   "several are composed into one run")],
    config: ConfigOpt = None,
    seed: SeedOpt = 1,
    keep_dates: Annotated[bool, typer.Option(help="publish at the scenario's own dates "
                                             "instead of the recent past")] = False,
    end_before: Annotated[str | None, typer.Option(help="place the run to end before this "
                                                   "time (default: now)")] = None,
    settle: Annotated[float, typer.Option(help="seconds to wait for expected alerts")] = 15.0,
    as_json: Annotated[bool, typer.Option("--json", help="the verdict as JSON")] = False,
    live: LiveOpt = False,
) -> None:
    """Run scenarios against the running system (CANGJING_MQTT_URL) and check what it does.

    Exit status 0 when every expectation is met, 1 when one is not, 2 when the scenario
    cannot run (invalid file, a need not met)."""
    from .verify import ScenarioRun, VerifyError

    setup_logging("WARNING")
    config = config or (ctx.obj or {}).get("config")
    facility = load_or_exit(config)
    plan = load_scenarios_or_exit(scenarios, facility)
    tz = facility.site.tz
    view = None
    on_step = None
    if live:
        from .liveview import InjectionView, Snapshot

        view = InjectionView(facility)

        def on_step(info) -> None:  # type: ignore[no-redef]
            view.update(Snapshot(f"verify {plan.name}", info.climate, info.stamp,
                                 (info.index + 1) / info.total, info.published, info.seen,
                                 dict(info.values), info.active))
    try:
        run = ScenarioRun(facility, plan, mqtt_url(facility), config=facility_path(config),
                          seed=seed, keep_dates=keep_dates, settle=settle, on_step=on_step,
                          end_before=parse_when(end_before, tz) if end_before else None)
        if view is not None:
            with view:
                verdict = run.run()
        else:
            verdict = run.run()
    except (VerifyError, ConnectionError) as exc:
        err.print(f"[bold red]cannot run:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps({"scenario": verdict.scenario, "ok": verdict.ok,
                          "start": verdict.t0.isoformat(), "end": verdict.end.isoformat(),
                          "checks": [{"ok": c.ok, "what": c.what, "detail": c.detail}
                                     for c in verdict.checks], "notes": verdict.notes},
                         ensure_ascii=False, indent=2))
    else:
        print(verdict.report(tz))  # plain: a report is read, grepped and pasted
    raise typer.Exit(0 if verdict.ok else 1)


@sim_app.command("scenarios")
def list_scenarios() -> None:
    """The scenarios shipped in firmware_sim/scenarios/ and what they need."""
    from .scenarios import ScenarioError, load_scenario, shipped_scenarios

    for path in shipped_scenarios():
        try:
            s = load_scenario(path)
        except ScenarioError as exc:
            console.print(f"{path.stem}: [red]invalid[/] ({exc.errors[0]})")
            continue
        needs = [k for k, v in s.needs.model_dump().items() if v]
        first = s.description.strip().split(". ")[0]
        console.print(f"[bold]{path.stem}[/]  {first}" + (f"  [dim](needs {', '.join(needs)})"
                                                        "[/]" if needs else ""))


def register(app: typer.Typer) -> None:
    app.add_typer(sim_app, name="sim")

