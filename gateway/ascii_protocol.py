"""The $CJTH line protocol of the USB-serial sensor nodes (grammar in gateway/README.md).

    $CJTH,NS11,20.41,55.2,120,2.98*3F\\r\\n

`LineSplitter` cuts the byte stream into candidate lines (and counts what cannot be one);
`parse_line` turns one line into (node, values) or raises LineError naming what is wrong.
"""

from __future__ import annotations

import re
from functools import reduce

MAX_LINE = 82  # bytes including CR LF, as NMEA 0183
_NODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
FIELDS = ("temperature", "humidity", "illuminance", "battery")


class LineError(ValueError):
    """`kind` groups errors for counting: garbage, partial, checksum, format."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind


def checksum(body: bytes) -> int:
    return reduce(lambda a, b: a ^ b, body, 0)


def parse_line(line: bytes) -> tuple[str, dict[str, float]]:
    """One line without its line end -> (node id, values in canonical units)."""
    if not line.startswith(b"$"):
        raise LineError("garbage", "does not start with '$'")
    star = line.rfind(b"*")
    if star < 0 or len(line) - star != 3:
        raise LineError("partial", "no '*HH' checksum at the end")
    body, given = line[1:star], line[star + 1:]
    try:
        text = body.decode("ascii")
        expected = int(given.decode("ascii"), 16)
    except (UnicodeDecodeError, ValueError):
        raise LineError("garbage", "non-ASCII bytes or a checksum that is not hex") from None
    if checksum(body) != expected:
        raise LineError("checksum", f"checksum {given.decode()} != {checksum(body):02X}")
    fields = text.split(",")
    if fields[0] != "CJTH":
        raise LineError("format", f"unknown sentence {fields[0]!r} (expected CJTH)")
    if not 5 <= len(fields) <= 6:
        raise LineError("format", f"{len(fields) - 1} fields after CJTH, expected 4 or 5")
    node = fields[1]
    if not _NODE.match(node):
        raise LineError("format", f"node id {node!r} is not 1-16 letters, digits, '-', '_'")
    values: dict[str, float] = {}
    for name, raw in zip(FIELDS, fields[2:], strict=False):
        if raw == "":
            continue
        if not _DECIMAL.match(raw):
            raise LineError("format", f"{name} {raw!r} is not a decimal number")
        values[name] = float(raw)
    if not values:
        raise LineError("format", "no value in the line")
    return node, values


class LineSplitter:
    """Feeds bytes, yields complete candidate lines; counts bytes that cannot be a line."""

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, data: bytes) -> list[bytes | LineError]:
        """Complete lines (without CR LF) and errors for what was thrown away, in order."""
        self._buf += data
        out: list[bytes | LineError] = []
        while True:
            end = self._buf.find(b"\n")
            if end < 0:
                break
            segment, self._buf = self._buf[:end].rstrip(b"\r"), self._buf[end + 1:]
            out.extend(self._split(segment))
        if len(self._buf) > MAX_LINE:
            # No line end within a line's length: noise, or a line cut by a new one.
            start = self._buf.rfind(b"$")
            keep = self._buf[start:] if start > 0 and len(self._buf) - start <= MAX_LINE else b""
            out.append(LineError("garbage", f"{len(self._buf) - len(keep)} bytes without a line"))
            self._buf = keep
        return out

    @staticmethod
    def _split(segment: bytes) -> list[bytes | LineError]:
        if not segment:
            return []
        start = segment.rfind(b"$")
        if start <= 0:
            if len(segment) > MAX_LINE:
                return [LineError("garbage", f"line of {len(segment)} bytes (max {MAX_LINE})")]
            return [segment]
        lost = segment[:start]
        out: list[bytes | LineError] = []
        cut = lost.find(b"$")
        if cut != 0:  # noise before anything that looks like a line
            noise = lost if cut < 0 else lost[:cut]
            out.append(LineError("garbage", f"{len(noise)} bytes of noise"))
        if cut >= 0:  # a line began, then a new '$' cut it
            out.append(LineError("partial", f"a line cut after {len(lost) - cut} bytes"))
        return [*out, segment[start:]]
