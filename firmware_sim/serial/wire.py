"""A pty pair standing in for a serial line, and bytes paced at the line's baud rate.

A pty has no baud rate: it moves bytes as fast as the kernel copies them. Simulated devices
therefore release each byte only when it would have finished crossing a real wire
(start bit + data bits + parity + stop bits per byte), so that the gateway's timing and the
poll-cycle benchmark see real wire times.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
import tty
from pathlib import Path


def char_time(baudrate: int, parity: str = "N", stopbits: int = 1, bytesize: int = 8) -> float:
    """Seconds one byte takes on the wire: 10 bits at 8N1."""
    bits = 1 + bytesize + (0 if parity == "N" else 1) + stopbits
    return bits / baudrate


class PtyLine:
    """One pty pair: the device side (master, ours) and the port path the gateway opens.

    The slave end is kept open here too, so that the gateway opening and closing the port
    never makes the line hang up under the device, and set raw at once so that nothing the
    devices send is echoed back to them.
    """

    def __init__(self, link: Path | None = None) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        tty.setraw(self.master)
        flags = fcntl.fcntl(self.master, fcntl.F_GETFL)
        # A real UART with nobody listening just loses bytes; a full pty buffer must not
        # block a device forever.
        fcntl.fcntl(self.master, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        self.port = os.ttyname(self._slave)
        self.link = link
        if link is not None:
            link.parent.mkdir(parents=True, exist_ok=True)
            tmp = link.with_name(link.name + ".new")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(self.port)
            tmp.replace(link)  # atomic: a gateway never sees a half-made link
        self.dropped = 0

    def write_paced(self, data: bytes, char_s: float, start: float | None = None) -> float:
        """Write `data` as a wire at `char_s` seconds a byte would deliver it; return the
        monotonic time its last byte is complete."""
        t0 = time.monotonic() if start is None else start
        sent = 0
        while sent < len(data):
            due = min(len(data), int((time.monotonic() - t0) / char_s))
            if due > sent:
                try:
                    os.write(self.master, data[sent:due])
                except BlockingIOError:
                    self.dropped += due - sent
                except OSError:
                    return t0 + len(data) * char_s
                sent = due
            if sent < len(data):
                time.sleep(max(0.0, t0 + (sent + 1) * char_s - time.monotonic()))
        return t0 + len(data) * char_s

    def read(self, size: int = 4096) -> bytes:
        try:
            return os.read(self.master, size)
        except (BlockingIOError, OSError):
            return b""

    def close(self) -> None:
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                if self.link.is_symlink() and os.readlink(self.link) == self.port:
                    self.link.unlink()
        for fd in (self.master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)
