"""The alert sender, run by the ingest worker (or alone, `command-center alerts send`): fans the
outbox out, hands deliveries to their channels from a few threads within each channel's rate
limit, retries with backoff (or the receiver's `Retry-After`), escalates unacknowledged
critical alerts, watches for stale feeds, silent teams, waiting reports and low stock, and reads
the Telegram bot's updates (link codes, ACK buttons)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from command_center.base.db import Outage
from command_center.base.settings import Settings
from command_center.base.times import utcnow
from command_center.channels import Channel, SendFailed
from command_center.channels.telegram import ACK_PREFIX, Telegram
from command_center.services import alerts as rules
from command_center.stores import alerts as alert_store
from command_center.stores import sitreps as sitrep_store
from command_center.workers import alert_watch

log = logging.getLogger(__name__)

LEASE_S = 120.0  # a claimed delivery not marked by then is taken again (its sender died)
# A sender that takes over first lets claims stand this long: a sender that only lost its lock
# while the store restarted (it tries again every `Outage.most_s`) marks what it sent.
SETTLE_S = 6.0
BATCH = 500
MARK_EVERY = 50  # deliveries marked per transaction as they finish
THREADS = 16
WATCH_EVERY_S = 60.0
UPDATES_EVERY_S = 3.0
LINKED = "Terhubung: peringatan untuk {user} dikirim ke sini."
UNKNOWN_CODE = "Kode tidak dikenal atau kedaluwarsa. Buat kode baru di halaman Notifikasi."


@dataclass
class Pace:
    """One channel's rate limit and its pause after a 429."""

    per_second: float
    next_slot: float = 0.0
    paused_until: float = 0.0

    def wait(self) -> None:
        now = time.monotonic()
        slot = max(now, self.next_slot, self.paused_until)
        self.next_slot = slot + 1 / self.per_second
        if slot > now:
            time.sleep(slot - now)


