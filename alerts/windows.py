"""Rolling max − min over a time window, in fixed memory.

The window is cut into buckets of `resolution` seconds, each keeping the min and the max of
its values (float32: a sensor's value needs no more). A 24 h window at 5 min resolution is
288 buckets, 2.3 kB, whatever the reading rate; the price is that the window's far edge
moves in steps of one bucket. The newest reading is always in the window.
"""

from __future__ import annotations

import math
from array import array

_INF = math.inf


class RollingExtremes:
    __slots__ = ("head", "maxs", "mins", "n", "width")

    def __init__(self, window_s: float, resolution_s: float) -> None:
        self.width = float(resolution_s)
        self.n = max(1, math.ceil(window_s / resolution_s))
        self.mins = array("f", [_INF]) * self.n
        self.maxs = array("f", [-_INF]) * self.n
        self.head: int | None = None  # bucket number of the newest value

    def add(self, t: float, value: float) -> None:
        """Add a value at epoch seconds `t`; values older than the window are ignored."""
        b = int(t // self.width)
        head = self.head
        if head is None:
            self.head = head = b
        if b > head:
            for k in range(1, min(b - head, self.n) + 1):  # buckets that left the window
                slot = (head + k) % self.n
                self.mins[slot] = _INF
                self.maxs[slot] = -_INF
            self.head = b
        elif b <= head - self.n:
            return
        slot = b % self.n
        if value < self.mins[slot]:
            self.mins[slot] = value
        if value > self.maxs[slot]:
            self.maxs[slot] = value

    def spread(self) -> float | None:
        """max − min over the window (None when empty), rounded past float32 noise."""
        hi, lo = max(self.maxs), min(self.mins)
        return round(hi - lo, 3) if hi >= lo else None

    def nbytes(self) -> int:
        return self.mins.itemsize * self.n * 2
