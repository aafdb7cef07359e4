"""cangjing.lineprotocol against influxdb-client's Point (the oracle), and against a real
influxd: what goes in comes back out, whatever characters the tags and strings hold."""

from __future__ import annotations

import itertools
import json
import math
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from influxdb_client import Point

from cangjing.influx import InfluxClient
from cangjing.lineprotocol import LineProtocolError, encode, reading_line
from cangjing.reading import parse_reading

# The characters line protocol gives meaning to, plus non-ASCII, mixed into any text.
SPECIAL = [*list(',= "\'\\\n\t\r#'), "中", "é", "😀", "\xa0"]
text = st.text(
    alphabet=st.one_of(st.sampled_from(SPECIAL), st.characters(blacklist_categories=("Cs",))),
    min_size=1, max_size=12,
)
finite = st.floats(allow_nan=False, allow_infinity=False)
field_value = st.one_of(finite, st.integers(-(2**63), 2**63 - 1), st.booleans(), text)
measurement = text.filter(lambda m: not m.startswith("#"))  # '#' starts a comment line
time_ns = st.integers(-(2**62), 2**62)


def oracle(name: str, tags: dict[str, str], fields: dict[str, object], t: int) -> str:
    point = Point(name).time(t)
    for k, v in tags.items():
        point.tag(k, v)
    for k, v in fields.items():
        point.field(k, v)
    return point.to_line_protocol()


@settings(max_examples=400, deadline=None)
@given(measurement, st.dictionaries(text, text, max_size=4),
       st.dictionaries(text, field_value, min_size=1, max_size=4), time_ns)
def test_encode_matches_point_byte_for_byte(name, tags, fields, t):
    assert encode(name, tags, fields, t) == oracle(name, tags, fields, t)


@given(measurement, st.dictionaries(text, finite, max_size=3),
       st.sampled_from([math.nan, math.inf, -math.inf]), text)
def test_non_finite_fields_refuse_the_point_instead_of_vanishing(name, fields, bad, key):
    with pytest.raises(LineProtocolError, match="not a finite number"):
        encode(name, {"site": "s"}, {**fields, key: bad}, 0)


def test_a_point_without_fields_is_refused():
    with pytest.raises(LineProtocolError, match="at least one"):
        encode("m", {"a": "b"}, {"x": None}, 0)


ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,20}\Z")
values = st.dictionaries(
    st.sampled_from(["temperature", "humidity", "illuminance", "uv", "battery"]),
    st.floats(-1e300, 1e300, allow_nan=False), min_size=1,
)
epochs = st.integers(0, 4_000_000_000_000).map(lambda ms: ms / 1000)


@settings(max_examples=300, deadline=None)
@given(ids, ids, ids, values, epochs)
def test_reading_line_matches_point(site, zone, sensor, vals, epoch):
    doc = {"site": site, "zone": zone, "sensor": sensor, "time": epoch, "values": vals}
    reading = parse_reading(json.dumps(doc))
    line = reading_line(reading)
    fields = {k: v for k, v in _fields_of(line).items()}
    t = round(reading.epoch * 1000) * 1_000_000
    assert line == oracle("environment", {"site": site, "zone": zone, "sensor": sensor},
                          fields, t)
    for k, v in vals.items():
        assert fields[k] == float(v)


def _fields_of(line: str) -> dict[str, float]:
    body = line.split(" ")[1]
    return {k: float(v) for k, v in (kv.split("=") for kv in body.split(","))}


def test_reading_outside_influx_time_range_is_refused():
    doc = {"site": "s", "zone": "z", "sensor": "x", "time": "2300-01-01T00:00:00Z",
           "values": {"temperature": 20.0}}
    with pytest.raises(LineProtocolError, match="outside InfluxDB's range"):
        reading_line(parse_reading(json.dumps(doc)))


# Tag values InfluxDB 1.x stores exactly as given: Point's `\n` / `\t` / `\r` and a trailing
# backslash are escapes InfluxDB does not undo, so those characters are left out here.
stored_text = st.text(
    alphabet=st.one_of(st.sampled_from([*list(',= "\'#'), "中", "é", "😀"]),
                       st.characters(whitelist_categories=("L", "N", "P", "S"))),
    min_size=1, max_size=12,
).filter(lambda s: "\\" not in s)
string_field = st.text(
    alphabet=st.one_of(st.sampled_from([*list('"\\\n,= '), "中"]), st.characters(
        blacklist_categories=("Cs", "Cc"))), max_size=30)


_probe_numbers = itertools.count()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tag=stored_text, message=string_field, number=finite)
def test_real_influxd_stores_exactly_what_was_encoded(influx: InfluxClient, tag, message,
                                                      number):
    t = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1e9)
    name = f"probe{next(_probe_numbers)}"  # a measurement per example: no clean-up needed
    influx.write(encode(name, {"tag": tag}, {"message": message, "number": number}, t))
    rows = [r for s in influx.query(f'SELECT * FROM "{name}"') for r in s.records()]
    assert len(rows) == 1
    assert rows[0]["tag"] == tag
    assert rows[0]["message"] == message
    assert float(rows[0]["number"]) == number  # JSON may print a whole float as an int


@pytest.mark.parametrize(("t", "rh"), [(-244.0, 50.0), (20.0, 120.0), (1e300, 50.0)])
def test_no_dew_point_where_magnus_does_not_apply_but_the_values_are_kept(t, rh):
    doc = {"site": "s", "zone": "z", "sensor": "x", "time": 1,
           "values": {"temperature": t, "humidity": rh}}
    fields = _fields_of(reading_line(parse_reading(json.dumps(doc))))
    assert fields == {"temperature": t, "humidity": rh}
