"""Settings of the alert engine (section `alerts`): every threshold, duration and interval
of its rules, the maintenance windows, its HTTP API and the key that signs ack links.

Durations are written as 30s / 10m / 2h / 1d. The zone limits themselves (ranges, daily
swing, light, dose budget, UV) come from the zones (zones.py); this section says how the
engine judges them.
"""

from __future__ import annotations

from datetime import time, timedelta
from enum import StrEnum

from pydantic import Field, field_validator

from .limits import Strict
from .types import Duration, Id, PositiveDuration


class Severity(StrEnum):
    info = "info"
    warning = "warning"
    critical = "critical"


class Weekday(StrEnum):
    mon = "mon"
    tue = "tue"
    wed = "wed"
    thu = "thu"
    fri = "fri"
    sat = "sat"
    sun = "sun"


WEEKDAYS = list(Weekday)
SEVERITY_DOC = "severity of its alerts: info / warning / critical (routes match on it)"


class TimeWindow(Strict):
    """A weekly time window in the site's time zone; `end` before `start` runs past midnight
    (the day listed is the day the window starts)."""

    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS),
                                description="days it starts on (default: every day)")
    start: time = Field(description="local start, e.g. 08:00")
    end: time = Field(description="local end, e.g. 18:00 (00:00 = midnight)")


class Hysteresis(Strict):
    """How far back inside the limit a value must come before its alert clears."""

    temperature: float = Field(0.5, ge=0, description="K")
    humidity: float = Field(2.0, ge=0, description="%RH")
    illuminance: float = Field(5.0, ge=0, description="lux")
    uv: float = Field(2.0, ge=0, description="µW/lm")

    def of(self, quantity: str) -> float:
        return float(getattr(self, quantity, 0.0))


class RangeRule(Strict):
    """Temperature and RH outside the zone's [min, max]."""

    hold: Duration = Field(
        timedelta(minutes=10), description="how long a value must stay out before it fires"
    )
    severity: Severity = Field(Severity.warning, description=SEVERITY_DOC)
    hysteresis: Hysteresis = Field(default_factory=Hysteresis)


class SwingRate(Strict):
    temperature: float = Field(2.0, gt=0, description="max − min within rate_window, K")
    humidity: float = Field(5.0, gt=0, description="max − min within rate_window, %RH")


class SwingRule(Strict):
    """Daily swing (max − min over a rolling window, against the zone's swing limits) and
    the short-term rate of change (max − min within `rate_window`)."""

    enabled: bool = Field(True, description="false: no swing or rate alerts")
    severity: Severity = Field(Severity.warning, description=SEVERITY_DOC)
    window: PositiveDuration = Field(timedelta(hours=24), description="rolling window")
    resolution: PositiveDuration = Field(
        timedelta(minutes=5),
        description="bucket width of the rolling windows (memory vs. edge precision)",
    )
    rate_window: PositiveDuration = Field(timedelta(hours=1), description="window of the rate")
    rate: SwingRate = Field(default_factory=SwingRate)
    hysteresis: Hysteresis = Field(
        default_factory=lambda: Hysteresis(temperature=0.3, humidity=1.0),
        description="how far below the swing limit it must fall to clear",
    )


class LightRule(Strict):
    """Illuminance above the zone's limit while lit; UV above its limit while lit."""

    severity: Severity = Field(Severity.warning, description=SEVERITY_DOC)
    hold: Duration = Field(timedelta(minutes=1), description="lit above the limit this long")
    lit_above: float = Field(1.0, ge=0, description="lux above which a room counts as lit")
    uv_severity: Severity = Field(Severity.warning, description=SEVERITY_DOC)
    uv_hold: Duration = Field(timedelta(minutes=1), description="UV above its limit this long")


class DoseLevel(Strict):
    percent: float = Field(gt=0, description="share of the annual budget, %")
    severity: Severity


class LightDoseRule(Strict):
    """Calendar-year (site time zone) light dose per sensor against its zone's budget."""

    levels: list[DoseLevel] = Field(
        default_factory=lambda: [
            DoseLevel(percent=75, severity=Severity.info),
            DoseLevel(percent=90, severity=Severity.warning),
            DoseLevel(percent=100, severity=Severity.critical),
        ],
        description="warning levels (each one fires once a year)",
    )
    max_gap: PositiveDuration = Field(
        timedelta(hours=1), description="a longer gap between readings adds no dose"
    )


class CondensationRule(Strict):
    """Air temperature within `margin` of its dew point (cold surfaces get there first)."""

    margin: float = Field(3.0, gt=0, description="K between air temperature and dew point")
    hysteresis: float = Field(1.0, ge=0, description="K beyond the margin to clear")
    hold: Duration = Field(timedelta(minutes=5), description="this close this long fires")
    severity: Severity = Field(Severity.critical, description=SEVERITY_DOC)


