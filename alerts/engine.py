"""The alert engine as a pipeline of named stages (as Prometheus Alertmanager has them):

    evaluate (rules, health) -> lifecycle (dedupe; pending/firing/acknowledged/resolved)
    -> record (state in SQLite; MQTT event and InfluxDB `alert` point via the recorder)
    -> dispatch (suppress, group per zone, route, notify, repeat, escalate)

Readings come from one thread (MQTT); time-driven parts (`tick`, `check_calibration`,
`digest`) from the scheduler; ack and silence from the HTTP API. One lock orders them.
Every method takes `now` (epoch seconds) so that tests can drive time; by default the
injected `clock`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from cangjing.config import Facility
from cangjing.reading import Reading

from .dispatch import Dispatcher
from .events import Alert, Observation, State
from .health import Health
from .lifecycle import Lifecycle
from .messages import channel_failure, digest, where
from .notify import ChannelWorker, Message, Notifier
from .rules import Context, Rule, all_rules
from .signing import Signer
from .silences import Silence
from .store import Store

log = logging.getLogger(__name__)

Recorder = Callable[[Alert], None]

# quantities a derived observation depends on (a doubtful one of them taints it)
DEPENDS = {"condensation": ("temperature", "humidity"), "mold_index": ("temperature", "humidity"),
           "uv": ("uv", "illuminance")}  # UV is judged only while lit


class AlertEngine:
    def __init__(self, facility: Facility, notifier: Notifier, store: Store,
                 recorder: Recorder | None = None, *, clock: Callable[[], float] = time.time,
                 signer: Signer | None = None, public_url: str | None = None) -> None:
        self.facility = facility
        self.notifier = notifier
        self.store = store
        self.recorder = recorder or (lambda alert: None)
        self.clock = clock
        self.lock = threading.RLock()
        self.lifecycle = Lifecycle(facility.site.id, facility.alerts.live_lag)
        self.lifecycle.restore(store.active())
        self.rules: list[Rule] = all_rules()
        self.contexts = {
            z.id: Context(z, z.effective_limits(), facility.alerts, facility.site.tz)
            for z in facility.zones
        }
        self.health = Health(facility, clock())
        for alert in self.lifecycle.active():  # a silent sensor stays silent across restarts
            if alert.rule == "stale" and alert.extra.get("last_seen") is not None:
                self.health.last_seen[alert.sensor] = float(alert.extra["last_seen"])
        self.dispatcher = Dispatcher(facility, self.lifecycle, notifier, store, signer,
                                     public_url)
        self.dispatcher.health = self.health
        self.readings = 0
        self.ticks = 0
        self._timer: threading.Timer | None = None
        self._timer_at = 0.0
        self.ignored = 0  # readings of another site or an unknown zone

    # --- input ---

    def observe(self, reading: Reading) -> list[Observation] | None:
        """Run the rules on a reading (updates their windows); None if not ours."""
        ctx = self.contexts.get(reading.zone)
        if ctx is None or reading.site != self.facility.site.id:
            self.ignored += 1
            return None
        flags = self.facility.alerts.fault.flags
        doubtful = {q.value for q, f in (reading.quality or {}).items() if f in flags}
        values = {q.value: v for q, v in reading.values.items()}
        clean = {q: v for q, v in values.items() if q not in doubtful}
        out: list[Observation] = []
        for rule in self.rules:
            if not doubtful or not getattr(rule, "instant", False):
                out += rule.observe(reading, clean, ctx)  # windows never take doubtful values
                continue
            # a doubtful value never raises a breach, but one back inside the limits may
            # clear it (the fault rule tells staff the sensor is in doubt)
            out += [o for o in rule.observe(reading, values, ctx)
                    if not (o.breached and doubtful & set(DEPENDS.get(o.quantity, (o.quantity,))))]
        return out

    def on_reading(self, reading: Reading, now: float | None = None) -> list[Alert]:
        now = self.clock() if now is None else now
        observations = self.observe(reading)
        if observations is None:
            return []
        self.readings += 1
        with self.lock:
            before = self.health.last_seen.get(reading.sensor, now)
            fresh = self.health.seen(reading.sensor, reading.epoch, now)
            if fresh and ("stale", reading.zone, reading.sensor) in self.lifecycle.tracks:
                observations.append(self.health.back(reading.sensor, reading.epoch - before,
                                                     now))
            return self._apply(observations, now)

    def on_gateway(self, gateway: str, offline: bool, now: float | None = None) -> list[Alert]:
        now = self.clock() if now is None else now
        with self.lock:
            known = ("gateway_offline", "gateway", gateway) in self.lifecycle.tracks
            if not offline and not known:
                self.health.gateway(gateway, False, now)
                return []
            log.info("gateway %s is %s", gateway, "offline" if offline else "online")
            return self._apply([self.health.gateway(gateway, offline, now)], now)

    def _apply(self, observations: list[Observation], now: float) -> list[Alert]:
        at = datetime.fromtimestamp(now, UTC)
        changed = []
        for obs in observations:
            alert = self.lifecycle.step(obs, at)
            if alert is not None:
                changed.append(alert)
                # send first, then persist: a page must not wait for a disk under load (a
                # crash in between pages once more after restart, never once less)
                self.dispatcher.on_transition(alert, now)
                self._record(alert, now)
        if changed:
            self._arm_flush(now)
        return changed

    def _arm_flush(self, now: float) -> None:
        """Flush groups at their deadline, not at the next tick (called under the lock)."""
        due = self.dispatcher.next_deadline()
        if due is None or (self._timer is not None and self._timer_at <= due):
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = due
        self._timer = threading.Timer(max(0.0, due - now), self._flush_timer)
        self._timer.daemon = True
        self._timer.start()

    def _flush_timer(self) -> None:
        with self.lock:
            self._timer = None
            now = self.clock()
            self.dispatcher.flush_due(now)
            self._arm_flush(now)

    def close(self) -> None:
        with self.lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _record(self, alert: Alert, now: float) -> None:
        log.info("alert %s %s%s %s/%s %s=%s (limit %s)", alert.id, alert.state.value,
                 " (past)" if alert.past else "", alert.zone, alert.sensor, alert.rule,
                 alert.value, alert.limit)
        self.store.save(alert, now)
        try:
            self.recorder(alert.copy())
        except Exception:  # recording must never stop the notifications
            log.exception("recording alert %s failed", alert.id)

    # --- time-driven ---

    def tick(self, now: float | None = None) -> None:
        """Stale sensors, gateway holds, held-back sends, repeats, escalations."""
        now = self.clock() if now is None else now
        with self.lock:
            self._apply(self.health.stale(now) + self.health.gateways_offline(now), now)
            self.dispatcher.tick(now)
            self._arm_flush(now)
            self.ticks += 1

    def check_calibration(self, now: float | None = None) -> None:
        now = self.clock() if now is None else now
        with self.lock:
            self._apply(self.health.calibration(now), now)
            self.store.prune(now - self.facility.alerts.history.total_seconds())

    def send_digest(self, now: float | None = None) -> None:
        now = self.clock() if now is None else now
        channels = self.facility.notifications.digest.channels
        with self.lock:
            active = self.lifecycle.active()
            recent = self.store.recent(now - 86400)
        for ch in channels:
            lang = self.notifier.lang_of(ch, self.facility.notifications.lang)
            places = {a.zone: where(a, self.dispatcher.places[lang], lang)
                      for a in active + recent}
            site = self.facility.site
            name = site.name_en if lang == "en" and site.name_en else site.name
            title, body = digest(name, active, recent, places, site.tz, lang)
            self.notifier.send(Message(ch, title, body))

    # --- people ---

    def acknowledge(self, alert_id: str, by: str, now: float | None = None) -> Alert | None:
        now = self.clock() if now is None else now
        with self.lock:
            alert = self.lifecycle.acknowledge(alert_id, by, now)
            if alert is not None:
                self._record(alert, now)
            return alert

    def silence(self, zone: str, seconds: float, reason: str, by: str = "",
                sensor: str | None = None, now: float | None = None) -> Silence:
        now = self.clock() if now is None else now
        if zone != "*" and zone not in self.contexts and zone != "gateway":
            raise ValueError(f"no zone {zone!r} (zones: {', '.join(self.contexts)})")
        if seconds <= 0:
            raise ValueError("a silence needs a positive duration")
        s = Silence.new(zone, now, seconds, reason, by, sensor)
        with self.lock:
            self.store.add_silence(s)
            self.dispatcher.silences.append(s)
        log.info("silence %s on %s for %.0fs: %s", s.id, zone, seconds, reason)
        return s

    def expire_silence(self, silence_id: str, now: float | None = None) -> bool:
        now = self.clock() if now is None else now
        with self.lock:
            for s in self.dispatcher.silences:
                if s.id == silence_id and s.ends > now:
                    s.ends = now
                    self.store.add_silence(s)
                    return True
        return False

    def alerts(self) -> list[Alert]:
        with self.lock:
            return [a.copy() for a in self.lifecycle.active()]

    def silences(self, now: float | None = None) -> list[Silence]:
        now = self.clock() if now is None else now
        with self.lock:
            return [s for s in self.dispatcher.silences if s.ends > now]

    def channel_failed(self, worker: ChannelWorker, msg: Message, error: str) -> None:
        """A channel gave up on a message: tell the other channels that got the same alert."""
        attempts = worker.retry.attempts
        with self.lock:
            self.dispatcher.notice(msg.fallback, lambda lang: channel_failure(
                worker.channel.id, msg.title, attempts, error, lang))

    def state_counts(self) -> dict[str, int]:
        with self.lock:
            out: dict[str, int] = {s.value: 0 for s in State}
            for a in self.lifecycle.active():
                out[a.state.value] += 1
            return out
