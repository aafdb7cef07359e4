"""Collector benchmark (not part of the test suite); prints Markdown, one run on this machine.

1. Broker limit: mosquitto_pub -l -> mosquitto_sub, QoS 1, the readings' own payloads.
2. influxd bulk write: pre-encoded 5,000-point batches, one after another.
3. Collector sustained end to end: N readings published by mosquitto_pub -l as fast as the
   broker takes them; the clock stops when InfluxDB counts all N. One `cangjing collector`
   process, then two in one shared-subscription group. Peak RSS from /proc (VmHWM).
4. Publish -> queryable latency p50/p99 at 10 % of the one-collector rate.
5. The naive bridge: one HTTP write per message.

Each figure is the median of --repeat runs (fresh database each).

    .venv/bin/python -m benchmarks.collector [--readings 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

from benchmarks.common import cpu_model
from cangjing.influx import InfluxClient
from cangjing.lineprotocol import reading_line
from cangjing.mqtt import MqttConnection
from cangjing.reading import parse_reading
from cangjing.settings import DEFAULT_FACILITY
from cangjing.stack import LocalStack, child_env
from collector.service import forget_session

TOPIC = "cangjing/beiqijia/A1/{sensor}/reading"
SENSORS = 200
BASE = time.time() // 86400 * 86400 - 86400 + 3600.0  # yesterday 01:00 UTC



def payload(n: int, epoch: float | None = None) -> str:
    sensor = f"S-{n % SENSORS:03d}"
    t = epoch if epoch is not None else BASE + n // SENSORS * 0.001
    return json.dumps({"site": "beiqijia", "zone": "A1", "sensor": sensor, "time": round(t, 3),
                       "values": {"temperature": 20.0 + n % 97 / 10, "humidity": 55.5,
                                  "illuminance": 12.0}, "seq": n, "gateway": "gw-01"})


def wait(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> float:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark step did not finish in time")
        time.sleep(interval)
    return time.monotonic()


def count(influx: InfluxClient) -> int:
    try:
        return influx.count("environment", "temperature")
    except Exception:
        return 0


# --- 1. broker limit --------------------------------------------------------------------

def broker_rate(stack: LocalStack, lines_file: Path, n: int) -> float:
    port = str(stack.mosquitto.port)
    sub_id = f"b-{uuid.uuid4().hex[:6]}"
    common = ["-h", "127.0.0.1", "-p", port, "-q", "1", "-t", "cangjing/#", "-c", "-i", sub_id]
    # A persistent session first (-E: exit once subscribed), so no message can be missed
    # however late the real subscriber comes up on a busy machine.
    subprocess.run(["mosquitto_sub", *common, "-E"], check=True, timeout=30)
    sub = subprocess.Popen(["mosquitto_sub", *common, "-C", str(n)], stdout=subprocess.DEVNULL)
    started = time.monotonic()
    publish_lines(stack, lines_file)
    sub.wait(600)
    return n / (time.monotonic() - started)


CHUNK = 10_000


def split_lines(lines_file: Path) -> list[Path]:
    """mosquitto_pub -l chunks: Mosquitto 2.0.11 disconnects a -l publisher "due to out of
    memory" after some 30,000 back-to-back QoS 1 messages (observed here), losing the rest."""
    lines = lines_file.read_text().splitlines()
    chunks = []
    for i in range(0, len(lines), CHUNK):
        chunk = lines_file.with_suffix(f".{i // CHUNK:04d}")
        chunk.write_text("\n".join(lines[i:i + CHUNK]) + "\n")
        chunks.append(chunk)
    return chunks


def publish_lines(stack: LocalStack, lines_file: Path) -> None:
    """Publish every line at QoS 1 with mosquitto_pub -l, chunk after chunk."""
    for chunk in sorted(lines_file.parent.glob(lines_file.stem + ".0*")):
        with open(chunk, "rb") as f:
            subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(stack.mosquitto.port),
                            "-q", "1", "-l", "-t", TOPIC.format(sensor="S-000")], stdin=f,
                           check=True, timeout=300)