class MoldRule(Strict):
    """Mould risk: the VTT mould index (Hukka & Viitanen 1999, cangjing.conservation.mold)
    accumulated from the readings; 1 = germination / first microscopic growth."""

    index: float = Field(0.5, gt=0, le=6, description="mould index at which it fires")
    hysteresis: float = Field(0.1, ge=0, description="index below `index` to clear")
    severity: Severity = Field(Severity.warning, description=SEVERITY_DOC)
    lookback: PositiveDuration = Field(
        timedelta(days=30), description="history replayed from InfluxDB on start"
    )
    max_gap: PositiveDuration = Field(
        timedelta(hours=2), description="a longer gap neither grows nor declines the index"
    )


class StaleRule(Strict):
    intervals: float = Field(3, gt=0, description="no reading for this many sensor intervals")
    severity: Severity = Field(Severity.warning, description=SEVERITY_DOC)


class FaultRule(Strict):
    """Quality flags the gateway sets on a reading's values (`quality`)."""

    flags: list[str] = Field(default_factory=lambda: ["impossible", "spike", "stuck"],
                             description="quality flags that count as a fault")
    clear_after: int = Field(3, ge=1, description="clean readings in a row that clear it")
    severity: Severity = Field(Severity.warning, description=SEVERITY_DOC)


class CalibrationRule(Strict):
    severity: Severity = Field(Severity.info, description=SEVERITY_DOC)
    check_every: PositiveDuration = Field(timedelta(hours=1), description="how often due "
                                          "dates are checked (site calendar)")


class GatewayRule(Strict):
    """A gateway whose retained status (or last will) says offline; it inhibits the stale
    alerts of the sensors behind it."""

    severity: Severity = Field(Severity.critical, description=SEVERITY_DOC)
    hold: Duration = Field(timedelta(0), description="offline this long before it fires")


class MaintenanceWindow(Strict):
    """Recurring window in which alerts of the zones are recorded but not sent."""

    zones: list[Id] = Field(default_factory=list, description="empty: every zone")
    window: TimeWindow
    reason: str = Field("maintenance", description="shown in the alert list")


class ApiSettings(Strict):
    bind: str = Field("127.0.0.1:8787", description="host:port of the HTTP API")
    token: str | None = Field(
        "${CANGJING_ALERTS_TOKEN}",
        description="bearer token (a ${ENV} reference); unset variable: API disabled",
    )
    public_url: str | None = Field(
        None, description="base URL staff reach the API at, for ack links (default: bind)"
    )

    @field_validator("bind")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 <= int(port) < 65536:
            raise ValueError(f"{value!r} is not host:port")
        return value


class AlertSettings(Strict):
    range: RangeRule = Field(default_factory=RangeRule)
    swing: SwingRule = Field(default_factory=SwingRule)
    light: LightRule = Field(default_factory=LightRule)
    light_dose: LightDoseRule = Field(default_factory=LightDoseRule)
    condensation: CondensationRule = Field(default_factory=CondensationRule)
    mold: MoldRule = Field(default_factory=MoldRule)
    stale: StaleRule = Field(default_factory=StaleRule)
    fault: FaultRule = Field(default_factory=FaultRule)
    calibration: CalibrationRule = Field(default_factory=CalibrationRule)
    gateway: GatewayRule = Field(default_factory=GatewayRule)
    group_wait: Duration = Field(
        timedelta(seconds=10),
        description="collect alerts of a zone this long before the first message (grouping)",
    )
    group_interval: Duration = Field(
        timedelta(minutes=1),
        description="after a zone's message, its further new alerts wait until this long "
        "after it and then go out together (a failing air handler: one page, then one more)",
    )
    live_lag: PositiveDuration = Field(
        timedelta(minutes=2),
        description="readings older than this on arrival are history: a breach that is over "
        "within them is reported as a past breach, not paged",
    )
    tick: PositiveDuration = Field(
        timedelta(seconds=5), description="how often stale checks, repeats, escalations run"
    )
    history: PositiveDuration = Field(
        timedelta(days=30), description="resolved alerts kept in the state database"
    )
    maintenance: list[MaintenanceWindow] = Field(default_factory=list)
    api: ApiSettings = Field(default_factory=ApiSettings)
    signing_key: str | None = Field(
        "${CANGJING_ALERTS_SIGNING_KEY}",
        description="HMAC key of the ack links (a ${ENV} reference); unset: no ack links",
    )

    def problems(self, zone_ids: set[str]) -> list[tuple[str, str]]:
        """Cross-references to zones (path below the facility root, message)."""
        out = []
        for i, mw in enumerate(self.maintenance):
            for j, z in enumerate(mw.zones):
                if z not in zone_ids:
                    out.append((f"alerts.maintenance[{i}].zones[{j}]", f"no zone {z!r}"))
        return out
