"""pytest plugin (entry point `pytest11`): fixtures for testing against a real local stack.

    cangjing_stack   a Mosquitto and an influxd for the whole session (LocalStack)
    private_stack    servers of your own for one test (stop/kill/restart them freely)
    mqtt_url         the session broker's URL
    influx           an InfluxClient on a fresh database of its own, per test
    facility         the Beiqijia facility (config/beiqijia.yaml)
    mqtt_probe       factory: mqtt_probe("cangjing/#") -> a started MqttProbe
    http_receiver    a real HTTP server that records POSTs (webhook notifications)
    virtual_serial   factory: simulated serial devices of a facility on pty pairs
    cangjing_services   factory: cangjing_services(config, "gateway", "alerts", ...) ->
                        ServiceProcesses, `cangjing <service>` processes on the session stack
    simulated_facility  factory: simulated_facility(config, interval=0.5, breach={...}) ->
                        started MqttNodes of a facility file on the session broker
    run_scenario        factory: run_scenario("leak", config=...) -> Verdict of a scenario
                        run (firmware_sim/scenarios/) against the session broker
    bench_facility      firmware_sim/testdata/bench.yaml: five MQTT nodes in four zones
Helpers in firmware_sim.testing: wait_for, wait_for_reading, wait_for_alert.

After each test that used the session broker, the gateways' persistent sessions are ended
(autouse), so that node payloads of one test never reach the next test's gateway.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cangjing.config import Facility, load_facility
from cangjing.influx import InfluxClient
from cangjing.mqtt import end_session
from cangjing.settings import DEFAULT_FACILITY
from cangjing.stack import LocalStack

from .testing import HttpReceiver, MqttProbe


@pytest.fixture(scope="session")
def cangjing_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(tmp_path_factory.mktemp("stack")) as stack:
        yield stack


@pytest.fixture(autouse=True)
def _no_gateway_session_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """Gateways keep a persistent session (node payloads wait in the broker while they are
    away). On the session broker that would hand one test's node messages to the next
    test's gateway, so each test that used it ends the gateway sessions it may have left."""
    yield
    if "cangjing_stack" not in request.fixturenames:
        return
    url = request.getfixturevalue("cangjing_stack").mosquitto.url
    for gateway_id in _known_gateway_ids():
        end_session(url, f"cangjing-gateway-{gateway_id}")


@functools.cache
def _known_gateway_ids() -> frozenset[str]:
    from .testing import BENCH_FACILITY

    return frozenset(g.id for path in (DEFAULT_FACILITY, BENCH_FACILITY)
                     for g in load_facility(path).gateways)


@pytest.fixture
def private_stack(tmp_path: Path) -> Iterator[LocalStack]:
    with LocalStack(tmp_path / "stack") as stack:
        yield stack


@pytest.fixture
def mqtt_url(cangjing_stack: LocalStack) -> str:
    return cangjing_stack.mosquitto.url


def fresh_influx(url: str) -> InfluxClient:
    client = InfluxClient(url, f"t_{uuid.uuid4().hex[:12]}")
    client.ensure_database()
    return client


@pytest.fixture
def influx(cangjing_stack: LocalStack) -> Iterator[InfluxClient]:
    client = fresh_influx(cangjing_stack.influxd.url)
    yield client
    client.query(f'DROP DATABASE "{client.database}"')
    client.close()


@pytest.fixture(scope="session")
def facility() -> Facility:
    return load_facility(DEFAULT_FACILITY)


@pytest.fixture
def mqtt_probe(mqtt_url: str) -> Iterator[Callable[..., MqttProbe]]:
    probes: list[MqttProbe] = []

    def make(*filters: str, url: str | None = None) -> MqttProbe:
        probe = MqttProbe(url or mqtt_url, *filters).start()
        probes.append(probe)
        return probe

    yield make
    for p in probes:
        p.stop()


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def virtual_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """Factory: virtual_serial(facility, model=None, **kw) -> SerialDevices.

    Simulated Modbus RTU transmitters and ASCII nodes of every bus of `facility` on real pty
    pairs (firmware_sim.serial), paced at each bus's baud rate, with CANGJING_PORT_* (and the
    variables the buses' `port:` references name) pointing at them for this test.
    `device(sensor_id).faults.set(...)` injects faults; stopped after the test."""
    from .nodes import FacilityModel
    from .serial import port_env, start_serial_devices

    started: list[Any] = []

    def make(facility: Facility, model: Any = None, **kw: Any) -> Any:
        links = tmp_path / "serial-links"
        devices = start_serial_devices(facility, links, model or FacilityModel(facility), **kw)
        started.append(devices)
        for name, value in port_env(facility, links).items():
            monkeypatch.setenv(name, value)
        return devices

    yield make
    for devices in started:
        devices.stop()