# --- 2. influxd bulk write ----------------------------------------------------------------

def influx_rate(stack: LocalStack, batches: int) -> float:
    influx = InfluxClient(stack.influxd.url, f"bulk_{uuid.uuid4().hex[:6]}")
    influx.ensure_database()
    bodies = ["\n".join(reading_line(parse_reading(payload(b * 5000 + i)))
                        for i in range(5000)) for b in range(batches)]
    started = time.monotonic()
    for body in bodies:
        influx.write(body)
    rate = batches * 5000 / (time.monotonic() - started)
    influx.query(f'DROP DATABASE "{influx.database}"')
    return rate


# --- 3. collector processes ---------------------------------------------------------------

_started: list[subprocess.Popen] = []  # stopped in main() whatever happens


class CollectorProcess:
    def __init__(self, stack: LocalStack, db: str, instance: str, config: Path,
                 workdir: Path) -> None:
        self.log = workdir / f"{instance}.log"
        self.url, self.instance = stack.mosquitto.url, instance
        env = child_env({**stack.env(), "CANGJING_INFLUX_DB": db,
                         "CANGJING_DATA_DIR": str(workdir / "data"),
                         "CANGJING_COLLECTOR_INSTANCE": instance})
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cangjing.cli", "collector", "--config", str(config)],
                env=env, stdout=out, stderr=subprocess.STDOUT)
        _started.append(self.proc)
        wait(lambda: "subscribed to" in self.log.read_text(), 60)

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(60)
        # A stopped collector's persistent session would keep a copy of every later
        # message queued in the broker, slowing the runs that follow.
        forget_session(self.url, self.instance)


def facility_file(workdir: Path, group: str | None) -> Path:
    doc = yaml.safe_load(DEFAULT_FACILITY.read_text(encoding="utf-8"))
    doc["collector"] = {"group": group} if group else {}
    path = workdir / f"facility-{group or 'plain'}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def collector_rate(stack: LocalStack, lines_file: Path, n: int, collectors: int,
                   workdir: Path) -> tuple[float, float]:
    db = f"c_{uuid.uuid4().hex[:8]}"
    group = f"bench{uuid.uuid4().hex[:6]}" if collectors > 1 else None
    config = facility_file(workdir, group)
    procs = [CollectorProcess(stack, db, f"i{uuid.uuid4().hex[:6]}", config, workdir)
             for _ in range(collectors)]
    influx = InfluxClient(stack.influxd.url, db)
    try:
        started = time.monotonic()
        publisher = threading.Thread(target=publish_lines, args=(stack, lines_file))
        publisher.start()
        done = wait(lambda: count(influx) >= n, 600, 0.1)
        publisher.join(60)
        assert count(influx) == n, "collector wrote more points than readings published"
        rss = max(p.peak_rss_mb() for p in procs)
        return n / (done - started), rss
    finally:
        for p in procs:
            p.stop()
        influx.query(f'DROP DATABASE "{db}"')


# --- 4. latency -------------------------------------------------------------------------

