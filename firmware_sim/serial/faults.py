"""Faults a simulated serial device can be told to show, changeable while it runs."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field


@dataclass
class Faults:
    """What is wrong with a device. Every field can be changed at any moment.

    no_response  the device stays silent (dead, unplugged, wrong address)
    slow         extra seconds before it answers (a response the master may time out on)
    crc          answers with a corrupted CRC (ascii: a wrong checksum)
    garbage      answers with random bytes (noise on the line, a mis-wired device)
    exception    Modbus exception code to answer with (e.g. 4 = device failure)
    rate         fraction of requests/lines the above affect (1.0 = every one)
    stuck        the measured values freeze at the moment this was set
    drift        quantity -> change per hour added to what it measures
    battery_drain  volts per hour its battery loses; below `battery_cutoff` it goes silent
    """

    no_response: bool = False
    slow: float = 0.0
    crc: bool = False
    garbage: bool = False
    exception: int | None = None
    rate: float = 1.0
    stuck: bool = False
    drift: dict[str, float] = field(default_factory=dict)
    battery: float = 3.0
    battery_drain: float = 0.0
    battery_cutoff: float = 2.4
    since: float = field(default_factory=time.monotonic)  # drift counts from here
    drain_since: float = field(default_factory=time.monotonic)
    rnd: random.Random = field(default_factory=lambda: random.Random(7), repr=False)
    _frozen: dict[str, float] | None = field(default=None, repr=False)

    def set(self, **changes: object) -> Faults:
        """Change faults; a new drift or battery drain counts from now."""
        battery = self.battery_now()  # what the old drain left, before the rate changes
        for key, value in changes.items():
            if not hasattr(self, key) or key.startswith("_"):
                raise AttributeError(f"no fault {key!r}")
            setattr(self, key, value)
        if "drift" in changes:
            self.since = time.monotonic()
        if "battery_drain" in changes or "battery" in changes:
            if "battery" not in changes:
                self.battery = battery
            self.drain_since = time.monotonic()
        if not self.stuck:
            self._frozen = None
        return self

    def clear(self) -> Faults:
        return self.set(no_response=False, slow=0.0, crc=False, garbage=False, exception=None,
                        rate=1.0, stuck=False, drift={}, battery_drain=0.0)

    def hits(self) -> bool:
        """Whether this request/line is one the intermittent faults affect."""
        return self.rate >= 1.0 or self.rnd.random() < self.rate

    def hours(self) -> float:
        return (time.monotonic() - self.since) / 3600

    def battery_now(self) -> float:
        return self.battery - self.battery_drain * (time.monotonic() - self.drain_since) / 3600

    @property
    def flat(self) -> bool:
        return self.battery_now() < self.battery_cutoff

    def apply(self, values: dict[str, float]) -> dict[str, float]:
        """Stuck and drift applied to what the device measures."""
        if self.stuck:
            if self._frozen is None:
                self._frozen = dict(values)
            values = dict(self._frozen)
        hours = self.hours()
        return {k: v + self.drift.get(k, 0.0) * hours for k, v in values.items()}

    def garbage_bytes(self, lo: int = 3, hi: int = 24) -> bytes:
        return bytes(self.rnd.randrange(256) for _ in range(self.rnd.randint(lo, hi)))