class Sender:
    """Delivers the outbox on `channels`; one per store (it runs under the worker lock)."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        channels: dict[str, Channel],
        watch: alert_watch.Watch | None = None,
        threads: int = THREADS,
    ) -> None:
        self.engine, self.settings, self.channels, self.watch_limits = (
            engine,
            settings,
            channels,
            watch,
        )
        rates = settings.alert_rates
        self.paces = {name: Pace(rates.get(name, c.per_second)) for name, c in channels.items()}
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="alert-send")
        self.base = settings.public_url.rstrip("/")
        self._watched = self._updated = 0.0
        # what the channels said and the store has not recorded yet (it may be away)
        self._sent: list[int] = []
        self._failed: list[alert_store.Failure] = []

    def attachment(self, job: alert_store.Job) -> rules.Attachment | None:
        """The issued sitrep's file in the format the user chose, for a channel that carries
        files (none for text, or a sitrep without files)."""
        if job.sitrep_id is None or job.sitrep_format not in rules.MIME_TYPES:
            return None
        if not self.channels[job.channel].carries_files:
            return None
        files = sitrep_store.files_of(self.engine, job.sitrep_id)
        if files is None:
            return None
        kind = job.sitrep_format
        return rules.sitrep_attachment(files.number, kind, getattr(files, kind))

    def download_link(self, job: alert_store.Job) -> str | None:
        """The issued sitrep's signed download link in the format the user chose, for a
        channel that carries no files (when `CC_SITREP_LINK_URL` and `CC_WEBHOOK_SECRET` are
        set)."""
        base, secret = self.settings.sitrep_link_url, self.settings.webhook_secret
        if job.sitrep_id is None or job.sitrep_format not in rules.MIME_TYPES:
            return None
        if not base or secret is None or self.channels[job.channel].carries_files:
            return None
        secret_text = secret.get_secret_value()
        return rules.sitrep_link(base, secret_text, job.sitrep_id, job.sitrep_format, utcnow())

    def message(self, job: alert_store.Job) -> rules.Message:
        ack = f"{self.base}/notifications?ack={job.ack_token}" if job.ack_token else None
        return rules.Message(
            job.key,
            job.rule,
            job.severity,
            job.title,
            job.body,
            f"{self.base}{job.link}",
            job.ack_token,
            ack,
            job.alert_created_at,
            self.attachment(job),
            self.download_link(job),
        )

    def _send(self, job: alert_store.Job) -> alert_store.Failure | None:
        try:
            self.channels[job.channel].send(self.message(job), job.address)
            return None
        except SendFailed as exc:
            failed = exc
        except Exception as exc:  # a channel bug must not kill the sender: the delivery waits
            failed = SendFailed(f"{type(exc).__name__}: {exc}")
        last = job.attempts >= self.settings.alert_max_attempts
        if not failed.retry or last:
            return alert_store.Failure(job.id, str(failed), None)
        wait = failed.after_s
        if wait is not None:  # the receiver said how long: the whole channel waits
            pace = self.paces[job.channel]
            pace.paused_until = max(pace.paused_until, time.monotonic() + wait)
        else:
            wait = rules.backoff_s(job.attempts, self.settings.alert_backoff_s)
        return alert_store.Failure(job.id, str(failed), utcnow() + timedelta(seconds=wait))

    def deliver(self, now: datetime | None = None) -> int:
        """Claim one batch of due deliveries and hand them over, marking them as they finish
        (every `MARK_EVERY`), so a crash repeats only the few handed over but not yet marked;
        returns how many were claimed. Marks the store cannot take now are kept for the next
        pass (`flush`): the deliveries they record are neither lost nor sent again."""
        moment = time.monotonic()
        ready = [name for name, pace in self.paces.items() if pace.paused_until <= moment]
        if not ready:
            return 0
        jobs = alert_store.claim(self.engine, BATCH, LEASE_S, ready, now)
        futures = {}
        for job in jobs:
            self.paces[job.channel].wait()
            futures[self.pool.submit(self._send, job)] = job
        for done in as_completed(futures):
            failure = done.result()
            if failure is None:
                self._sent.append(futures[done].id)
            else:
                self._failed.append(failure)
            if len(self._sent) + len(self._failed) >= MARK_EVERY:
                try:
                    self.flush()
                except OperationalError:  # the rest are still handed over; marked later
                    pass
        self.flush()
        return len(jobs)

    def flush(self) -> None:
        """Record what the channels said that is not recorded yet."""
        if self._sent or self._failed:
            alert_store.mark(self.engine, self._sent, self._failed)
            self._sent, self._failed = [], []

    def telegram_updates(self) -> int:
        """Link chats that sent a code, acknowledge alerts whose button was pressed."""
        bot = self.channels.get("telegram")
        if not isinstance(bot, Telegram):
            return 0
        offset = int(alert_store.sender_value(self.engine, alert_store.TELEGRAM_OFFSET) or 0)
        updates = bot.updates(offset)
        for update in updates:
            if update.callback_id and update.data.startswith(ACK_PREFIX):
                acked = alert_store.acknowledge(self.engine, update.data.removeprefix(ACK_PREFIX))
                words = f"Diterima oleh {acked.by}" if acked else "Peringatan tidak dikenal"
                bot.answer(update.callback_id, words)
            elif update.chat_id and update.text:
                user = alert_store.link_telegram(self.engine, update.text, update.chat_id)
                bot.say(update.chat_id, LINKED.format(user=user) if user else UNKNOWN_CODE)
        if updates:
            last = max(u.update_id for u in updates) + 1
            alert_store.set_sender_value(self.engine, alert_store.TELEGRAM_OFFSET, str(last))
        return len(updates)

    def step(self) -> int:
        """One pass: fan out, escalate, watch (now and then), deliver; returns the work done."""
        self.flush()
        available = tuple(self.channels)
        done = alert_store.fan_out(self.engine, self.settings.alert_rules, available)
        done += alert_store.escalate(self.engine, self.settings.alert_escalate_min, available)
        moment = time.monotonic()
        if self.watch_limits is not None and moment - self._watched >= WATCH_EVERY_S:
            self._watched = moment
            done += alert_watch.watch(self.engine, self.watch_limits)
        if moment - self._updated >= UPDATES_EVERY_S:
            self._updated = moment
            try:
                done += self.telegram_updates()
            except SendFailed as exc:
                log.warning("telegram updates: %s", exc)
        return done + self.deliver()

    def take_over(self, stop: threading.Event) -> None:
        """Put back the deliveries a stopped sender had claimed (this process now holds the
        sender lock), after `SETTLE_S` if there are any, for the reason given there."""
        if alert_store.status_counts(self.engine).get("sending"):
            stop.wait(SETTLE_S)
        released = alert_store.release_claims(self.engine)
        if released:
            log.info("alerts: %s delivery(ies) from a stopped sender go out again", released)

    def run(
        self, stop: threading.Event, tick_s: float = 0.25, mine: Callable[[], bool] = lambda: True
    ) -> None:
        """Work until `stop` is set, or `mine()` says another sender took the lock; idle passes
        wait `tick_s`, and passes while the store is away (or SQLite busy) wait longer, until
        it answers."""
        outage, started = Outage("alerts"), False
        while not stop.is_set():
            try:
                self.flush()  # even when the lock went: these were sent
                if not mine():
                    return
                if not started:
                    self.take_over(stop)
                    started = True
                busy = self.step()
                outage.ended()
            except OperationalError as exc:
                busy = 0
                stop.wait(outage.failed(exc))
            if not busy:
                stop.wait(tick_s)


def watch_limits(settings: Settings, feeds: Collection[str]) -> alert_watch.Watch:
    return alert_watch.Watch(
        tuple(feeds),
        settings.stale_after_min,
        settings.alert_deployment_silent_h,
        settings.alert_report_waiting_h,
        settings.alert_stock_days,
    )


def test_message(settings: Settings, username: str, channel: str) -> rules.Message:
    """`command-center alerts test`: a message that says what it is."""
    return rules.Message(
        f"cc-test-{username}-{channel}-{int(time.time())}",
        "test",
        "info",
        "Pesan uji",
        f"Uji saluran {channel} untuk {username} dari Pusdalops. Tidak perlu tindakan.",
        f"{settings.public_url.rstrip('/')}/notifications",
    )