def latency(stack: LocalStack, rate: float, seconds: float, workdir: Path) -> tuple[float, float]:
    db = f"l_{uuid.uuid4().hex[:8]}"
    proc = CollectorProcess(stack, db, f"lat{uuid.uuid4().hex[:6]}", facility_file(workdir, None),
                            workdir)
    influx = InfluxClient(stack.influxd.url, db)
    pub = MqttConnection(stack.mosquitto.url, f"lat-{uuid.uuid4().hex[:6]}",
                         max_inflight=1000).start()
    pub.wait_connected(10)
    sent: dict[int, float] = {}  # probe number -> publish time (time.time())
    seen: dict[int, float] = {}
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            try:
                rows = influx.query('SELECT "temperature" FROM "environment" '
                                    "WHERE \"sensor\" = 'PROBE' AND time > now() - 5m",
                                    epoch="ms")
            except Exception:
                rows = []
            now = time.time()
            for s in rows:
                for _, value in s.values:
                    seen.setdefault(int(value), now)
            time.sleep(0.005)

    # Steady state: the first write to a new database creates its shard (seconds on a busy
    # machine), which is not what a running collector's readings see.
    pub.client.publish(TOPIC.format(sensor="S"), payload(0, time.time()), qos=1)
    wait(lambda: count(influx) > 0, 60)
    try:
        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        n, probe, started, last_probe = 0, 0, time.monotonic(), 0.0
        while time.monotonic() - started < seconds:
            due = int((time.monotonic() - started) * rate)
            while n < due:
                if n % max(1, int(rate / 20)) == 0:  # 20 probes a second
                    # After a stall the loop catches up in a burst: two probes in one
                    # millisecond would be one point (same series and time).
                    t = max(time.time(), last_probe + 0.002)
                    last_probe = t
                    doc = json.loads(payload(n, t))
                    doc["sensor"] = "PROBE"
                    doc["values"]["temperature"] = float(probe)  # identifies the probe
                    sent[probe] = t
                    pub.client.publish(TOPIC.format(sensor="PROBE"), json.dumps(doc), qos=1)
                    probe += 1
                else:
                    pub.client.publish(TOPIC.format(sensor="S"), payload(n, time.time()), qos=1)
                n += 1
            time.sleep(0.002)
        wait(lambda: len(seen) >= len(sent), 60)
    finally:
        stop.set()
        poller.join()
        pub.stop()
        proc.stop()
        influx.query(f'DROP DATABASE "{db}"')
    lat = sorted((seen[k] - sent[k]) * 1000 for k in sent)
    return statistics.median(lat), lat[min(len(lat) - 1, int(len(lat) * 0.99))]


# --- 5. naive bridge --------------------------------------------------------------------

def naive_rate(stack: LocalStack, n: int) -> float:
    """One HTTP request per message, acked by paho after the callback (auto ack)."""
    influx = InfluxClient(stack.influxd.url, f"n_{uuid.uuid4().hex[:6]}")
    influx.ensure_database()
    done = threading.Event()
    got = [0]

    def on_message(client, userdata, msg) -> None:
        influx.write(reading_line(parse_reading(msg.payload)))
        got[0] += 1
        if got[0] >= n:
            done.set()

    sub = MqttConnection(stack.mosquitto.url, f"naive-{uuid.uuid4().hex[:6]}",
                         on_connect=lambda c: c.client.subscribe("cangjing/#", qos=1))
    sub.client.on_message = on_message
    subscribed = threading.Event()
    sub.client.on_subscribe = lambda *a: subscribed.set()
    sub.start()
    subscribed.wait(30)
    pub = MqttConnection(stack.mosquitto.url, f"np-{uuid.uuid4().hex[:6]}",
                         max_inflight=1000).start()
    pub.wait_connected(10)
    started = time.monotonic()
    for i in range(n):
        pub.client.publish(TOPIC.format(sensor="S"), payload(i), qos=1)
    done.wait(600)
    rate = n / (time.monotonic() - started)
    assert count(influx) == n
    pub.stop()
    sub.stop()
    influx.query(f'DROP DATABASE "{influx.database}"')
    return rate


@contextlib.contextmanager
def _stopping_collectors() -> Iterator[None]:
    try:
        yield
    finally:
        for proc in _started:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def log(message: str) -> None:
    print(f"<!-- {message} -->", file=sys.stderr, flush=True)


