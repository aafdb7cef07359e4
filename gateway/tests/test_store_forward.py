"""Store-and-forward: the broker away, the gateway killed — no reading is lost.

The broker is away for 30 s, as the issue asks (CANGJING_TEST_OUTAGE overrides it, e.g. for
a quick local run: nothing in the mechanism depends on the duration — readings go to the
SQLite outbox whether the broker is away 1 s or 1 h).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from cangjing.stack import child_env
from firmware_sim.testing import wait_for
from gateway.outbox import Outbox, QueueFull

from .conftest import FixedModel, ReadingSink, make_facility, rtu_bus

OUTAGE = float(os.environ.get("CANGJING_TEST_OUTAGE", "30"))

SENSORS = [
    {"id": "TH-1", "transport": "modbus", "bus": "rs485-t", "unit": 1, "profile": "th",
     "interval": "250ms"},
    {"id": "LX-1", "transport": "modbus", "bus": "rs485-t", "unit": 2, "profile": "lux",
     "interval": "250ms"},
]


def assert_exactly_once_in_order(seqs: list[int], first: int, last: int) -> None:
    assert seqs == list(range(first, last + 1)), (
        f"missing {sorted(set(range(first, last + 1)) - set(seqs))[:10]}, "
        f"duplicates {len(seqs) - len(set(seqs))}, in order {seqs == sorted(seqs)}")


def test_broker_outage_readings_arrive_exactly_once_in_order(private_stack, virtual_serial,
                                                             run_gateway):
    facility = make_facility([rtu_bus()], SENSORS, reconnect_max="1s")
    virtual_serial(facility, FixedModel())
    broker = private_stack.mosquitto
    sink = ReadingSink(broker.url).start()
    try:
        gw = run_gateway(facility, broker.url)
        wait_for(lambda: len(sink.readings) >= 8, 15, "readings before the outage")

        broker.stop()
        sent_before = gw.forwarder.last_sent
        down = datetime.now(UTC)
        deadline = time.monotonic() + OUTAGE
        # The outage itself: polling goes on and the outbox fills meanwhile.
        wait_for(lambda: time.monotonic() >= deadline, OUTAGE + 5, "the outage to pass")
        assert gw.outbox.depth >= OUTAGE * 4  # 2 sensors × 4 Hz, minus jitter
        broker.start()
        up = datetime.now(UTC)

        wait_for(lambda: gw.outbox.depth == 0, 30, "the backlog replayed")
        for bus in gw.buses:
            bus.stop()  # no new readings: what was polled is what must have arrived
        last = gw.forwarder.last_sent
        wait_for(lambda: sink.seqs() and sink.seqs()[-1] >= last, 20, "the last reading")
        # QoS 1: a reading in flight at the instant the broker died (sent, PUBACK lost) is
        # sent again and may arrive twice; receivers write idempotently and `seq` shows it.
        # Every other reading, and every one polled during the outage, arrives exactly once.
        in_flight_at_stop = set(range(sent_before - gw.config.replay_window, sent_before + 1))
        seqs = sink.seqs()
        repeated = {s for s in seqs if seqs.count(s) > 1}
        assert repeated <= in_flight_at_stop, f"duplicates beyond the in-flight: {repeated}"
        first_arrivals = list(dict.fromkeys(seqs))
        assert_exactly_once_in_order(first_arrivals, seqs[0], last)
        during = [r for r in sink.readings if down < r.time < up]
        assert len(during) >= OUTAGE * 3, "polling went on during the outage"
        assert len({r.seq for r in during}) == len(during), "polled meanwhile: exactly once"
        assert [r.seq for r in during] == sorted(r.seq or 0 for r in during)
    finally:
        sink.stop()


def write_facility(path: Path, facility_doc: dict) -> Path:
    path.write_text(yaml.safe_dump(facility_doc, allow_unicode=True), encoding="utf-8")
    return path


def test_sigkilled_gateway_loses_nothing_that_reached_the_queue(private_stack, virtual_serial,
                                                                 tmp_path):
    facility = make_facility([rtu_bus()], SENSORS, reconnect_max="1s")
    virtual_serial(facility, FixedModel())
    config = write_facility(tmp_path / "facility.yaml", facility.model_dump(
        mode="json", exclude_none=True, exclude_defaults=True))
    broker = private_stack.mosquitto
    data = tmp_path / "gw-data"
    env = child_env({"CANGJING_MQTT_URL": broker.url, "CANGJING_DATA_DIR": str(data),
                     "CANGJING_LOG_LEVEL": "WARNING"})
    cmd = [sys.executable, "-m", "cangjing.cli", "gateway", "--config", str(config),
           "--id", "gw-t"]
    queue = data / "gateway-gw-t.outbox.sqlite"
    sink = ReadingSink(broker.url).start()
    procs: list[subprocess.Popen] = []
    try:
        procs.append(subprocess.Popen(cmd, env=env))
        wait_for(lambda: len(sink.readings) >= 6, 30, "readings from the gateway process")
        broker.stop()  # a backlog builds up in the queue ...
        wait_for(lambda: queued(queue) >= 8, 15, "a backlog in the queue")
        procs[0].send_signal(signal.SIGKILL)  # ... and the gateway dies without warning
        procs[0].wait(10)
        reached = highest_seq(queue)
        broker.start()
        procs.append(subprocess.Popen(cmd, env=env))
        wait_for(lambda: set(range(1, reached + 1)) <= set(sink.seqs()), 30,
                 f"every reading up to seq {reached}")
        wait_for(lambda: max(sink.seqs()) > reached, 15, "the restarted gateway polling on")
        seqs = sink.seqs()
        in_order = [s for s in seqs if s <= reached]
        assert in_order == sorted(in_order), "replayed oldest first"
        # Killed with the broker up: its last will says offline at once (retained).
        wait_for(lambda: (s := sink.last_status()) and s["state"] == "online", 10, "online")
        procs[1].send_signal(signal.SIGKILL)
        wait_for(lambda: sink.last_status()["state"] == "offline", 10, "the last will")
        procs.append(subprocess.Popen(cmd, env=env))
        wait_for(lambda: sink.last_status()["state"] == "online", 30, "online again")
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(15)
        sink.stop()
    assert procs[-1].returncode == 0, "SIGTERM stops the gateway cleanly"


def queued(path: Path) -> int:
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]


def highest_seq(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT seq FROM sqlite_sequence WHERE name='outbox'").fetchone()[0]


def test_replay_windows_its_in_flight_messages(run_gateway, sink, tmp_path):
    facility = make_facility([], [
        {"id": "N-1", "transport": "mqtt", "device": "n-1"}], replay_window=16)
    out = sink()
    # A backlog that reached the disk before the gateway could connect.
    backlog = Outbox(tmp_path / "gw-data" / "gateway-gw-t.outbox.sqlite", 10_000)
    topic = "cangjing/gwtest/Z1/N-1/reading"
    for i in range(400):
        backlog.put(topic, lambda seq, i=i: (
            f'{{"site":"gwtest","zone":"Z1","sensor":"N-1","time":{1764000000 + i},'
            f'"values":{{"temperature":20.0}},"seq":{seq}}}').encode())
    backlog.close()
    gw = run_gateway(facility)
    wait_for(lambda: len(out.readings) >= 400, 30, "the whole backlog")
    assert_exactly_once_in_order(out.seqs(), 1, 400)
    assert gw.forwarder.max_in_flight == 16  # the window was full and never exceeded
    wait_for(lambda: gw.outbox.depth == 0, 10, "acknowledged rows deleted")


def test_queue_bound_and_policy(tmp_path, caplog):
    path = tmp_path / "q.sqlite"
    q = Outbox(path, max_items=5, policy="drop-oldest")
    for i in range(8):
        q.put("t", lambda seq, i=i: str(i).encode())
    assert q.depth == 5 and q.dropped == 3
    full = [r for r in caplog.records if "queue full" in r.getMessage()]
    assert len(full) == 1 and "dropping the oldest" in full[0].getMessage()  # once, not 3×
    assert [p for _, _, p in q.after(0, 10)] == [b"3", b"4", b"5", b"6", b"7"]
    q.close()
    q = Outbox(path, max_items=5, policy="drop-newest")  # survives a reopen
    assert q.depth == 5
    try:
        q.put("t", lambda seq: b"8")
        raise AssertionError("a full drop-newest queue must refuse")
    except QueueFull:
        pass
    q.remove([4, 5])
    assert q.put("t", lambda seq: str(seq).encode()) == 9  # seq is never reused
    assert [p for _, _, p in q.after(0, 10)] == [b"5", b"6", b"7", b"9"]
