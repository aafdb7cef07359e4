"""The `collector:` section of the facility file: defaults, durations, clear errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml

from cangjing.config import FacilityError, parse_facility
from cangjing.settings import DEFAULT_FACILITY


def with_collector(section: dict) -> dict:
    doc = yaml.safe_load(DEFAULT_FACILITY.read_text(encoding="utf-8"))
    doc["collector"] = section
    return doc


def test_defaults_and_durations():
    fac = parse_facility(with_collector({"group": "collectors", "batch_wait": "50ms"}))
    s = fac.collector
    assert s.group == "collectors" and s.batch_wait == timedelta(milliseconds=50)
    assert parse_facility(with_collector({})).collector.group is None  # plain subscription


def test_bad_values_are_refused_all_at_once_with_their_path():
    with pytest.raises(FacilityError) as err:
        parse_facility(with_collector({"batch_size": 0, "group": "a/b", "retry_min": "5s",
                                       "retry_max": "1s", "spool_max_points": 10,
                                       "batch_wiat": "1s"}))
    text = "\n".join(err.value.errors)
    for path in ("collector.batch_size", "collector.group", "collector.spool_max_points",
                 "collector.batch_wiat"):
        assert path in text


def test_retry_max_below_retry_min_is_refused():
    with pytest.raises(FacilityError) as err:
        parse_facility(with_collector({"retry_min": "5s", "retry_max": "1s"}))
    assert any("collector" in e and "retry_max must be >= retry_min" in e
               for e in err.value.errors)
