"""A simulated year of the Beiqijia facility in a real influxd, shared by this folder's tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from cangjing.config import Facility
from cangjing.influx import InfluxClient
from cangjing.stack import LocalStack
from dashboards.simyear import YearWritten, write_year
from firmware_sim.pytest_plugin import fresh_influx


@dataclass
class Year:
    client: InfluxClient
    written: YearWritten
    facility: Facility


@pytest.fixture(scope="session")
def year(cangjing_stack: LocalStack, facility: Facility) -> Iterator[Year]:
    client = fresh_influx(cangjing_stack.influxd.url)
    client_long = InfluxClient(client.url, client.database, timeout=120)  # backfill of a year
    written = write_year(client_long, facility, datetime.now(UTC))
    yield Year(client_long, written, facility)
    client.query(f'DROP DATABASE "{client.database}"')
    client.close()
    client_long.close()
