"""The worker's Prometheus metrics (`/metrics` on the health port), read from the store at each
scrape: what `system.figures` says, as metric families (names in `docs/monitoring.md`).
An unreachable store answers `cc_store_up 0`, not an error."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, ProcessCollector
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from command_center.base.times import utcnow
from command_center.stores import system
from command_center.stores.alerts import BEST_FIRST as DELIVERY_STATUSES


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


def _age(since: datetime, now: datetime) -> float:
    return max((now - since).total_seconds(), 0.0)


def _feeds(figures: system.Figures) -> Iterator[Metric]:
    age = GaugeMetricFamily(
        "cc_feed_age_seconds", "Seconds since the feed's last good fetch.", labels=["feed"]
    )
    failing = GaugeMetricFamily(
        "cc_feed_failing", "1 while the feed's latest fetches fail.", labels=["feed"]
    )
    stale = GaugeMetricFamily(
        "cc_feed_stale",
        "1 while the feed is not fresh (stale, failing or never polled; CC_STALE_AFTER_MIN).",
        labels=["feed"],
    )
    for feed in figures.feeds:
        if feed["age_s"] is not None:
            age.add_metric([feed["feed"]], feed["age_s"])
        failing.add_metric([feed["feed"]], int(feed["state"] == "failing"))
        stale.add_metric([feed["feed"]], int(feed["state"] != "ok"))
    yield from (age, failing, stale)


def _outbox(figures: system.Figures) -> Iterator[Metric]:
    deliveries = GaugeMetricFamily(
        "cc_outbox_deliveries", "Alert deliveries in the outbox by status.", labels=["status"]
    )
    for status in dict.fromkeys((*DELIVERY_STATUSES, *figures.deliveries)):
        deliveries.add_metric([status], figures.deliveries.get(status, 0))
    yield deliveries
    yield _gauge("cc_outbox_backlog", "Deliveries still to go out.", figures.backlog)
    yield _gauge("cc_outbox_dead_letters", "Deliveries given up (retry or discard).", figures.dead)
    waiting = figures.oldest_waiting
    yield _gauge(
        "cc_outbox_oldest_waiting_age_seconds",
        "Age of the oldest delivery still to go out (0: none).",
        0 if waiting is None else _age(waiting, figures.now),
    )


def _apps(figures: system.Figures) -> Iterator[Metric]:
    sessions = GaugeMetricFamily(
        "cc_app_open_sessions", "Open browser sessions of each app process.", labels=["process"]
    )
    reruns = HistogramMetricFamily(
        "cc_page_rerun_seconds",
        "Page rerun times of each app process since it started.",
        labels=["process"],
    )
    for app in figures.processes:
        sessions.add_metric([app.process], app.sessions)
        buckets = sorted(app.rerun_buckets.items(), key=lambda item: float(item[0]))
        reruns.add_metric([app.process], buckets, app.rerun_sum_s)
    yield from (sessions, reruns)


def _checks(figures: system.Figures) -> Iterator[Metric]:
    if figures.last_backup_at is not None:
        yield _gauge(
            "cc_backup_last_success_timestamp_seconds",
            "When the newest complete backup was made (Unix time).",
            figures.last_backup_at.timestamp(),
        )
        yield _gauge(
            "cc_backup_age_seconds",
            "Seconds since the newest complete backup.",
            _age(figures.last_backup_at, figures.now),
        )
    if figures.audit_chain_ok is not None:
        yield _gauge(
            "cc_audit_chain_ok",
            "1 when the audit log's hash chain verifies.",
            figures.audit_chain_ok,
        )


class StoreCollector(Collector):
    """Reads the figures from the store at each scrape."""

    def __init__(
        self,
        engine: Engine,
        stale_after_min: float,
        polling: threading.Event,
        expected: Iterable[str] = (),
        checks: system.Checks = system.NO_CHECKS,
    ) -> None:
        self.engine = engine
        self.stale_after_min = stale_after_min
        self.polling = polling
        self.expected = tuple(expected)
        self.checks = checks

    def collect(self) -> Iterator[Metric]:
        yield _gauge(
            "cc_worker_polling",
            "1 while this worker polls the feeds (0: a standby).",
            self.polling.is_set(),
        )
        try:
            figures = system.figures(
                self.engine, utcnow(), self.stale_after_min, self.checks, self.expected
            )
        except SQLAlchemyError:
            yield _gauge("cc_store_up", "1 when the store answered this scrape.", 0)
            return
        yield _gauge("cc_store_up", "1 when the store answered this scrape.", 1)
        for part in (_feeds, _outbox, _apps, _checks):
            yield from part(figures)


def registry(collector: StoreCollector) -> CollectorRegistry:
    """The worker's registry: `collector`'s figures and the process's own (CPU, memory)."""
    metrics = CollectorRegistry()
    metrics.register(collector)
    ProcessCollector(registry=metrics)
    return metrics
