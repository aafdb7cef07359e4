"""Channels that cannot run here (WeCom, DingTalk and Feishu cloud robots): apprise must
understand the URLs as written in the facility file, and a message must reach the robot's
API with its Chinese text (HTTP mocked: the robots accept no custom host). Plus the
facility-file checks of the alerting and notification sections."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from alerts.notify import ChannelWorker, Message
from cangjing.config import FacilityError
from cangjing.config.notifications import Channel, Retry
from firmware_sim.testing import wait_for

from .conftest import tuned


class _Ok:
    status_code = 200
    content = b'{"errcode": 0, "code": 0, "StatusCode": 0}'
    text = content.decode()

    def json(self) -> dict:
        return json.loads(self.content)


@pytest.mark.parametrize(("url", "host"), [
    ("wecombot://${BOT_KEY}", "qyapi.weixin.qq.com"),
    ("dingtalk://${BOT_KEY}/", "oapi.dingtalk.com"),
    ("feishu://${BOT_KEY}", "open.feishu.cn"),
])
def test_mock_chat_robots_get_the_chinese_message(url, host, monkeypatch):
    monkeypatch.setenv("BOT_KEY", "a1b2c3d4e5")
    posts = []

    def fake_post(target, *args, **kwargs):
        posts.append((target, kwargs.get("data") or kwargs.get("json")))
        return _Ok()

    with mock.patch("requests.post", side_effect=fake_post):
        worker = ChannelWorker(Channel(id="robot", url=url, min_interval="0s"),
                               Retry(attempts=1), None)
        assert worker.enabled, worker.status.reason
        worker.queue.put(Message("robot", "【藏境告警】纸质档案与电报库（A1）", "相对湿度 67 %RH"))
        wait_for(lambda: worker.status.sent or worker.status.failed, 10, "the robot call")
        worker.close()
    assert worker.status.sent == 1
    target, payload = posts[0]
    assert host in target and "a1b2c3d4e5" in target + str(payload)
    if isinstance(payload, bytes):
        payload = payload.decode()
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    if "\\u" in text:  # JSON with escaped non-ASCII
        text = json.dumps(json.loads(text), ensure_ascii=False)
    assert "相对湿度 67 %RH" in text


def test_channel_with_unset_secret_is_disabled_with_the_reason():
    worker = ChannelWorker(Channel(id="sms", url="json://${NO_SUCH_VAR_X}/"), Retry(), None)
    assert not worker.enabled and "NO_SUCH_VAR_X" in worker.status.reason


def test_bad_alert_settings_are_refused_with_their_paths(facility):
    with pytest.raises(FacilityError) as err:
        tuned(facility,
              alerts={"maintenance": [{"zones": ["Z9"], "window": {"start": "08:00",
                                                                    "end": "09:00"}}],
                      "api": {"bind": "localhost"}, "range": {"severity": "urgent"},
                      "stale": {"intervals": 0}},
              notifications={"routes": [{"channels": ["webhook"],
                                         "escalate": [{"after": "30m", "channels": ["boss"]}]}],
                             "digest": {"channels": ["nobody"]}})
    text = "\n".join(err.value.errors)
    assert "alerts.api.bind: 'localhost' is not host:port" in text
    assert "alerts.range.severity:" in text and "alerts.stale.intervals:" in text
    with pytest.raises(FacilityError) as err:
        tuned(facility,
              alerts={"maintenance": [{"zones": ["Z9"], "window": {"start": "08:00",
                                                                    "end": "09:00"}}]},
              notifications={"routes": [{"channels": ["webhook"],
                                         "escalate": [{"after": "30m", "channels": ["boss"]}]}],
                             "digest": {"channels": ["nobody"]}})
    assert set(err.value.errors) == {
        "notifications.routes[0].escalate[0].channels[0]: no channel 'boss'",
        "notifications.digest.channels[0]: no channel 'nobody'",
        "alerts.maintenance[0].zones[0]: no zone 'Z9'",
    }


def test_readme_sample_config_is_a_valid_facility_section(facility):
    from pathlib import Path

    import yaml

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    sample = readme.split("## Sample config\n```yaml\n", 1)[1].split("```", 1)[0]
    doc = yaml.safe_load(sample)
    f = tuned(facility, alerts=doc["alerts"], notifications=doc["notifications"])
    assert f.notifications.routes[0].escalate[0].channels == ["head-mail"]
    assert f.alerts.maintenance[0].window.days == ["wed"]
