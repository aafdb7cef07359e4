"""Notify stage: deliver messages through apprise, one worker per channel, with retries,
so that a channel that is down delays nobody else."""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass

import apprise

from cangjing.config.envref import MissingEnvironment, resolve
from cangjing.config.notifications import Channel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    channel: str
    title: str
    body: str


class ChannelWorker:
    def __init__(self, channel: Channel, retries: int = 3, backoff: float = 1.0) -> None:
        self.channel = channel
        self.retries = retries
        self.backoff = backoff
        self.queue: queue.Queue[Message | None] = queue.Queue()
        self.sent = 0
        self.failed = 0
        self.apprise: apprise.Apprise | None = None
        try:
            url = resolve(channel.url)
        except MissingEnvironment as exc:
            log.warning("channel %s disabled: %s", channel.id, exc)
            return
        app = apprise.Apprise()
        if not app.add(url):
            log.warning("channel %s disabled: apprise does not understand its URL", channel.id)
            return
        self.apprise = app
        self.thread = threading.Thread(target=self._run, name=f"notify-{channel.id}", daemon=True)
        self.thread.start()

    @property
    def enabled(self) -> bool:
        return self.apprise is not None

    def _run(self) -> None:
        while (msg := self.queue.get()) is not None:
            self._deliver(msg)

    def _deliver(self, msg: Message) -> None:
        assert self.apprise is not None
        for attempt in range(self.retries + 1):
            if self.apprise.notify(body=msg.body, title=msg.title):
                self.sent += 1
                return
            log.warning("channel %s: delivery failed (attempt %d of %d)",
                        self.channel.id, attempt + 1, self.retries + 1)
            threading.Event().wait(self.backoff * (2**attempt))
        self.failed += 1
        log.error("channel %s: gave up on %r", self.channel.id, msg.title)

    def close(self) -> None:
        if self.enabled:
            self.queue.put(None)
            self.thread.join(5)


class Notifier:
    def __init__(self, channels: list[Channel]) -> None:
        self.workers = {c.id: ChannelWorker(c) for c in channels}

    def send(self, msg: Message) -> None:
        worker = self.workers.get(msg.channel)
        if worker and worker.enabled:
            worker.queue.put(msg)

    def lang_of(self, channel: str, default: str) -> str:
        worker = self.workers.get(channel)
        return (worker.channel.lang if worker else None) or default

    def close(self) -> None:
        for w in self.workers.values():
            w.close()
