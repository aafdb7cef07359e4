"""The alert service end to end: real Mosquitto, real influxd, real HTTP receivers, real
SMTP (aiosmtpd). Time-driven parts run every 200 ms (facility settings)."""

from __future__ import annotations

import json
import time

import urllib3

from firmware_sim.testing import wait_for

from .conftest import TOKEN, reading, service_settings, tuned, webhook_only


def _http(method: str, url: str, body: dict | None = None, token: str | None = TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return urllib3.request(method, url, headers=headers, retries=False, timeout=10,
                           body=json.dumps(body).encode() if body is not None else None)


def test_breach_pages_with_a_signed_ack_link_and_is_recorded(facility, running, http_receiver,
                                                             mqtt_probe, influx):
    f = tuned(facility, alerts=service_settings(),
              notifications=webhook_only(http_receiver.apprise_json_url()))
    probe = mqtt_probe("cangjing/beiqijia/alerts/#")
    svc = running(f)
    now = time.time()
    svc.publish(reading("A1-TH-01", now, humidity=55.0))
    svc.publish(reading("A1-TH-01", now + 1, humidity=67.4))
    msg = wait_for(lambda: http_receiver.requests, 10, "the page")[0].json()
    assert msg["title"].startswith("【藏境告警】纸质档案与电报库（A1）")
    assert "相对湿度 67.4 %RH，高于上限 60 %RH（差 7.4）" in msg["message"]
    assert "除湿机" in msg["message"]  # what to check first
    event = probe.wait_for(lambda m: m.json()["state"] == "firing")[0].json()
    assert {k: event[k] for k in ("zone", "sensor", "quantity", "value", "state")} == {
        "zone": "A1", "sensor": "A1-TH-01", "quantity": "humidity", "value": 67.4,
        "state": "firing"}
    link = next(w for w in msg["message"].split() if "/ack/" in w)
    assert link.startswith(svc.api) and event["id"] in link

    # a link from this message cannot acknowledge another alert
    svc.publish(reading("B1-TH-01", now + 2, humidity=45.0))
    other = probe.wait_for(lambda m: m.json()["zone"] == "B1")[0].json()
    forged = link.replace(event["id"], other["id"])
    assert _http("POST", forged, token=None).status == 403
    page = _http("GET", link, token=None)
    assert page.status == 200 and b"<form" in page.data  # a link preview acknowledges nothing
    assert _http("POST", link, token=None).status == 200
    acked = probe.wait_for(lambda m: m.json()["state"] == "acknowledged")[0].json()
    assert acked["id"] == event["id"] and acked["acked_by"] == "link"

    def annotations():
        rows = influx.query('SELECT "value", "limit", "message" FROM "alert" '
                            "WHERE \"zone\" = 'A1' GROUP BY \"state\", \"rule\"")
        return {(s.tags["state"], s.tags["rule"]) for s in rows}

    wait_for(lambda: {("firing", "humidity_range"), ("acknowledged", "humidity_range")}
             <= annotations(), 10, "the alert annotations in InfluxDB")


def test_api_and_cli_list_ack_and_silence(facility, running, http_receiver, monkeypatch):
    from typer.testing import CliRunner

    from alerts.cli import alerts_app

    f = tuned(facility, alerts=service_settings(),
              notifications=webhook_only(http_receiver.apprise_json_url()))
    svc = running(f)
    assert _http("GET", svc.api + "/alerts", token="wrong").status == 401
    cli = CliRunner()
    monkeypatch.setenv("CANGJING_ALERTS_URL", svc.api)
    done = cli.invoke(alerts_app, ["silence", "C1", "--for", "2h", "--reason", "空调检修"])
    assert done.exit_code == 0, done.output
    svc.publish(reading("C1-TH-01", time.time(), temperature=28.0))
    svc.publish(reading("C2-TH-01", time.time(), temperature=28.0))
    wait_for(lambda: len(svc.engine.alerts()) == 2, 10, "two alerts")
    wait_for(lambda: http_receiver.requests, 10, "the C2 page")
    listed = cli.invoke(alerts_app, ["list"])
    assert listed.exit_code == 0 and "silenced" in listed.output and "空调检修" in listed.output
    c2 = next(a for a in svc.engine.alerts() if a.zone == "C2")
    acked = cli.invoke(alerts_app, ["ack", c2.id, "--by", "wang"])
    assert acked.exit_code == 0, acked.output
    assert next(a for a in svc.engine.alerts() if a.zone == "C2").acked_by == "wang"
    again = cli.invoke(alerts_app, ["ack", c2.id])
    assert again.exit_code == 1 and "no firing alert" in again.output
    bad = _http("POST", svc.api + "/silences", {"zone": "Z9", "for": "2h", "reason": "x"})
    assert bad.status == 400 and b"no zone 'Z9'" in bad.data
    assert len(http_receiver.requests) == 1  # the silenced C1 alert was not sent
    silence_id = svc.engine.silences()[0].id
    ended = cli.invoke(alerts_app, ["unsilence", silence_id])
    assert ended.exit_code == 0, ended.output
    page = wait_for(lambda: [r.json() for r in http_receiver.requests[1:]], 10,
                    "the C1 page once the silence ended")[0]
    assert "纺织品库" in page["title"] and "28 °C" in page["message"]


def test_a_channel_that_is_down_is_retried_and_reported_without_blocking_others(
        facility, running, http_receiver, smtp):
    notifications = {
        "channels": [{"id": "mail", "url": smtp.apprise_url(), "min_interval": "0s"},
                     {"id": "hook", "url": http_receiver.apprise_json_url()}],
        "routes": [{"channels": ["mail", "hook"]}],
        "retry": {"attempts": 3, "backoff": "1s"}}
    f = tuned(facility, alerts=service_settings(), notifications=notifications)
    svc = running(f)
    workers = svc.service.notifier.workers
    smtp.refuse = True
    svc.publish(reading("A1-TH-01", time.time(), humidity=70.0))
    wait_for(lambda: http_receiver.requests, 10, "the webhook page")
    assert workers["mail"].status.sent == 0  # the webhook did not wait for the mail retries
    notice = wait_for(lambda: [r.json() for r in http_receiver.requests
                               if "通知渠道 mail" in r.json()["title"]], 15,
                      "the report that mail is failing")[0]
    assert "重试 3 次" in notice["message"]
    assert workers["mail"].status.down and workers["mail"].status.attempts_failed == 3

    smtp.refuse = False  # mail works again; now the webhook answers 500 for a while
    http_receiver.status = 500
    svc.publish(reading("B1-TH-01", time.time(), humidity=48.0))
    wait_for(lambda: workers["hook"].status.attempts_failed >= 1, 10, "a failed webhook try")
    http_receiver.status = 200
    wait_for(lambda: any("金属器物库" in s for s in smtp.subjects()), 10, "the mail page")
    wait_for(lambda: any("B1" in r.json()["title"] for r in http_receiver.requests), 10,
             "the retried webhook page")
    assert not workers["hook"].status.down


def test_restart_in_every_state_neither_pages_again_nor_forgets(
        facility, running, http_receiver, tmp_path):
    f = tuned(facility, alerts=service_settings(condensation={"hold": "10m"}),
              notifications=webhook_only(http_receiver.apprise_json_url(), repeat="1h"))
    state = tmp_path / "restart-state"
    svc = running(f, state)
    now = time.time()
    svc.engine.silence("E1", 7200, "玻璃柜更换")
    svc.publish(reading("A1-TH-01", now, humidity=70.0))  # firing, paged
    svc.publish(reading("B1-TH-01", now, humidity=50.0))  # firing, to be acknowledged
    svc.publish(reading("E1-TH-01", now, humidity=60.0))  # firing, silenced
    svc.publish(reading("T1-TH-01", now, humidity=60.0))  # firing, then resolved
    # condensation pending (its RH range alert fires at once)
    svc.publish(reading("C1-TH-01", now, temperature=20.0, humidity=86.0))
    wait_for(lambda: len(svc.engine.alerts()) == 6, 10, "six alerts")
    wait_for(lambda: len(http_receiver.requests) == 4, 10, "four pages (E1 silenced)")
    b1 = next(a for a in svc.engine.alerts() if a.zone == "B1")
    assert svc.engine.acknowledge(b1.id, "zhao") is not None
    svc.publish(reading("T1-TH-01", now + 1, humidity=45.0))
    wait_for(lambda: len(http_receiver.requests) == 5, 10, "the T1 resolved message")
    before = {a.id: a.state.value for a in svc.engine.alerts()}
    svc.stop()

    svc2 = running(f, state)
    after = {a.id: a.state.value for a in svc2.engine.alerts()}
    assert after == before and sorted(after.values()) == [
        "acknowledged", "firing", "firing", "firing", "pending"]
    ticks = svc2.engine.ticks
    wait_for(lambda: svc2.engine.ticks >= ticks + 3, 10, "three ticks")
    svc2.service.notifier.close()  # drain: anything queued is delivered before we count
    assert len(http_receiver.requests) == 5  # nothing paged again
    e1 = next(a for a in svc2.engine.alerts() if a.zone == "E1")
    assert e1.suppressed.startswith("silenced")
    svc2.service.notifier = type(svc2.service.notifier)(
        f.notifications.channels, f.notifications.retry)
    svc2.engine.notifier = svc2.engine.dispatcher.notifier = svc2.service.notifier
    # the pending condensation alert fires when its hold is over, judged on reading times
    svc2.publish(reading("C1-TH-01", now + 601, temperature=20.0, humidity=86.0))
    wait_for(lambda: any("结露" in r.json()["message"] for r in http_receiver.requests), 10,
             "the condensation page")


def test_windows_are_rebuilt_from_influxdb_on_start(facility, running, influx, mqtt_probe):
    from cangjing.lineprotocol import reading_line

    now = time.time()
    history = [reading("A1-TH-01", now - 3 * 3600 + i * 600, humidity=50.0 + i * 0.5)
               for i in range(18)]  # 50 .. 58.5 %RH over the last three hours
    history += [reading("A1-LX-01", now - 50 * 3600 + i * 3600, illuminance=1000.0)
                for i in range(40)]  # about 40,000 lx·h of the 50,000 budget this year
    influx.write("\n".join(reading_line(r) for r in history), precision="ns")
    f = tuned(facility, alerts=service_settings(swing={"enabled": True, "resolution": "1m",
                                                       "rate": {"humidity": 50}}),
              notifications={"channels": [], "routes": []})
    probe = mqtt_probe("cangjing/beiqijia/alerts/#")
    svc = running(f)
    assert svc.service.rebuilt["dose_sensors"] == 1, svc.service.rebuilt
    assert svc.service.rebuilt["swing_buckets"] >= 18, svc.service.rebuilt
    svc.publish(reading("A1-TH-01", now, humidity=60.5))  # 60.5 − 50 = 10.5 > 10 in 24 h
    svc.publish(reading("A1-LX-01", now, illuminance=0.0))
    rules = {m.json()["rule"] for m in probe.wait_for(
        lambda m: m.json()["rule"] in ("humidity_swing", "light_dose_75"), count=2)}
    assert rules == {"humidity_swing", "light_dose_75"}
    swing = next(a for a in svc.engine.alerts() if a.rule == "humidity_swing")
    assert swing.value == 10.5


def test_gateway_last_will_alerts_and_inhibits_its_stale_sensors(facility, running,
                                                                 mqtt_probe, http_receiver):
    f = tuned(facility, alerts=service_settings(stale={"intervals": 2}),
              notifications=webhook_only(http_receiver.apprise_json_url()))
    sensors = [s.model_dump(mode="json", exclude_none=True) for s in f.sensors[:3]]
    f = tuned(f, sensors=sensors)
    for s in sensors:
        s["interval"] = "500ms"
    f = tuned(f, sensors=sensors)
    probe = mqtt_probe("cangjing/beiqijia/alerts/#")
    svc = running(f)
    status = svc.topics.gateway_status("gw-01")
    svc.pub.client.publish(status, b'{"state": "offline", "reason": "lwt"}', qos=1,
                           retain=True)
    try:
        gw = probe.wait_for(lambda m: m.topic.endswith("/alerts/gateway"))[0].json()
        assert gw["rule"] == "gateway_offline" and gw["sensor"] == "gw-01"
        stale = probe.wait_for(lambda m: m.json()["rule"] == "stale", count=3)
        assert {m.json()["sensor"] for m in stale} == {s["id"] for s in sensors}
        assert {a.suppressed for a in svc.engine.alerts() if a.rule == "stale"} == {
            "inhibited (gateway gw-01 offline)"}
        assert [r.json()["title"] for r in http_receiver.requests] == [
            "【藏境告警】网关 gw-01 离线"]
        svc.pub.client.publish(status, b'{"state": "online"}', qos=1, retain=True)
        probe.wait_for(lambda m: m.json()["rule"] == "gateway_offline"
                       and m.json()["state"] == "resolved")
    finally:
        svc.pub.client.publish(status, b"", qos=1, retain=True)  # clear the retained status


def test_cangjing_alerts_command_runs_the_service_and_stops_on_sigterm(
        facility, mqtt_url, influx, http_receiver, mqtt_probe, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    import yaml

    from cangjing.mqtt import MqttConnection

    f = tuned(facility, alerts=service_settings(),
              notifications=webhook_only(http_receiver.apprise_json_url()))
    config = tmp_path / "facility.yaml"
    config.write_text(yaml.safe_dump(f.model_dump(mode="json", exclude_none=True),
                                     allow_unicode=True), encoding="utf-8")
    env = {**os.environ, "CANGJING_MQTT_URL": mqtt_url, "CANGJING_INFLUX_URL": influx.url,
           "CANGJING_INFLUX_DB": influx.database, "CANGJING_DATA_DIR": str(tmp_path / "data")}
    env.pop("CANGJING_ALERTS_TOKEN", None)
    probe = mqtt_probe("cangjing/beiqijia/alerts/#")
    proc = subprocess.Popen([sys.executable, "-m", "cangjing.cli", "alerts", "--config",
                             str(config)], env=env, stderr=subprocess.PIPE, text=True)
    pub = MqttConnection(mqtt_url, "test-cli-pub").start()
    try:
        assert pub.wait_connected(10)

        def fired() -> bool:  # publish until the service (starting up) has subscribed
            pub.client.publish("cangjing/beiqijia/A1/A1-TH-01/reading", reading(
                "A1-TH-01", time.time(), humidity=72.0).to_json(), qos=1)
            return bool(probe.matching("/alerts/A1"))

        wait_for(fired, 30, "the alert event from `cangjing alerts`")
        wait_for(lambda: http_receiver.requests, 10, "its page")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        log = proc.stderr.read()
        assert "alerts stopped" in log and "Traceback" not in log
        assert (tmp_path / "data" / "alerts.sqlite").exists()
    finally:
        pub.stop()
        if proc.poll() is None:
            proc.kill()
