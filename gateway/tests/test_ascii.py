"""USB-serial ASCII nodes: the $CJTH grammar, and lines through a real pty at 115200 baud."""

from __future__ import annotations

import pytest

from firmware_sim.serial.ascii_node import cjth_line
from firmware_sim.testing import wait_for
from gateway.ascii_protocol import LineError, LineSplitter, parse_line

from .conftest import FixedModel, make_facility


def test_grammar_accepts_the_documented_forms():
    assert parse_line(b"$CJTH,NS11,20.41,55.2,120,2.98*3F") == ("NS11", {  # README's example
            "temperature": 20.41, "humidity": 55.2, "illuminance": 120.0, "battery": 2.98})
    # Empty fields are "not measured"; the battery field is optional; hex in either case.
    body = b"CJTH,n-2,-3.5,,0"
    assert parse_line(b"$" + body + b"*" + (b"%02x" % _xor(body))) == (
        "n-2", {"temperature": -3.5, "illuminance": 0.0})


def _xor(body: bytes) -> int:
    out = 0
    for b in body:
        out ^= b
    return out


def _line(body: bytes) -> bytes:
    return b"$" + body + b"*" + b"%02X" % _xor(body)


@pytest.mark.parametrize(("line", "kind"), [
    (b"CJTH,NS11,20.4,55,1*00", "garbage"),  # no '$'
    (b"$CJTH,NS11,20.4,55", "partial"),  # cut before the checksum
    (b"$CJTH,NS11,20.4,55,1*7", "partial"),
    (b"$CJTH,NS11,20.4,55,1*00", "checksum"),
    (b"$CJTH,NS11,20.4,55\xff,1*00", "garbage"),
    (_line(b"CJXX,NS11,1,2,3"), "format"),
    (_line(b"CJTH,NS11,1,2"), "format"),
    (_line(b"CJTH,NS 11,1,2,3"), "format"),
    (_line(b"CJTH,NS11,warm,2,3"), "format"),
    (_line(b"CJTH,NS11,1e3,2,3"), "format"),
    (_line(b"CJTH,NS11,,,"), "format"),
])
def test_grammar_rejects_with_a_kind_and_reason(line, kind):
    with pytest.raises(LineError) as err:
        parse_line(line)
    assert err.value.kind == kind and str(err.value)


def test_splitter_recovers_after_noise_and_cut_lines():
    good = cjth_line("NS11", {"temperature": 20.0, "humidity": 50.0, "illuminance": 3.0})
    s = LineSplitter()
    items = s.feed(b"\x00\xffnoise" + good[:10])  # a line starts, then is cut by a new one
    items += s.feed(good + b"x" * 200)  # a run of noise longer than any line
    items += s.feed(b"\r\n" + good[:7])
    items += s.feed(good[7:])
    kinds = [i.kind if isinstance(i, LineError) else "line" for i in items]
    assert kinds == ["garbage", "partial", "line", "garbage", "line"]
    assert [parse_line(i)[0] for i in items if not isinstance(i, LineError)] == ["NS11", "NS11"]


def ascii_facility(**gw):
    return make_facility(
        [{"id": "usb-t", "protocol": "ascii", "baudrate": 115200,
          "port": "${CANGJING_PORT_USB_T:-/nonexistent}"}],
        [{"id": "ND-1", "transport": "ascii", "bus": "usb-t", "node": "NS11", "interval": "1s"},
         {"id": "ND-2", "transport": "ascii", "bus": "usb-t", "node": "NS12", "interval": "1s"}],
        **gw)


def test_bad_lines_are_counted_and_skipped_good_ones_pass(virtual_serial, run_gateway, sink):
    facility = ascii_facility()
    model = FixedModel({"temperature": 18.5, "humidity": 52.0, "illuminance": 30.0})
    devices = virtual_serial(facility, model, ascii_interval=0.1)
    devices.device("ND-2").faults.set(crc=True)
    out = sink()
    gw = run_gateway(facility)
    wait_for(lambda: len(out.of("ND-1")) >= 3, 15, "readings of the good node")
    line = devices.ascii["usb-t"]
    line.send(b"\x00\x13\xfe junk \x07\r\n")
    line.send(b"$CJTH,NS11,18.5,52.0")  # unplugged mid-line ...
    line.send(cjth_line("NS99", {"temperature": 1.0}))  # ... and a node nobody configured
    n = len(out.of("ND-1"))
    wait_for(lambda: len(out.of("ND-1")) >= n + 5, 15, "good lines after the bad ones")
    r = out.of("ND-1")[-1]
    assert (r.get("temperature"), r.get("humidity"), r.get("illuminance")) == (18.5, 52.0, 30.0)
    assert r.get("battery") == 3.0
    assert not out.of("ND-2")
    errors = gw.health.buses["usb-t"]
    assert errors["checksum"] >= 3 and errors["garbage"] >= 1
    assert errors["partial"] == 1 and errors["unknown_node"] == 1
    assert gw.health.devices["ND-2"].errors["checksum"] >= 3


def test_battery_drain_shows_then_the_node_goes_stale(virtual_serial, run_gateway, sink):
    facility = ascii_facility(status_interval="200ms", stale_after=3)
    devices = virtual_serial(facility, FixedModel(), ascii_interval=0.1)
    # ~0.25 V a second: from 3.0 V to the 2.4 V cut-off in about 2.5 s.
    devices.device("ND-1").faults.set(battery_drain=900.0)
    out = sink()
    gw = run_gateway(facility)
    wait_for(lambda: gw.health.devices["ND-1"].state == "stale", 20, "the flat node stale")
    volts = [r.get("battery") for r in out.of("ND-1")]
    assert volts[0] > 2.8 and 2.4 <= volts[-1] < 2.6 and volts == sorted(volts, reverse=True)
    assert gw.health.devices["ND-2"].state == "ok"
