"""What every transport ends in: calibrate, validate, and store the reading in the outbox
(from where the forwarder publishes it on cangjing/<site>/<zone>/<sensor>/reading, QoS 1)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from cangjing.config import Facility
from cangjing.config.sensors import Sensor, Validation
from cangjing.reading import Reading, ReadingError
from cangjing.topics import Topics

from .calibration import calibrate
from .outbox import Outbox, QueueFull
from .validation import Validator

log = logging.getLogger(__name__)


class Pipeline:
    def __init__(self, facility: Facility, gateway_id: str, outbox: Outbox,
                 default_validation: Validation) -> None:
        self.facility = facility
        self.gateway_id = gateway_id
        self.outbox = outbox
        self.topics = Topics(facility.mqtt.prefix, facility.site.id)
        self.default_validation = default_validation
        self._validators: dict[str, Validator] = {}
        self._lock = threading.Lock()
        self.refused = 0

    def _validator(self, sensor: Sensor) -> Validator:
        v = self._validators.get(sensor.id)
        if v is None:
            v = self._validators[sensor.id] = Validator(sensor.validation
                                                        or self.default_validation)
        return v

    def emit(self, sensor: Sensor, when: datetime, raw: dict[str, float]) -> Reading | None:
        """Calibrate, validate and queue one reading of `sensor`; the stored reading, or None
        when the queue refused it (full under drop-newest; counted and logged by the queue)."""
        values = calibrate(raw, sensor.calibration)
        with self._lock:  # validator state is per sensor, but one lock is simplest and cheap
            flags = self._validator(sensor).check(when.timestamp(), values)
        try:
            reading = Reading(
                site=self.facility.site.id, zone=sensor.zone, sensor=sensor.id, time=when,
                values=values, gateway=self.gateway_id, quality=flags or None,
            )
        except ValueError as exc:  # e.g. a NaN from a broken decoder: never reaches the wire
            raise ReadingError(str(exc)) from None
        stored: list[Reading] = []

        def payload(seq: int) -> bytes:
            stored.append(reading.model_copy(update={"seq": seq}))
            return stored[0].to_json()

        try:
            self.outbox.put(self.topics.reading(sensor.zone, sensor.id), payload)
        except QueueFull:
            self.refused += 1
            return None
        return stored[0]
