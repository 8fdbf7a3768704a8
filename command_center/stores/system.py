"""How the system is doing, read from the store: feed freshness, the alerts outbox, every app
process's sessions and rerun times, the newest backup and the audit chain. The worker's
`/metrics` (`workers/metrics.py`) and the admin's Sistem tab show these same figures."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from command_center.base.models import AppProcess
from command_center.services.health import health_report
from command_center.stores import alerts as alert_store
from command_center.stores import backups
from command_center.stores import common as store
from command_center.stores import hazards as hazard_store
from command_center.stores import processes as process_store

HEARD_WITHIN = timedelta(minutes=5)  # an app process silent this long is left out (stopped)
WAITING = ("pending", "sending")  # deliveries still to go out


@dataclass(frozen=True)
class Checks:
    """Figures kept outside these tables, each a callable (None: not known here): the time
    of the newest complete backup, and whether the audit log's hash chain verifies."""

    last_backup_at: Callable[[], datetime | None] | None = None
    audit_chain_ok: Callable[[], bool | None] | None = None


NO_CHECKS = Checks()
VERIFY_EVERY_S = 300.0  # the audit chain is read whole: at most this often


def checks(engine: Engine, backup_folder: Path) -> Checks:
    """The real checks: the newest backup in `backup_folder`, and the audit chain verified
    at most every `VERIFY_EVERY_S` (a scrape comes every few seconds; a long log takes a while)."""
    last: dict[str, Any] = {"at": -VERIFY_EVERY_S}

    def chain_ok() -> bool:
        if time.monotonic() - last["at"] >= VERIFY_EVERY_S:
            last.update(at=time.monotonic(), ok=store.verify_audit(engine).intact)
        return last["ok"]

    return Checks(lambda: backups.newest(backup_folder), chain_ok)


@dataclass(frozen=True)
class Figures:
    """The system's figures at `now`; `feeds` are `/health`'s feed entries."""

    now: datetime
    feeds: list[dict[str, Any]]
    deliveries: dict[str, int]
    oldest_waiting: datetime | None
    processes: list[AppProcess] = field(default_factory=list)
    last_backup_at: datetime | None = None
    audit_chain_ok: bool | None = None

    @property
    def backlog(self) -> int:
        """Deliveries still to go out."""
        return sum(self.deliveries.get(status, 0) for status in WAITING)

    @property
    def dead(self) -> int:
        """Deliveries given up after their last attempt (dead letters, for an admin)."""
        return self.deliveries.get("dead", 0)


def _call(hook: Callable[[], Any] | None) -> Any:
    return None if hook is None else hook()


def figures(
    engine: Engine,
    now: datetime,
    stale_after_min: float,
    checks: Checks = NO_CHECKS,
    expected: Iterable[str] = (),
) -> Figures:
    """Read the figures (raises SQLAlchemyError while the store is unreachable); `expected`
    feeds are listed before their first poll."""
    statuses = hazard_store.feed_statuses(engine).to_dict("records")
    return Figures(
        now=now,
        feeds=health_report(statuses, now, stale_after_min, False, expected)["feeds"],
        deliveries=alert_store.status_counts(engine),
        oldest_waiting=alert_store.oldest_waiting(engine),
        processes=process_store.recent(engine, now - HEARD_WITHIN),
        last_backup_at=_call(checks.last_backup_at),
        audit_chain_ok=_call(checks.audit_chain_ok),
    )
