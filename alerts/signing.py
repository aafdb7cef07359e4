"""Ack links signed per alert (HMAC-SHA256 of the alert id), so that a link forwarded
from one message cannot acknowledge any other alert."""

from __future__ import annotations

import hashlib
import hmac


class Signer:
    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def sign(self, alert_id: str) -> str:
        mac = hmac.new(self._key, f"ack:{alert_id}".encode(), hashlib.sha256)
        return mac.hexdigest()[:32]

    def verify(self, alert_id: str, signature: str) -> bool:
        return hmac.compare_digest(self.sign(alert_id), signature or "")

    def link(self, base_url: str, alert_id: str) -> str:
        return f"{base_url.rstrip('/')}/ack/{alert_id}?sig={self.sign(alert_id)}"
