"""The MQTT topic scheme (DESIGN.md): built and parsed only here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topics:
    prefix: str
    site: str

    @property
    def base(self) -> str:
        return f"{self.prefix}/{self.site}"

    def reading(self, zone: str, sensor: str) -> str:
        return f"{self.base}/{zone}/{sensor}/reading"

    @property
    def all_readings(self) -> str:
        return f"{self.base}/+/+/reading"

    def node_up(self, device: str) -> str:
        return f"{self.base}/node/{device}/up"

    @property
    def all_nodes(self) -> str:
        return f"{self.base}/node/+/up"

    def gateway_status(self, gateway: str) -> str:
        return f"{self.base}/gateway/{gateway}/status"

    @property
    def all_gateway_status(self) -> str:
        return f"{self.base}/gateway/+/status"

    def alerts(self, zone: str) -> str:
        return f"{self.base}/alerts/{zone}"

    @property
    def all_alerts(self) -> str:
        return f"{self.base}/alerts/+"

    @property
    def deadletter(self) -> str:
        return f"{self.base}/deadletter"

    def device_of(self, topic: str) -> str | None:
        """cangjing/<site>/node/<device>/up -> device"""
        parts = topic.split("/")
        if len(parts) == 5 and parts[2] == "node" and parts[4] == "up":
            return parts[3]
        return None


def shared(topic_filter: str, group: str) -> str:
    """An MQTT 5 / Mosquitto shared subscription: the group's members split the messages."""
    return f"$share/{group}/{topic_filter}"
