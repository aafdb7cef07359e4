"""The site: one facility file describes one site."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from .limits import Strict
from .types import Id


class Site(Strict):
    id: Id = Field(description="site id used in topics and tags, e.g. beiqijia")
    name: str = Field(description="name shown to staff (Chinese)")
    name_en: str | None = Field(None, description="English name")
    timezone: str = Field("Asia/Shanghai", description="IANA zone for reports and messages")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
