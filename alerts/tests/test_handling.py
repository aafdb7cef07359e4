"""Grouping, past breaches, silences, maintenance windows, inhibition, on-call schedule,
repeat, escalation and acknowledgement, as a webhook (a real HTTP server) receives them.
The engine runs on an injected clock; the channel workers and HTTP are real."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from firmware_sim.testing import HttpReceiver, wait_for

from .conftest import T0, reading, webhook_only

M = 60.0
H = 3600.0


def messages(receiver: HttpReceiver) -> list[dict]:
    return [r.json() for r in receiver.requests]


def settle(h) -> None:
    """Wait until every channel worker has delivered what it was given."""
    wait_for(lambda: all(w.queue.unfinished_tasks == 0 or w.queue.empty()
                         for w in h.notifier.workers.values()), 10, "channel queues to drain")


@pytest.fixture
def second_receiver():
    r = HttpReceiver()
    yield r
    r.close()


def test_one_message_lists_every_sensor_of_a_zone_that_breaches_together(harness,
                                                                          http_receiver):
    h = harness(alerts={"range": {"hold": "0s"}, "group_wait": "30s"},
                notifications=webhook_only(http_receiver.apprise_json_url()))
    sensors = ["A1-TH-01", "A1-TH-02", "A1-TH-03"]
    for i, s in enumerate(sensors):
        h.feed(reading(s, T0 + 5 * i, humidity=66.0 + i))
    h.engine.tick(T0 + 29)
    h.engine.tick(T0 + 31)
    msg = wait_for(lambda: messages(http_receiver), 10, "the grouped message")[0]
    assert len(http_receiver.requests) == 1
    assert "纸质档案与电报库（A1） 3 项" in msg["title"]
    assert all(s in msg["message"] for s in sensors)
    assert "高于上限 60 %RH" in msg["message"] and "16:00" in msg["message"]  # Shanghai time
    for i, s in enumerate(sensors):  # the air handler is fixed: one resolved message
        h.feed(reading(s, T0 + 60 + i, humidity=55.0))
    h.engine.tick(T0 + 100)
    wait_for(lambda: len(http_receiver.requests) == 2, 10, "the resolved message")
    resolved = messages(http_receiver)[1]
    assert "藏境恢复" in resolved["title"] and all(s in resolved["message"] for s in sensors)


def test_breach_over_before_its_readings_arrive_is_reported_not_paged(harness, http_receiver):
    h = harness(alerts={"range": {"hold": "10m"}, "group_wait": "0s"},
                notifications=webhook_only(http_receiver.apprise_json_url(), repeat="1m"))
    now = T0 + 3 * H  # the gateway forwards what it stored during an outage
    for i in range(25):
        rh = 65.0 if 5 <= i < 20 else 55.0  # out from +5 to +20 min: over at +20
        h.feed(reading("A1-TH-01", T0 + i * M, humidity=rh), now=now)
    states = h.states("humidity_range")
    assert states == ["pending", "firing", "resolved"]
    assert all(a.past for _, a in h.of("humidity_range")[1:])
    h.engine.tick(now + 2 * H)  # no repeats of a past breach either
    msg = wait_for(lambda: messages(http_receiver), 10, "the past-breach report")[0]
    assert len(http_receiver.requests) == 1
    assert "补报" in msg["title"] and "数据补传" in msg["message"]
    assert "/ack/" not in msg["message"]


def test_replayed_breach_still_going_on_pages_when_live_readings_show_it(harness,
                                                                         http_receiver):
    h = harness(alerts={"range": {"hold": "10m"}, "group_wait": "0s"},
                notifications=webhook_only(http_receiver.apprise_json_url()))
    now = T0 + H
    for i in range(15):
        h.feed(reading("A1-TH-01", T0 + i * M, humidity=65.0), now=now)
    assert h.of("humidity_range")[-1][1].past
    assert h.engine.tick(now) is None and not http_receiver.requests
    h.feed(reading("A1-TH-01", now, humidity=65.5))  # live
    msg = wait_for(lambda: messages(http_receiver), 10, "the live page")[0]
    assert "藏境告警" in msg["title"] and "65.5" in msg["message"]


def test_silence_holds_messages_back_and_they_go_out_when_it_ends(harness, http_receiver):
    h = harness(alerts={"range": {"hold": "0s"}, "group_wait": "0s"},
                notifications=webhook_only(http_receiver.apprise_json_url(), repeat="0s"))
    s = h.engine.silence("A1", 2 * H, "air handler service", "zhang", now=T0)
    [alert] = h.feed(reading("A1-TH-01", T0 + M, humidity=70.0))
    assert alert.state.value == "firing" and alert.suppressed.startswith("silenced")
    assert [a.state.value for a in h.events] == ["firing"]  # still recorded
    h.feed(reading("B1-TH-01", T0 + M, humidity=45.0))  # another zone is not silenced
    wait_for(lambda: messages(http_receiver), 10, "the B1 page")
    h.engine.tick(T0 + H)
    settle(h)
    assert ["B1" in m["title"] for m in messages(http_receiver)] == [True]
    h.engine.tick(T0 + 2 * H + 1)  # silence over, still firing: now it is sent
    wait_for(lambda: len(http_receiver.requests) == 2, 10, "the held-back A1 page")
    assert "A1" in messages(http_receiver)[1]["title"]
    assert s.id in h.engine.dispatcher.silences[0].id


def test_maintenance_window_in_site_time(harness, http_receiver):
    window = {"zones": ["A1"], "window": {"start": "15:00", "end": "17:00"},
              "reason": "weekly HVAC service"}
    h = harness(alerts={"range": {"hold": "0s"}, "group_wait": "0s", "maintenance": [window]},
                notifications=webhook_only(http_receiver.apprise_json_url()))
    [alert] = h.feed(reading("A1-TH-01", T0, humidity=70.0))  # 16:00 Shanghai
    assert alert.suppressed == "maintenance (weekly HVAC service)"
    h.engine.tick(T0 + 59 * M)
    settle(h)
    assert not http_receiver.requests
    h.engine.tick(T0 + H + 1)  # 17:00: window over
    wait_for(lambda: messages(http_receiver), 10, "the page after the window")


def test_offline_gateway_inhibits_the_stale_alerts_behind_it(harness, http_receiver):
    h = harness(alerts={"group_wait": "0s", "stale": {"intervals": 3}},
                notifications=webhook_only(http_receiver.apprise_json_url()))
    e = h.engine
    e.on_gateway("gw-01", True, now=T0 + 10)
    msg = wait_for(lambda: messages(http_receiver), 10, "the gateway page")[0]
    assert "网关 gw-01" in msg["title"] and "离线" in msg["message"]
    e.tick(T0 + 200)  # every sensor (all behind gw-01) is now stale
    stale = [a for s, a in h.of("stale") if s == "firing"]
    assert len(stale) == len(e.facility.sensors)
    assert all(a.suppressed == "inhibited (gateway gw-01 offline)" for a in e.alerts()
               if a.rule == "stale")
    settle(h)
    assert len(http_receiver.requests) == 1
    e.on_gateway("gw-01", False, now=T0 + 210)
    for s in e.facility.sensors:  # it forwards again
        h.feed(reading(s.id, T0 + 211, zone=s.zone, temperature=20.0))
    e.tick(T0 + 212)
    wait_for(lambda: len(http_receiver.requests) == 2, 10, "gateway resolved message")
    settle(h)
    assert messages(http_receiver)[1]["title"] == "【藏境恢复】网关 gw-01 已恢复正常"
    assert len(http_receiver.requests) == 2  # no stale page at all


def test_repeat_until_acknowledged_then_escalate_to_the_next_channel(
        harness, http_receiver, second_receiver):
    notifications = {
        "channels": [{"id": "duty", "url": http_receiver.apprise_json_url()},
                     {"id": "head", "url": second_receiver.apprise_json_url(), "lang": "en"}],
        "routes": [{"channels": ["duty"], "escalate": [{"after": "30m", "channels": ["head"]}]}],
        "repeat": "10m", "retry": {"attempts": 1, "backoff": "50ms"}}
    h = harness(alerts={"range": {"hold": "0s"}, "group_wait": "0s"},
                notifications=notifications)
    [alert] = h.feed(reading("C1-TH-01", T0, temperature=27.0))
    wait_for(lambda: messages(http_receiver), 10, "the first page")
    h.engine.tick(T0 + 9 * M)
    h.engine.tick(T0 + 10 * M)
    wait_for(lambda: len(http_receiver.requests) == 2, 10, "the repeat")
    assert "未确认" in messages(http_receiver)[1]["title"]
    h.engine.tick(T0 + 30 * M)
    wait_for(lambda: second_receiver.requests, 10, "the escalation")
    msg = second_receiver.requests[0].json()
    assert "escalated" in msg["title"] and "Textiles" in msg["title"]  # English channel
    assert h.engine.acknowledge(alert.id, "li", now=T0 + 31 * M).state.value == "acknowledged"
    for k in range(4, 10):
        h.engine.tick(T0 + k * 10 * M)
    settle(h)
    assert len(http_receiver.requests) == 3 and len(second_receiver.requests) == 1
    h.feed(reading("C1-TH-01", T0 + 2 * H, temperature=20.0))  # resolved: both were told
    wait_for(lambda: len(second_receiver.requests) == 2, 10, "resolved to the escalation")
    assert second_receiver.requests[1].json()["title"] == (
        "[Cangjing RESOLVED] Textiles (uniforms, banners) (C1) temperature back to normal")


def test_on_call_schedule_routes_by_site_time(harness, http_receiver, second_receiver):
    workday = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00"}
    nights = {"start": "18:00", "end": "08:00"}
    notifications = {
        "channels": [{"id": "office", "url": http_receiver.apprise_json_url()},
                     {"id": "oncall", "url": second_receiver.apprise_json_url()}],
        "routes": [{"channels": ["office"], "windows": [workday]},
                   {"channels": ["oncall"], "windows": [nights]}],
        "retry": {"attempts": 1, "backoff": "50ms"}}
    h = harness(alerts={"range": {"hold": "0s"}, "group_wait": "0s"},
                notifications=notifications)
    assert datetime.fromtimestamp(T0, UTC).weekday() == 1  # a Tuesday, 16:00 in Shanghai
    h.feed(reading("A1-TH-01", T0, humidity=70.0))
    wait_for(lambda: http_receiver.requests, 10, "the office page")
    h.feed(reading("B1-TH-01", T0 + 4 * H, humidity=50.0))  # 20:00
    wait_for(lambda: second_receiver.requests, 10, "the on-call page")
    settle(h)
    assert len(http_receiver.requests) == 1 and len(second_receiver.requests) == 1


def test_info_alerts_are_sent_once(harness, http_receiver):
    h = harness(alerts={"group_wait": "0s"},
                notifications=webhook_only(http_receiver.apprise_json_url(), repeat="1m"))
    cal_due = datetime(2027, 4, 2, tzinfo=UTC).timestamp()
    h.engine.check_calibration(cal_due)
    wait_for(lambda: http_receiver.requests, 10, "the calibration notice")
    for k in range(1, 5):
        h.engine.tick(cal_due + k * 120)
    settle(h)
    assert len(http_receiver.requests) == 1
    assert "校准已过期 2 天" in messages(http_receiver)[0]["message"]


def test_daily_digest_lists_active_alerts_and_what_ended(harness, http_receiver):
    h = harness(alerts={"range": {"hold": "0s"}, "group_wait": "0s"},
                notifications=webhook_only(http_receiver.apprise_json_url(), repeat="0s",
                                           digest={"at": "08:30", "channels": ["hook"]}))
    h.feed(reading("A1-TH-01", T0, humidity=70.0))
    h.feed(reading("B1-TH-01", T0, humidity=50.0))
    h.feed(reading("B1-TH-01", T0 + M, humidity=30.0))
    wait_for(lambda: len(http_receiver.requests) == 3, 10, "two pages and a resolved message")
    h.engine.send_digest(T0 + H)
    digest = wait_for(lambda: [m for m in messages(http_receiver) if "日报" in m["title"]], 10,
                      "the digest")[0]
    active, _, ended = digest["message"].partition("过去24小时已结束")
    assert "当前告警 1 项" in active and "A1-TH-01" in active
    assert "1 项" in ended and "B1-TH-01" in ended


def test_later_alerts_of_a_paged_zone_wait_for_group_interval_and_come_together(
        harness, http_receiver):
    h = harness(alerts={"range": {"hold": "0s"}, "light": {"hold": "0s"}, "group_wait": "0s",
                        "group_interval": "1m"},
                notifications=webhook_only(http_receiver.apprise_json_url(), repeat="0s"))
    h.feed(reading("A1-TH-01", T0, humidity=66.0))
    wait_for(lambda: http_receiver.requests, 10, "the first page")
    h.feed(reading("A1-TH-02", T0 + 20, temperature=26.0))
    h.feed(reading("A1-LX-01", T0 + 40, illuminance=300.0))
    h.feed(reading("B1-TH-01", T0 + 41, humidity=50.0))  # another zone: at once
    wait_for(lambda: len(http_receiver.requests) == 2, 10, "the B1 page")
    h.engine.tick(T0 + 59)
    settle(h)
    assert len(http_receiver.requests) == 2
    h.engine.tick(T0 + 60)
    wait_for(lambda: len(http_receiver.requests) == 3, 10, "the second A1 page")
    second = messages(http_receiver)[2]
    assert "（A1） 2 项" in second["title"]
    assert "A1-TH-02" in second["message"] and "A1-LX-01" in second["message"]


def test_restart_keeps_a_silent_sensor_stale_and_does_not_page_again(harness, http_receiver,
                                                                     facility, tmp_path):
    from .conftest import Clock, Harness, tuned

    f = tuned(facility, alerts={"group_wait": "0s", "stale": {"intervals": 3}},
              notifications=webhook_only(http_receiver.apprise_json_url(), repeat="0s"))
    first = Harness(f, tmp_path / "state", Clock(T0))
    for s in f.sensors:
        first.feed(reading(s.id, T0, zone=s.zone, temperature=20.0))
    for s in f.sensors[1:]:
        first.feed(reading(s.id, T0 + 100, zone=s.zone, temperature=20.0))
    first.engine.tick(T0 + 110)
    wait_for(lambda: http_receiver.requests, 10, "the stale page")
    assert [a.sensor for a in first.engine.alerts() if a.rule == "stale"] == [f.sensors[0].id]
    first.close()
    second = Harness(f, tmp_path / "state", Clock(T0 + 120))  # restarted 10 s later
    for s in f.sensors[1:]:
        second.feed(reading(s.id, T0 + 125, zone=s.zone, temperature=20.0))
    second.engine.tick(T0 + 130)
    assert [(a.sensor, a.state.value) for a in second.engine.alerts() if a.rule == "stale"] == [
        (f.sensors[0].id, "firing")]
    second.feed(reading(f.sensors[0].id, T0 + 140, zone=f.sensors[0].zone, temperature=20.0))
    assert [a for a in second.engine.alerts() if a.rule == "stale"] == []
    wait_for(lambda: len(http_receiver.requests) == 2, 10, "the resolved message")
    assert "藏境恢复" in messages(http_receiver)[1]["title"]
    second.close()
