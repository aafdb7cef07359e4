"""IDs end up in MQTT topics, InfluxDB line protocol and InfluxQL: anything that could
inject into one of them is refused when the facility file is read, with its path."""

from __future__ import annotations

import copy

import pytest

from cangjing.config import FacilityError, parse_facility

BASE = {
    "site": {"id": "beiqijia", "name": "北七家"},
    "gateways": [{"id": "gw-01"}],
    "zones": [{"id": "A1", "name": "纸质库", "material": "paper"}],
    "sensors": [{"id": "A1-TH-01", "zone": "A1", "transport": "mqtt", "device": "node-1"}],
}
HOSTILE = [
    "A1,x=1",        # line protocol: an extra tag
    "A1 x=1",        # line protocol: tag set ends, fields begin
    "A1 x",
    "a/b",           # topic level
    "#", "+",        # topic wildcards
    'A1"',           # InfluxQL identifier quote
    "A1'; DROP DATABASE cangjing; --",
    "A1\nx",         # newline: a second line-protocol line
    "A1=x",
    "\\A1",
    "",
    "-A1",
    "A" * 65,
]
WHERE = [
    ("site.id", lambda d, v: d["site"].update(id=v)),
    ("zones[0].id", lambda d, v: d["zones"][0].update(id=v)),
    ("sensors[0].id", lambda d, v: d["sensors"][0].update(id=v)),
    ("sensors[0].zone", lambda d, v: d["sensors"][0].update(zone=v)),
    ("sensors[0].device", lambda d, v: d["sensors"][0].update(device=v)),
    ("gateways[0].id", lambda d, v: d["gateways"][0].update(id=v)),
    ("mqtt.prefix", lambda d, v: d.update(mqtt={"prefix": v})),
    ("influx.database", lambda d, v: d.update(influx={"database": v})),
]


def test_the_base_document_is_valid() -> None:
    assert parse_facility(copy.deepcopy(BASE)).sensors[0].device == "node-1"


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
@pytest.mark.parametrize(("path", "put"), WHERE, ids=[w[0] for w in WHERE])
def test_hostile_ids_are_refused_with_their_path(path: str, put, value: str) -> None:
    doc = copy.deepcopy(BASE)
    put(doc, value)
    with pytest.raises(FacilityError) as caught:
        parse_facility(doc)
    assert any(line.startswith(f"{path}:") and "not a valid id" in line
               for line in caught.value.errors), caught.value.errors


def test_load_facility_refuses_a_hostile_file(tmp_path) -> None:
    from cangjing.config import load_facility

    path = tmp_path / "f.yaml"
    path.write_text('site: {id: "bei qijia", name: x}\n'
                    'zones: [{id: "A1,x=1", name: z, material: paper}]\n', encoding="utf-8")
    with pytest.raises(FacilityError) as caught:
        load_facility(path)
    paths = {line.split(":")[0] for line in caught.value.errors}
    assert {"site.id", "zones[0].id"} <= paths
