"""`cangjing up`: the whole system on one machine, on embedded defaults.

Starts Mosquitto and influxd (cangjing.stack) under the data dir, then the simulated
facility, the gateway, the collector and the alert engine as child processes of their own
(the same commands a deployment runs), and shows a live table per zone. Ctrl-C (or SIGTERM)
stops the children first, then the servers; nothing is left running.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.table import Table

from .config import Facility, FacilityError, load_facility
from .config.connections import data_dir
from .mqtt import MqttConnection
from .reading import ReadingError, parse_reading
from .service import stop_event_on_signals
from .stack import LocalStack, child_env
from .topics import Topics

log = logging.getLogger("cangjing.up")
# name -> the `cangjing` command line of each child (the same commands a deployment runs)
SERVICES = {
    "collector": ["collector"],
    "alerts": ["alerts"],
    "preservation": ["preservation", "run"],
    "gateway": ["gateway"],
    "sim": ["sim"],
}


@dataclass
class ZoneView:
    values: dict[str, dict[str, float]] = field(default_factory=dict)  # sensor -> values
    alerts: dict[str, dict] = field(default_factory=dict)  # alert id -> last event
    last_alert: str = ""

    def mean(self, quantity: str) -> float | None:
        vals = [v[quantity] for v in self.values.values() if quantity in v]
        return sum(vals) / len(vals) if vals else None

    def state(self) -> str:
        states = {e["state"] for e in self.alerts.values()}
        for s in ("firing", "acknowledged", "pending"):
            if s in states:
                return s
        return "ok"


class Watcher:
    """Subscribes to readings and alert events and keeps the per-zone view."""

    def __init__(self, facility: Facility, url: str) -> None:
        self.facility = facility
        self.topics = Topics(facility.mqtt.prefix, facility.site.id)
        self.zones = {z.id: ZoneView() for z in facility.zones}
        self.readings = 0
        self.conn = MqttConnection(url, "cangjing-up-watcher", on_connect=self._subscribe)
        self.conn.client.on_message = self._on_message
        self.lock = threading.Lock()

    def _subscribe(self, conn: MqttConnection) -> None:
        conn.client.subscribe([(self.topics.all_readings, 0), (self.topics.all_alerts, 1)])

    def _on_message(self, client, userdata, msg) -> None:
        with self.lock:
            if msg.topic.endswith("/reading"):
                try:
                    r = parse_reading(msg.payload)
                except ReadingError:
                    return
                if r.zone in self.zones:
                    self.zones[r.zone].values[r.sensor] = {k.value: v for k, v in r.values.items()}
                    self.readings += 1
                return
            try:
                event = json.loads(msg.payload)
                view = self.zones[event["zone"]]
            except (ValueError, KeyError, TypeError):
                return
            if event.get("state") == "resolved":
                view.alerts.pop(event.get("id"), None)
            else:
                view.alerts[event.get("id")] = event
            view.last_alert = (f"{event.get('state')} {event.get('quantity')} "
                               f"{event.get('value'):.1f} ({event.get('sensor')})")

    def table(self) -> Table:
        t = Table(title=f"{self.facility.site.name} — {self.readings} readings",
                  caption="Ctrl-C stops everything")
        for col in ("zone", "name", "T °C", "RH %", "lux", "state", "last alert"):
            t.add_column(col)
        colours = {"ok": "green", "pending": "yellow", "firing": "bold red",
                   "acknowledged": "magenta"}
        with self.lock:
            for z in self.facility.zones:
                v = self.zones[z.id]
                st = v.state()
                t.add_row(z.id, z.name, _f(v.mean("temperature")), _f(v.mean("humidity")),
                          _f(v.mean("illuminance"), 0), f"[{colours[st]}]{st}[/]", v.last_alert)
        return t


def _f(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _spawn(command: list[str], config: Path, env: dict[str, str], extra: list[str],
           log_file: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "cangjing.cli", *command, "--config", str(config), *extra]
    # Own process group: the terminal's Ctrl-C reaches `up`, which stops children in order.
    # Their logs go to files, so that they do not scribble over the live table.
    with open(log_file, "ab") as out:
        return subprocess.Popen(cmd, env=child_env(env), start_new_session=True,
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _stop_children(children: dict[str, subprocess.Popen], timeout: float = 15.0) -> None:
    # Alerts first (a planned stop pages nobody), then the gateway before the devices it
    # reads, the collector last so that it writes what is in flight.
    for name in ("alerts", "gateway", "sim", "preservation", "collector"):
        proc = children.get(name)
        if proc is None or proc.poll() is not None:
            continue
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop in %.0fs; killing it", name, timeout)
            proc.kill()
            proc.wait()


def port_env(facility: Facility, links: Path) -> dict[str, str]:
    from firmware_sim.serial.devices import port_env as serial_port_env

    return serial_port_env(facility, links)


def run_up(config: Path, *, interval: float, duration: float | None, breach: list[str],
           live: bool) -> int:
    console = Console()
    try:
        facility = load_facility(config)
    except FacilityError as exc:
        console.print(str(exc), markup=False)
        return 2
    stop = stop_event_on_signals()
    stack = LocalStack(data_dir())
    children: dict[str, subprocess.Popen] = {}
    watcher: Watcher | None = None
    try:
        stack.start()
        env = stack.env()
        console.print(f"[bold]Cangjing up[/] — data in {stack.data_dir}")
        console.print(f"  MQTT broker : {stack.mosquitto.url}")
        console.print(f"  InfluxDB    : {stack.influxd.url}  (database "
                      f"{facility.influx.database}, InfluxQL over the v1 API)")
        console.print("  Grafana     : add an InfluxDB data source (query language InfluxQL) with "
                      f"URL {stack.influxd.url} and database {facility.influx.database}, "
                      "then import dashboards/*.json")
        # Serial buses: the simulator plugs Modbus RTU and ASCII devices in on pty pairs and
        # links them under the data dir; the gateway's ports point at those links.
        links = stack.data_dir / "serial"
        env.update(port_env(facility, links))
        sim_args = ["--interval", str(interval), "--serial-links", str(links)]
        sim_args += [a for b in breach for a in ("--breach", b)]
        logs = stack.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        console.print(f"  Logs        : {logs}/<service>.log")
        for name, command in SERVICES.items():
            children[name] = _spawn(command, config, env, sim_args if name == "sim" else [],
                                    logs / f"{name}.log")
        watcher = Watcher(facility, stack.mosquitto.url)
        watcher.conn.start()
        deadline = time.monotonic() + duration if duration else None
        return _watch(watcher, children, stop, deadline, live, console, logs)
    finally:
        _stop_children(children)
        if watcher is not None:
            watcher.conn.stop()
        stack.stop()
        console.print("stopped: services, Mosquitto and InfluxDB")


def _watch(watcher: Watcher, children: dict[str, subprocess.Popen], stop: threading.Event,
           deadline: float | None, live: bool, console: Console, logs: Path) -> int:
    def step() -> int | None:
        for name, proc in children.items():
            if proc.poll() is not None:
                console.print(f"[red]{name} exited with {proc.returncode}[/]; "
                              f"the end of {logs / (name + '.log')}:")
                console.print(_tail(logs / f"{name}.log"), markup=False, highlight=False)
                return 1
        if deadline is not None and time.monotonic() >= deadline:
            return 0
        return None

    if not live:
        while not stop.wait(1.0):
            if (rc := step()) is not None:
                return rc
        return 0
    with Live(watcher.table(), console=console, refresh_per_second=2) as view:
        while not stop.wait(1.0):
            view.update(watcher.table())
            if (rc := step()) is not None:
                return rc
    return 0
