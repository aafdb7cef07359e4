"""Alert engine benchmark (not part of the test suite); prints Markdown.

1. Latency: a breach reading published on the broker -> the notification received by a
   local HTTP receiver (apprise json:// webhook), p50/p99, while a publisher keeps up
   1,000 in-range readings/s of background traffic. Range rule without hold, group_wait 0.
2. Memory: the rules' per-sensor state (24 h swing and rate windows, light dose, mould
   index, fault and stale bookkeeping) for 10,000 sensors after a day of one reading a
   minute, measured with tracemalloc.

    .venv/bin/python -m benchmarks.alerts [--breaches 300] [--rate 1000] [--sensors 10000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks.common import cpu_model
from cangjing.config import Facility, load_facility, parse_facility
from cangjing.reading import Quantity as Q
from cangjing.reading import Reading
from cangjing.settings import DEFAULT_FACILITY

DAY = 86400.0



def bench_facility(base: Facility, hook_url: str | None) -> Facility:
    data = base.model_dump(mode="json", exclude_none=True)
    data["influx"].pop("password", None)
    data["alerts"].update({"range": {"hold": "0s"}, "group_wait": "0s", "group_interval": "0s",
                           "tick": "1s",
                           "stale": {"intervals": 1e9}, "api": {"bind": "127.0.0.1:0"}})
    data["notifications"] = {
        "channels": [{"id": "hook", "url": hook_url}] if hook_url else [],
        "routes": [{"channels": ["hook"]}] if hook_url else [], "repeat": "0s"}
    return parse_facility(data, "<benchmark facility>")


class Receiver:
    """An HTTP server noting when each notification arrives (by the sensor it names)."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                t = time.perf_counter()
                text = body.decode("utf-8", "replace")
                start = text.find("BENCH-")
                if start >= 0:
                    receiver.arrived.setdefault(text[start:start + 12], t)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()


def traffic(url: str, f: Facility, rate: int, stop, sent) -> None:
    """`rate` in-range readings a second from 100 sensors, paced in 10 ms slices."""
    from cangjing.mqtt import MqttConnection
    from cangjing.topics import Topics

    topics = Topics(f.mqtt.prefix, f.site.id)
    conn = MqttConnection(url, "bench-bg", max_inflight=1000).start()
    conn.wait_connected(10)
    per_slice = max(1, rate // 100)
    next_t = time.perf_counter()
    i = 0
    while not stop.is_set():
        for _ in range(per_slice):
            n = i % 100
            zone = f.zones[n % len(f.zones)]
            lim = zone.effective_limits()
            r = Reading(site=f.site.id, zone=zone.id, sensor=f"BG-{n:03d}", time=time.time(),
                        values={"temperature": (lim.temperature.min + lim.temperature.max) / 2,
                                "humidity": ((lim.humidity.min or 0) + (lim.humidity.max or 100))
                                / 2})
            conn.client.publish(topics.reading(zone.id, r.sensor), r.to_json(), qos=1)
            i += 1
        sent.value = i
        next_t += 0.01
        delay = next_t - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    conn.stop()


def latency(breaches: int, rate: int, switch_interval: float | None = None) -> dict:
    from alerts.service import AlertService
    from cangjing.mqtt import MqttConnection
    from cangjing.stack import LocalStack
    from cangjing.topics import Topics
    from firmware_sim.pytest_plugin import fresh_influx

    if switch_interval:
        sys.setswitchinterval(switch_interval)
    tmp = Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    receiver = Receiver()
    with LocalStack(tmp / "stack") as stack:
        influx = fresh_influx(stack.influxd.url)
        f = bench_facility(load_facility(DEFAULT_FACILITY), receiver.url)
        svc = AlertService(f, stack.mosquitto.url, influx, state_dir=tmp / "state")
        svc.start()
        deadline = time.monotonic() + 10
        while not svc.subscribed.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        topics = Topics(f.mqtt.prefix, f.site.id)
        breach = MqttConnection(stack.mosquitto.url, "bench-breach").start()
        breach.wait_connected(10)
        # the background publisher is its own process, as a gateway is
        stop = multiprocessing.Event()
        sent = multiprocessing.Value("q", 0)
        feeder = multiprocessing.Process(target=traffic, args=(
            stack.mosquitto.url, f, rate, stop, sent), daemon=True)
        feeder.start()
        time.sleep(2)  # let the background traffic reach its steady state
        published: dict[str, float] = {}
        started_readings, started_sent, t_start = svc.engine.readings, sent.value, time.monotonic()
        for k in range(breaches):
            sensor = f"BENCH-{k:06d}"
            r = Reading(site=f.site.id, zone="A1", sensor=sensor, time=time.time(),
                        values={"humidity": 75.0})
            published[sensor] = time.perf_counter()
            breach.client.publish(topics.reading("A1", sensor), r.to_json(), qos=1)
            time.sleep(0.1)
        deadline = time.monotonic() + 15
        while len(receiver.arrived) < breaches and time.monotonic() < deadline:
            time.sleep(0.05)
        elapsed = time.monotonic() - t_start
        processed = svc.engine.readings - started_readings
        bg_rate = (sent.value - started_sent) / elapsed
        stop.set()
        feeder.join()
        lat = sorted((receiver.arrived[s] - t0) * 1000 for s, t0 in published.items()
                     if s in receiver.arrived)
        breach.stop()
        svc.stop()
        influx.close()
    receiver.close()
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) >= 2 else [
        float("nan")] * 99
    return {"n": len(lat), "lost": breaches - len(lat), "p50": statistics.median(lat),
            "p90": q[89], "p99": q[98], "max": lat[-1], "bg_rate": bg_rate,
            "engine_rate": processed / elapsed}