# -- simulator fixtures (firmware_sim) ---------------------------------------------------


@pytest.fixture(scope="session")
def bench_facility() -> Path:
    from .testing import BENCH_FACILITY

    return BENCH_FACILITY


@pytest.fixture
def cangjing_services(cangjing_stack: LocalStack, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Factory: cangjing_services(config, *services) -> ServiceProcesses (started,
    connected to the session broker; own InfluxDB database; stopped after the test)."""
    from .testing import ServiceProcesses

    started: list[ServiceProcesses] = []

    def make(config: str | Path, *services: str) -> ServiceProcesses:
        procs = ServiceProcesses(cangjing_stack, config, tmp_path / f"services-{len(started)}")
        started.append(procs)
        return procs.start(*services)

    yield make
    for procs in started:
        procs.stop()
        client = procs.influx()
        client.query(f'DROP DATABASE "{procs.database}"')
        client.close()


@pytest.fixture
def simulated_facility(mqtt_url: str) -> Iterator[Callable[..., Any]]:
    """Factory: simulated_facility(config, interval=0.5, seed=1, breach={"A1": {"humidity":
    15}}) -> started MqttNodes publishing the facility's MQTT nodes on the session broker."""
    from .model import FacilityModel
    from .nodes import MqttNodes

    started: list[MqttNodes] = []

    def make(config: str | Path | Facility, interval: float = 0.5, seed: int = 1,
             breach: dict[str, dict[str, float]] | None = None) -> MqttNodes:
        facility = config if isinstance(config, Facility) else load_facility(config)
        model = FacilityModel(facility, seed=seed)
        for zone, offsets in (breach or {}).items():
            model.zones[zone].offsets.update(offsets)
        nodes = MqttNodes(facility, mqtt_url, model=model, interval=interval,
                          client_id=f"sim-nodes-{uuid.uuid4().hex[:8]}")
        nodes.start()
        started.append(nodes)
        return nodes

    yield make
    for nodes in started:
        nodes.stop()


class _ScenarioClock:
    """Lays the scenario runs of a session end to end in past time, so that no run's
    readings are older than an earlier run's (the alert engine takes each sensor's readings
    in order), and a `calendar` run inside one calendar year (Asia/Shanghai)."""

    def __init__(self) -> None:
        from datetime import UTC, datetime, timedelta

        self.cursor = datetime.now(UTC) - timedelta(days=400)

    def take(self, length=None, calendar: bool = False):  # (timedelta) -> datetime
        """`end_before` for a run of `length` (default 10 days) that starts after the last."""
        from datetime import UTC, datetime, timedelta
        from zoneinfo import ZoneInfo

        length = length or timedelta(days=10)
        end = self.cursor + length + timedelta(days=1)
        tz = ZoneInfo("Asia/Shanghai")
        if calendar and (end - length).astimezone(tz).year != end.astimezone(tz).year:
            end = datetime(end.astimezone(tz).year, 1, 1, tzinfo=tz) + length + timedelta(days=1)
        self.cursor = end + timedelta(days=1)
        return min(end, datetime.now(UTC))


@pytest.fixture(scope="session")
def scenario_clock() -> _ScenarioClock:
    return _ScenarioClock()


@pytest.fixture
def run_scenario(mqtt_url: str, bench_facility: Path,
                 scenario_clock: _ScenarioClock) -> Callable[..., Any]:
    """Factory: run_scenario(*names_or_files, config=bench_facility, seed=1, settle=15) ->
    Verdict (firmware_sim.verify) of the composed scenarios run against the session broker.
    The services that judge it (alerts, gateway...) must be running: cangjing_services."""
    from .scenarios import load_scenarios
    from .verify import ScenarioRun

    def run(*scenarios: str | Path, config: str | Path | None = None, **kw: Any) -> Any:
        path = Path(config or bench_facility)
        plan = load_scenarios(list(scenarios))
        kw.setdefault("end_before", scenario_clock.take(plan.duration, plan.calendar))
        return ScenarioRun(load_facility(path), plan, mqtt_url, config=path, **kw).run()

    return run
