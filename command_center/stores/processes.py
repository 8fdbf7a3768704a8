"""What each app process says of itself (open sessions, page rerun times), so that the worker's
`/metrics` and the admin page can show every replica's figures from the one store."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from command_center.base.models import AppProcess
from command_center.services.reruns import Snapshot

FORGET_AFTER = timedelta(days=1)  # a stopped process's row is deleted after this


def report(engine: Engine, process: str, sessions: int, reruns: Snapshot, now: datetime) -> None:
    """Write `process`'s figures (one row, replaced); rows of processes gone a day are deleted."""
    with Session(engine) as session, session.begin():
        session.merge(
            AppProcess(
                process=process,
                seen_at=now,
                sessions=sessions,
                rerun_buckets=reruns.buckets,
                rerun_sum_s=reruns.sum_s,
            )
        )
        session.execute(delete(AppProcess).where(AppProcess.seen_at < now - FORGET_AFTER))


def recent(engine: Engine, since: datetime) -> list[AppProcess]:
    """The processes heard from since `since`, by name."""
    with Session(engine) as session:
        query = select(AppProcess).where(AppProcess.seen_at >= since).order_by(AppProcess.process)
        return list(session.scalars(query))
