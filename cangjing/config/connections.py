"""Where the broker and InfluxDB are. The environment overrides the facility file.

Environment: CANGJING_MQTT_URL, CANGJING_MQTT_PREFIX, CANGJING_INFLUX_URL,
CANGJING_INFLUX_DB, CANGJING_INFLUX_USER, CANGJING_INFLUX_PASSWORD, CANGJING_INFLUX_TOKEN,
CANGJING_DATA_DIR.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from pydantic import Field, SecretStr

from .limits import Strict
from .types import Duration, Id


class MqttSection(Strict):
    url: str = Field("mqtt://127.0.0.1:1883", description="mqtt:// or mqtts://, user:pass@")
    prefix: Id = Field("cangjing", description="first topic level")


class InfluxSection(Strict):
    url: str = Field("http://127.0.0.1:8086")
    database: Id = Field("cangjing")
    user: str | None = None
    password: SecretStr | None = None
    token: SecretStr | None = None
    raw_retention: Duration = Field(
        timedelta(0), description="how long raw readings are kept; 0 = forever"
    )


_MQTT_ENV = {"url": "CANGJING_MQTT_URL", "prefix": "CANGJING_MQTT_PREFIX"}
_INFLUX_ENV = {
    "url": "CANGJING_INFLUX_URL",
    "database": "CANGJING_INFLUX_DB",
    "user": "CANGJING_INFLUX_USER",
    "password": "CANGJING_INFLUX_PASSWORD",
    "token": "CANGJING_INFLUX_TOKEN",
}


def _override(section: Strict, names: dict[str, str], env: Mapping[str, str]) -> Strict:
    data = section.model_dump()
    for field, var in names.items():
        if env.get(var):
            data[field] = env[var]
    for key, value in data.items():
        if isinstance(value, SecretStr):
            data[key] = value.get_secret_value()
    return type(section).model_validate(data)


def mqtt_settings(section: MqttSection, env: Mapping[str, str] | None = None) -> MqttSection:
    return _override(section, _MQTT_ENV, os.environ if env is None else env)  # type: ignore[return-value]


def influx_settings(section: InfluxSection, env: Mapping[str, str] | None = None) -> InfluxSection:
    return _override(section, _INFLUX_ENV, os.environ if env is None else env)  # type: ignore[return-value]


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("CANGJING_DATA_DIR") or "var").resolve()
