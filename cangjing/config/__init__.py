"""The facility file, as pydantic models: one module per section.

    site            site.py           id, names, time zone
    mqtt / influx   connections.py    where the broker and InfluxDB are (env overrides)
    gateways        gateways.py       gateways and their serial buses
    zones           zones.py          material class -> preset limits (materials.py), overrides
    sensors         sensors.py        zone, transport, decoder, interval, calibration
    notifications   notifications.py  apprise channels and routes
    alerts          alerting.py       rule settings (durations, hysteresis, severities)
"""

from .facility import Facility
from .loader import FacilityError, load_facility, parse_facility

__all__ = ["Facility", "FacilityError", "load_facility", "parse_facility"]
