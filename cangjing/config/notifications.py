"""Notification channels (apprise URLs) and how alerts are routed to them."""

from __future__ import annotations

from pydantic import Field

from .limits import Strict
from .types import Id


class Channel(Strict):
    id: Id
    url: str = Field(description="apprise URL; secrets as ${ENV} references")
    lang: str | None = Field(None, pattern="^(zh|en)$", description="default: notifications.lang")


class Route(Strict):
    """Alerts matching zones/severities go to channels. Empty lists match everything."""

    zones: list[Id] = Field(default_factory=list)
    severities: list[str] = Field(default_factory=list)
    channels: list[Id]


class Notifications(Strict):
    lang: str = Field("zh", pattern="^(zh|en)$", description="default message language")
    channels: list[Channel] = Field(default_factory=list)
    routes: list[Route] = Field(default_factory=list)