def memory(sensors: int, full_sample: int) -> dict:
    """Bytes of the rules' per-sensor state (tracemalloc, measured after the engine exists).

    `full_sample` sensors get a full day at one reading a minute through every rule. The
    `sensors` get four readings spread over the day: the windows are preallocated,
    fixed-size arrays, so their state has its final size once each window has been
    touched — the full-day sample shows that it does not grow further."""
    from alerts.engine import AlertEngine
    from alerts.notify import Notifier
    from alerts.store import Store

    f = bench_facility(load_facility(DEFAULT_FACILITY), None)
    zones = [z.id for z in f.zones]
    t0 = time.time() - DAY

    def run(n: int, times: list[float], trace: bool = True) -> tuple[float, float]:
        tmp = Path(tempfile.mkdtemp(prefix="bench-alerts-mem-"))
        store = Store(tmp / "alerts.sqlite")
        engine = AlertEngine(f, Notifier([], f.notifications.retry), store)
        if trace:
            tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0] if trace else 0
        start = time.perf_counter()
        for i in range(n):
            sensor, zone = f"M-{i:05d}", zones[i % len(zones)]
            for k, t in enumerate(times):
                r = Reading.model_construct(
                    site=f.site.id, zone=zone, sensor=sensor, time=_dt(t0 + t),
                    values={Q.temperature: 20.0 + (k % 60) / 30,
                            Q.humidity: 52.0 + (k % 90) / 20,
                            Q.illuminance: 10.0 if t % DAY < 8 * 3600 else 0.0},
                    quality=None, seq=None, gateway=None)
                engine.observe(r)
                engine.health.seen(sensor, t0 + t, t0 + DAY)
        took = time.perf_counter() - start
        used = tracemalloc.get_traced_memory()[0] - base if trace else 0
        if trace:
            tracemalloc.stop()
        store.close()
        return used / n, n * len(times) / took

    day = [k * 60.0 for k in range(1440)]
    per_full, _ = run(full_sample, day)
    per_all, _ = run(sensors, [0.0, 8 * 3600.0, 16 * 3600.0, DAY - 60])
    _, rate = run(20, day, trace=False)
    return {"sensors": sensors, "per_sensor": per_all, "total_mb": per_all * sensors / 2**20,
            "full_sample": full_sample, "per_sensor_full": per_full, "observe_rate": rate}


def _dt(t: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(t, UTC)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--breaches", type=int, default=300)
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--sensors", type=int, default=10_000)
    ap.add_argument("--full-sample", type=int, default=50)
    ap.add_argument("--latency-only", action="store_true")
    ap.add_argument("--switch-interval", type=float, default=None,
                    help="GIL switch interval, s (default: Python's, 5 ms)")
    args = ap.parse_args()
    lat = latency(args.breaches, args.rate, args.switch_interval)
    if args.latency_only:
        print(lat)
        return
    mem = memory(args.sensors, args.full_sample)
    print("## Alerts\n")
    print(f"Command: `.venv/bin/python -m benchmarks.alerts --breaches {args.breaches} "
          f"--rate {args.rate} --sensors {args.sensors}` "
          f"({time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC)  ")
    print(f"Machine: {os.cpu_count()} CPU(s), {cpu_model()}; Python "
          f"{platform.python_version()}; real Mosquitto and influxd (LocalStack)\n")
    print("Breach reading published -> notification at a local HTTP receiver (apprise "
          "json://), range rule without hold, `group_wait: 0s`, one breach every 100 ms, "
          f"background {lat['bg_rate']:,.0f} readings/s (engine processed "
          f"{lat['engine_rate']:,.0f} readings/s), GIL switch interval "
          f"{sys.getswitchinterval() * 1000:g} ms:\n")
    print("| breaches | lost | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(f"| {lat['n']} | {lat['lost']} | {lat['p50']:.1f} | {lat['p90']:.1f} | "
          f"{lat['p99']:.1f} | {lat['max']:.1f} |\n")
    print(f"Memory of the rules' per-sensor state after 24 h (tracemalloc), "
          f"{mem['sensors']:,} sensors with temperature, RH and light:\n")
    print("| sensors | reading interval | bytes per sensor | total |")
    print("|---:|---|---:|---:|")
    print(f"| {mem['full_sample']} | 1 min (1,440 readings each) | "
          f"{mem['per_sensor_full']:,.0f} | "
          f"{mem['per_sensor_full'] * mem['full_sample'] / 2**20:.1f} MiB |")
    print(f"| {mem['sensors']:,} | 4 readings over the day (every window touched) | "
          f"{mem['per_sensor']:,.0f} | {mem['total_mb']:.0f} MiB |\n")
    print(f"Rule evaluation alone (every rule, one core): {mem['observe_rate']:,.0f} "
          "readings/s.")


if __name__ == "__main__":
    main()
