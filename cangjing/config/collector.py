"""Settings of the collector (the `collector:` section of the facility file)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field, model_validator

from .limits import Strict
from .types import Id, PositiveDuration


class CollectorSettings(Strict):
    """How the collector batches, retries, spools and reports on itself."""

    group: Id | None = Field(
        None,
        description="shared-subscription group: collectors in one group split the readings "
        "($share/<group>/<prefix>/<site>/+/+/reading). Unset: one collector with a plain "
        "subscription. Mosquitto 2.0 does not keep shared subscriptions over its own restart "
        "(readings published before the collectors re-subscribe are dropped); a plain "
        "persistent subscription it keeps (collector/README.md)",
    )
    batch_size: int = Field(
        500, ge=1, le=100_000,
        description="points per InfluxDB write; keep it at most half the broker's "
        "max_inflight_messages so one batch fills while the previous one is written",
    )
    batch_wait: PositiveDuration = Field(
        timedelta(milliseconds=200),
        description="longest a reading waits for its batch to fill (latency at low load)",
    )
    retry_min: PositiveDuration = Field(
        timedelta(milliseconds=500), description="first wait before InfluxDB is tried again"
    )
    retry_max: PositiveDuration = Field(
        timedelta(seconds=10), description="longest wait between tries (doubling, with jitter)"
    )
    spool_dir: Path | None = Field(
        None,
        description="where the durable spool lives; default $CANGJING_DATA_DIR/collector",
    )
    spool_max_points: int = Field(
        5_000_000, ge=1000,
        description="spool bound (~150 bytes each on disk); when full the collector stops "
        "acknowledging and the broker holds the readings (nothing is dropped here)",
    )
    metrics_interval: PositiveDuration = Field(
        timedelta(seconds=10),
        description="how often self-metrics go to InfluxDB measurement cangjing_pipeline",
    )

    @model_validator(mode="after")
    def _retry_order(self) -> CollectorSettings:
        if self.retry_max < self.retry_min:
            raise ValueError("retry_max must be >= retry_min")
        return self
