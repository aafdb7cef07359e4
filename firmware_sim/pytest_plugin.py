"""pytest plugin (entry point `pytest11`): fixtures for testing against a real local stack.

    cangjing_stack   a Mosquitto and an influxd for the whole session (LocalStack)
    private_stack    servers of your own for one test (stop/kill/restart them freely)
    mqtt_url         the session broker's URL
    influx           an InfluxClient on a fresh database of its own, per test
    facility         the Beiqijia facility (config/beiqijia.yaml)
    mqtt_probe       factory: mqtt_probe("cangjing/#") -> a started MqttProbe
    http_receiver    a real HTTP server that records POSTs (webhook notifications)
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cangjing.config import Facility, load_facility
from cangjing.influx import InfluxClient
from cangjing.settings import DEFAULT_FACILITY
from cangjing.stack import LocalStack

from .testing import HttpReceiver, MqttProbe


@pytest.fixture(scope="session")
def cangjing_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(tmp_path_factory.mktemp("stack")) as stack:
        yield stack


@pytest.fixture
def private_stack(tmp_path: Path) -> Iterator[LocalStack]:
    with LocalStack(tmp_path / "stack") as stack:
        yield stack


@pytest.fixture
def mqtt_url(cangjing_stack: LocalStack) -> str:
    return cangjing_stack.mosquitto.url


def fresh_influx(url: str) -> InfluxClient:
    client = InfluxClient(url, f"t_{uuid.uuid4().hex[:12]}")
    client.ensure_database()
    return client


@pytest.fixture
def influx(cangjing_stack: LocalStack) -> Iterator[InfluxClient]:
    client = fresh_influx(cangjing_stack.influxd.url)
    yield client
    client.query(f'DROP DATABASE "{client.database}"')
    client.close()


@pytest.fixture(scope="session")
def facility() -> Facility:
    return load_facility(DEFAULT_FACILITY)


@pytest.fixture
def mqtt_probe(mqtt_url: str) -> Iterator[Callable[..., MqttProbe]]:
    probes: list[MqttProbe] = []

    def make(*filters: str, url: str | None = None) -> MqttProbe:
        probe = MqttProbe(url or mqtt_url, *filters).start()
        probes.append(probe)
        return probe

    yield make
    for p in probes:
        p.stop()


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver()
    yield receiver
    receiver.close()
