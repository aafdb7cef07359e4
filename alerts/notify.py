"""Notify stage: deliver messages through apprise, one worker thread per channel, with
retries and backoff, so that a channel that is down (SMTP refusing, webhook answering 500)
delays nobody else. A message given up on is reported to the `on_failure` callback (the
engine tells the other channels) and in the channel's status."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import apprise

from cangjing.config.envref import MissingEnvironment, resolve
from cangjing.config.notifications import Channel, Retry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    channel: str
    title: str
    body: str
    fallback: tuple[str, ...] = ()  # channels to tell if this one cannot deliver
    created: float = field(default_factory=time.monotonic)


@dataclass
class ChannelStatus:
    enabled: bool = False
    reason: str = ""  # why disabled
    sent: int = 0
    failed: int = 0  # messages given up on
    attempts_failed: int = 0  # failed attempts (retries included)
    down: bool = False  # the last message could not be delivered
    last_error: str = ""


FailureHandler = Callable[["ChannelWorker", Message, str], None]


class ChannelWorker:
    def __init__(self, channel: Channel, retry: Retry, on_failure: FailureHandler | None) -> None:
        self.channel = channel
        self.retry = retry
        self.on_failure = on_failure
        self.queue: queue.Queue[Message | None] = queue.Queue()
        self.status = ChannelStatus()
        self.latencies: list[float] = []  # seconds from enqueue to delivered (benchmarks)
        self._stop = threading.Event()
        self.apprise: apprise.Apprise | None = None
        try:
            url = resolve(channel.url)
        except MissingEnvironment as exc:
            self.status.reason = str(exc)
            log.warning("channel %s disabled: %s", channel.id, exc)
            return
        app = apprise.Apprise()
        if not app.add(url):
            self.status.reason = "apprise does not understand its URL"
            log.warning("channel %s disabled: apprise does not understand its URL", channel.id)
            return
        if channel.min_interval is not None:
            for plugin in app:  # apprise's per-service politeness delay
                plugin.request_rate_per_sec = channel.min_interval.total_seconds()
        self.apprise = app
        self.status.enabled = True
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
        wait = self.retry.backoff.total_seconds()
        error = ""
        for attempt in range(1, self.retry.attempts + 1):
            try:
                ok = bool(self.apprise.notify(body=msg.body, title=msg.title))
                error = "" if ok else "the service refused or did not answer"
            except Exception as exc:  # a plugin bug must not kill the worker
                ok, error = False, f"{type(exc).__name__}: {exc}"
            if ok:
                self.status.sent += 1
                self.latencies.append(time.monotonic() - msg.created)
                if self.status.down:
                    log.info("channel %s delivers again", self.channel.id)
                self.status.down = False
                return
            self.status.attempts_failed += 1
            self.status.last_error = error
            log.warning("channel %s: delivery failed (attempt %d of %d): %s",
                        self.channel.id, attempt, self.retry.attempts, error)
            if attempt < self.retry.attempts and self._stop.wait(wait):
                break  # stopping: the alert stays in the state and is sent on restart
            wait = min(wait * 2, self.retry.backoff_max.total_seconds())
        self.status.failed += 1
        was_down, self.status.down = self.status.down, True
        log.error("channel %s: gave up on %r", self.channel.id, msg.title)
        if self.on_failure and not was_down:  # report an outage once, not per message
            self.on_failure(self, msg, error)

    def close(self, timeout: float = 5.0) -> None:
        if self.enabled:
            self._stop.set()
            self.queue.put(None)
            self.thread.join(timeout)


class Notifier:
    def __init__(self, channels: list[Channel], retry: Retry,
                 on_failure: FailureHandler | None = None) -> None:
        self.workers = {c.id: ChannelWorker(c, retry, on_failure) for c in channels}

    def send(self, msg: Message) -> bool:
        worker = self.workers.get(msg.channel)
        if worker is None or not worker.enabled:
            return False
        worker.queue.put(msg)
        return True

    def healthy(self, channel: str) -> bool:
        w = self.workers.get(channel)
        return bool(w and w.enabled and not w.status.down)

    def lang_of(self, channel: str, default: str) -> str:
        worker = self.workers.get(channel)
        return (worker.channel.lang if worker else None) or default

    def status(self) -> dict[str, dict]:
        return {cid: dict(vars(w.status)) for cid, w in self.workers.items()}

    def close(self) -> None:
        for w in self.workers.values():
            w.close()
