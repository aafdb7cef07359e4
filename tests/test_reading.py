"""The canonical reading (DESIGN.md contract) and the topic scheme."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from cangjing.mqtt import parse_mqtt_url
from cangjing.reading import ReadingError, parse_reading
from cangjing.topics import Topics, shared

EXAMPLE = {"site": "beiqijia", "zone": "A1", "sensor": "A1-TH-01",
           "time": "2026-11-24T08:00:00Z",
           "values": {"temperature": 20.4, "humidity": 55.2, "illuminance": 12.0},
           "seq": 18231, "gateway": "gw-01"}


def test_design_example_round_trips():
    r = parse_reading(json.dumps(EXAMPLE))
    assert r.time == datetime(2026, 11, 24, 8, tzinfo=UTC)
    again = json.loads(r.to_json())
    assert again["time"] == "2026-11-24T08:00:00.000Z"
    assert again["values"] == EXAMPLE["values"] and again["seq"] == 18231


def test_epoch_seconds_and_offsets_become_utc():
    r = parse_reading(json.dumps({**EXAMPLE, "time": 1764000000.5}))
    assert r.epoch == 1764000000.5
    r = parse_reading(json.dumps({**EXAMPLE, "time": "2026-11-24T16:00:00+08:00"}))
    assert r.time == datetime(2026, 11, 24, 8, tzinfo=UTC)


@pytest.mark.parametrize(("change", "reason"), [
    ({"time": "2026-11-24T08:00:00"}, "time: time needs a time zone"),
    ({"values": {}}, "values: Dictionary should have at least 1 item"),
    ({"values": {"temperature": "warm"}}, "values.temperature: Input should be a valid number"),
    ({"values": {"pressure": 1013}}, "values.pressure.[key]: Input should be"),
    ({"zone": "A1/x"}, "zone: 'A1/x' is not a valid id"),
])
def test_bad_readings_say_what_is_wrong(change, reason):
    with pytest.raises(ReadingError) as info:
        parse_reading(json.dumps({**EXAMPLE, **change}))
    assert reason in str(info.value)


def test_nan_and_infinity_are_refused():
    for token in ("NaN", "Infinity", "-Infinity"):
        payload = json.dumps(EXAMPLE).replace("20.4", token)
        with pytest.raises(ReadingError, match="not a finite number"):
            parse_reading(payload)


def test_not_json():
    with pytest.raises(ReadingError, match="not JSON"):
        parse_reading(b"\xff\xfe")
    with pytest.raises(ReadingError, match="not a JSON object"):
        parse_reading(b"[1, 2]")


def test_topics():
    t = Topics("cangjing", "beiqijia")
    assert t.reading("A1", "A1-TH-01") == "cangjing/beiqijia/A1/A1-TH-01/reading"
    assert t.device_of("cangjing/beiqijia/node/n-1/up") == "n-1"
    assert t.device_of("cangjing/beiqijia/A1/n-1/reading") is None
    assert shared(t.all_readings, "collectors") == "$share/collectors/cangjing/beiqijia/+/+/reading"


def test_mqtt_url_never_prints_the_password():
    a = parse_mqtt_url("mqtts://gw:s%40cret@broker.local?ca=/etc/ca.pem")
    assert (a.host, a.port, a.tls, a.username, a.password, a.ca) == (
        "broker.local", 8883, True, "gw", "s@cret", "/etc/ca.pem")
    assert "cret" not in str(a)
    with pytest.raises(ValueError, match="mqtt:// or mqtts://"):
        parse_mqtt_url("http://broker")