def median_of(runs: int, fn: Callable[[], float]) -> tuple[float, list[float]]:
    values = [fn() for _ in range(runs)]
    return statistics.median(values), values


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--readings", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batches", type=int, default=40, help="5,000-point batches for influxd")
    ap.add_argument("--naive", type=int, default=5000, help="messages for the naive bridge")
    ap.add_argument("--latency-seconds", type=float, default=10.0)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # run the clean-up on a kill
    for tool in ("mosquitto_pub", "mosquitto_sub"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing (apt package mosquitto-clients)")
    n, r = args.readings, args.repeat
    work = Path(tempfile.mkdtemp(prefix="cangjing-bench-"))
    lines_file = work / "readings.txt"
    lines_file.write_text("\n".join(payload(i) for i in range(n)) + "\n")
    split_lines(lines_file)
    size = len(payload(0).encode())
    with LocalStack(work / "stack") as stack, _stopping_collectors():
        broker, broker_runs = median_of(r, lambda: broker_rate(stack, lines_file, n))
        log(f"broker {broker_runs}")
        bulk, bulk_runs = median_of(r, lambda: influx_rate(stack, args.batches))
        log(f"influx {bulk_runs}")
        one = [collector_rate(stack, lines_file, n, 1, work) for _ in range(r)]
        one_rate = statistics.median(x[0] for x in one)
        log(f"one collector {one}")
        two = [collector_rate(stack, lines_file, n, 2, work) for _ in range(r)]
        two_rate = statistics.median(x[0] for x in two)
        log(f"two collectors {two}")
        lat = [latency(stack, one_rate * 0.1, args.latency_seconds, work) for _ in range(r)]
        log(f"latency {lat}")
        naive, naive_runs = median_of(r, lambda: naive_rate(stack, args.naive))
        log(f"naive {naive_runs}")
    shutil.rmtree(work, ignore_errors=True)
    p50 = statistics.median(x[0] for x in lat)
    p99 = statistics.median(x[1] for x in lat)
    rss = max(x[1] for x in one)
    cmd = " ".join(["python -m benchmarks.collector", *sys.argv[1:]])
    influxd = subprocess.run(["influxd", "version"], capture_output=True, text=True).stdout
    mosq = subprocess.run(["mosquitto", "-h"], capture_output=True, text=True).stdout.split()[2]
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"Command: `.venv/bin/{cmd}` ({when})  ")
    print(f"Machine: {os.cpu_count()} CPU(s), {cpu_model()}; {influxd.strip()}; "
          f"Mosquitto {mosq}; Python {platform.python_version()}  ")
    print(f"Load: {n:,} readings of {size} bytes, {SENSORS} sensors, QoS 1; medians of {r} runs;"
          " broker, influxd, publisher and collectors all on this machine.\n")
    low = one_rate * 0.1
    rows = [
        ("broker limit, mosquitto_pub -l → mosquitto_sub (msg/s)", f"{broker:,.0f}",
         broker_runs),
        ("influxd bulk write, 5,000-point batches (points/s)", f"{bulk:,.0f}", bulk_runs),
        ("one collector, end to end, all counted in InfluxDB (readings/s)", f"{one_rate:,.0f}",
         [x[0] for x in one]),
        ("one collector ÷ broker limit", f"{one_rate / broker:.2f}", []),
        ("two collectors, one shared subscription (readings/s)", f"{two_rate:,.0f}",
         [x[0] for x in two]),
        ("two collectors ÷ broker limit", f"{two_rate / broker:.2f}", []),
        (f"publish → queryable at {low:,.0f}/s, p50 (ms)", f"{p50:,.0f}", [x[0] for x in lat]),
        (f"publish → queryable at {low:,.0f}/s, p99 (ms)", f"{p99:,.0f}", [x[1] for x in lat]),
        ("collector peak RSS (MB)", f"{rss:,.0f}", [x[1] for x in one]),
        ("naive bridge, one HTTP write per message (readings/s)", f"{naive:,.0f}", naive_runs),
        ("one collector ÷ naive bridge", f"{one_rate / naive:.1f}×", []),
    ]
    print("| measure | median | runs |")
    print("|---|---:|---|")
    for name, value, runs in rows:
        print(f"| {name} | {value} | {', '.join(f'{x:,.0f}' for x in runs)} |")

if __name__ == "__main__":
    main()
