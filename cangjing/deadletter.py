"""Dead letters: bad input is rejected with a reason, counted, logged once per kind and
published on `cangjing/<site>/deadletter`, so that good input beside it goes on."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections import Counter

from .mqtt import MqttConnection

log = logging.getLogger(__name__)


class DeadLetters:
    def __init__(self, conn: MqttConnection | None, topic: str, service: str) -> None:
        self.conn = conn
        self.topic = topic
        self.service = service
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def reject(self, kind: str, reason: str, topic: str, payload: bytes) -> None:
        """`kind` groups similar rejections (logged once); `reason` is the specific text."""
        with self._lock:
            self.counts[kind] += 1
            first = self.counts[kind] == 1
        if first:
            log.warning("%s: rejected %s on %s: %s (logged once per kind; counted)",
                        self.service, kind, topic, reason)
        if self.conn is None:
            return
        try:
            text: str | None = payload.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        doc = {
            "service": self.service,
            "kind": kind,
            "reason": reason,
            "topic": topic,
            "time": time.time(),
            "payload": text if text is not None and len(text) <= 65536 else None,
        }
        if text is None:
            doc["payload_base64"] = base64.b64encode(payload[:65536]).decode()
        elif len(text) > 65536:
            doc["payload_truncated"] = text[:65536]
        self.conn.client.publish(self.topic, json.dumps(doc, ensure_ascii=False), qos=1)

    @property
    def total(self) -> int:
        return sum(self.counts.values())
