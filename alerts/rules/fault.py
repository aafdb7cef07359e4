"""Sensor fault: the gateway flags values it doubts in the reading's `quality`
("impossible", "spike", "stuck"); the alert clears after some clean readings in a row."""

from __future__ import annotations

from cangjing.reading import Reading

from ..events import Observation
from . import Context, obs


class FaultRule:
    def __init__(self) -> None:
        self.clean: dict[str, int] = {}  # sensor -> clean readings in a row

    def observe(self, reading: Reading, values: dict[str, float],
                ctx: Context) -> list[Observation]:
        s = ctx.settings.fault
        flags = {q.value: f for q, f in (reading.quality or {}).items() if f in s.flags}
        if flags:
            self.clean[reading.sensor] = 0
            quantity, flag = next(iter(flags.items()))
            value = reading.values.get(quantity)  # type: ignore[call-overload]
            return [obs(reading, "fault", quantity, float(value if value is not None else 0),
                        None, flag, True, False, s.severity, extra={"flags": flags})]
        n = self.clean.get(reading.sensor, s.clear_after) + 1
        self.clean[reading.sensor] = n
        return [obs(reading, "fault", "", 0.0, None, "", False, n >= s.clear_after, s.severity)]
