"""Notification channels (apprise URLs) and how alerts are routed to them: by zone and
severity, within on-call time windows (site time zone), repeated until acknowledged,
escalated to further channels when nobody acknowledges."""

from __future__ import annotations

from datetime import time, timedelta

from pydantic import Field

from .alerting import Severity, TimeWindow
from .limits import Strict
from .types import Duration, Id, PositiveDuration


class Channel(Strict):
    id: Id
    url: str = Field(description="apprise URL; secrets as ${ENV} references")
    lang: str | None = Field(None, pattern="^(zh|en)$", description="default: notifications.lang")
    min_interval: Duration | None = Field(
        None, description="least time between two messages on this channel (rate limits of "
        "the service); default: apprise's for the service, e.g. 5.5 s for e-mail and robots")


class Escalation(Strict):
    after: PositiveDuration = Field(description="unacknowledged this long after the first page")
    channels: list[Id] = Field(min_length=1, description="channels added at this step")


class Route(Strict):
    """Alerts matching zones/severities go to channels. Empty lists match everything."""

    zones: list[Id] = Field(default_factory=list)
    severities: list[Severity] = Field(default_factory=list)
    channels: list[Id]
    windows: list[TimeWindow] = Field(
        default_factory=list,
        description="on-call schedule: the route applies only inside these windows "
        "(site time zone); empty: always. An alert no route takes waits for one.",
    )
    escalate: list[Escalation] = Field(
        default_factory=list, description="further channels when nobody acknowledges"
    )


class Retry(Strict):
    attempts: int = Field(4, ge=1, description="delivery attempts per message and channel")
    backoff: PositiveDuration = Field(timedelta(seconds=2), description="first wait, doubling")
    backoff_max: PositiveDuration = Field(timedelta(minutes=1))


class Digest(Strict):
    at: time | None = Field(time(8, 30), description="local time of the daily digest; null: off")
    channels: list[Id] = Field(default_factory=list, description="empty: no digest")


class Notifications(Strict):
    lang: str = Field("zh", pattern="^(zh|en)$", description="default message language")
    channels: list[Channel] = Field(default_factory=list)
    routes: list[Route] = Field(default_factory=list)
    repeat: Duration = Field(
        timedelta(hours=1), description="re-send a firing alert until acknowledged; 0: never"
    )
    retry: Retry = Field(default_factory=Retry)
    digest: Digest = Field(default_factory=Digest)

    def problems(self) -> list[tuple[str, str]]:
        """References to channels that do not exist (path below the facility root)."""
        known = {c.id for c in self.channels}
        out = []
        for i, route in enumerate(self.routes):
            for j, step in enumerate(route.escalate):
                for k, ch in enumerate(step.channels):
                    if ch not in known:
                        out.append((f"notifications.routes[{i}].escalate[{j}].channels[{k}]",
                                    f"no channel {ch!r}"))
        for k, ch in enumerate(self.digest.channels):
            if ch not in known:
                out.append((f"notifications.digest.channels[{k}]", f"no channel {ch!r}"))
        return out
