"""The conditions the alert sender watches for, each written to the outbox once (by its
`dedupe_key`): a polled feed that stopped succeeding, a deployed team silent for hours, a
report waiting for verification, and a daily item running out where logistics exist."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import Session

from command_center.base.db import writing
from command_center.base.labels import feed_name, number
from command_center.base.models import (
    Deployment,
    FeedStatus,
    ImpactReport,
    Incident,
    IncidentStatus,
    StockMovement,
    Team,
    Warehouse,
)
from command_center.base.times import age_minutes, format_wib, utcnow
from command_center.services import logistics
from command_center.stores import outbox


@dataclass(frozen=True)
class Watch:
    feeds: Collection[str]  # the feeds polled (their staleness counts)
    stale_after_min: float
    deployment_silent_h: float
    report_waiting_h: float
    stock_days: float


def watch(engine: Engine, limits: Watch, now: datetime | None = None) -> int:
    """Write an alert for each condition newly found (each once, by its `dedupe_key`)."""
    now = now or utcnow()
    written = 0
    with writing(engine) as session, session.begin():
        for check in (_stale_feeds, _silent_deployments, _waiting_reports, _low_stock):
            written += check(session, limits, now)
    return written


def _stale_feeds(session: Session, limits: Watch, now: datetime) -> int:
    written = 0
    for row in session.scalars(select(FeedStatus).where(FeedStatus.feed.in_(list(limits.feeds)))):
        last = row.last_ok_at
        if last is not None and age_minutes(last, now) < limits.stale_after_min:
            continue
        if last is None and row.failing_since is None:
            continue
        since = last.isoformat() if last else "never"
        body = f"Terakhir berhasil: {format_wib(last)}" if last else "Belum pernah berhasil"
        if row.last_error:
            body += f"\n{row.last_error[:200]}"
        written += bool(
            outbox.write(
                session,
                "feed_stale",
                f"Sumber data {feed_name(row.feed, 'id')} tidak diperbarui",
                body,
                "/hazards",
                dedupe_key=f"feed_stale:{row.feed}:{since}",
            )
        )
    return written


def _silent_deployments(session: Session, limits: Watch, now: datetime) -> int:
    cutoff = now - timedelta(hours=limits.deployment_silent_h)
    rows = session.execute(
        select(Deployment, Team, Incident)
        .join(Team, Team.id == Deployment.team_id)
        .join(Incident, Incident.id == Deployment.incident_id)
        .where(
            Deployment.ended_at.is_(None),
            Incident.status == IncidentStatus.OPEN,
            Deployment.assigned_at < cutoff,
            Team.updated_at < cutoff,
        )
    ).all()
    written = 0
    for deployment, team, incident in rows:
        hours = age_minutes(max(team.updated_at, deployment.assigned_at), now) / 60
        written += bool(
            outbox.write(
                session,
                "deployment_silent",
                f"Tim {team.name} belum memberi kabar {number(hours, places=0)} jam",
                f"{incident.name} · {outbox.area_words(session, [deployment.kecamatan_code])}"
                f"\nTugas: {deployment.task}",
                f"/deployments?incident={incident.id}",
                [deployment.kecamatan_code],
                incident.kind,
                incident.id,
                f"deployment_silent:{deployment.id}:{team.updated_at.isoformat()}",
            )
        )
    return written


def _waiting_reports(session: Session, limits: Watch, now: datetime) -> int:
    newest = (
        select(
            ImpactReport.incident_id,
            ImpactReport.kecamatan_code,
            ImpactReport.source,
            func.max(ImpactReport.version).label("version"),
        )
        .group_by(ImpactReport.incident_id, ImpactReport.kecamatan_code, ImpactReport.source)
        .subquery()
    )
    rows = session.execute(
        select(ImpactReport, Incident)
        .join(
            newest,
            and_(
                newest.c.incident_id == ImpactReport.incident_id,
                newest.c.kecamatan_code == ImpactReport.kecamatan_code,
                newest.c.source == ImpactReport.source,
                newest.c.version == ImpactReport.version,
            ),
        )
        .join(Incident, Incident.id == ImpactReport.incident_id)
        .where(
            ImpactReport.verification == "unverified",
            ImpactReport.created_at < now - timedelta(hours=limits.report_waiting_h),
            Incident.status == IncidentStatus.OPEN,
        )
    ).all()
    waiting: dict[int, tuple[Incident, list[ImpactReport]]] = {}
    for report, incident in rows:
        waiting.setdefault(incident.id, (incident, []))[1].append(report)
    written = 0
    for incident, reports in waiting.values():
        codes = [r.kecamatan_code for r in reports]
        written += bool(
            outbox.write(
                session,
                "report_waiting",
                f"{number(len(reports))} laporan menunggu verifikasi: {incident.name}",
                f"Lebih dari {number(limits.report_waiting_h)} jam"
                f" · {outbox.area_words(session, codes)}",
                "/reports",
                codes,
                incident.kind,
                incident.id,
                f"report_waiting:{incident.id}:{max(r.id for r in reports)}",
            )
        )
    return written


def _low_stock(session: Session, limits: Watch, now: datetime) -> int:
    """Daily items whose stock in an open incident's kabupaten lasts fewer than the limit's
    days for the displaced people its newest reports count."""
    written = 0
    for incident in session.scalars(select(Incident).where(Incident.status == IncidentStatus.OPEN)):
        codes = [a.kecamatan_code for a in incident.areas]
        people = _displaced(session, incident.id)
        if not people or not codes:
            continue
        kabupaten = sorted({c[:5] for c in codes})
        held = dict(
            session.execute(
                select(StockMovement.item, func.sum(StockMovement.quantity))
                .join(Warehouse, Warehouse.id == StockMovement.warehouse_id)
                .where(Warehouse.kabupaten_code.in_(kabupaten))
                .group_by(StockMovement.item)
            ).all()
        )
        if not held:
            continue  # no logistics recorded here
        for line in logistics.cover([], {k: int(v) for k, v in held.items()}, people):
            if line.days is None or line.days >= limits.stock_days:
                continue
            written += bool(
                outbox.write(
                    session,
                    "stock_low",
                    f"Stok {logistics.item_label(line.item).lower()} tinggal "
                    f"{number(line.days, places=1)} hari: {incident.name}",
                    f"{number(line.stock)} {line.unit} untuk {number(people)} pengungsi"
                    f" · {outbox.area_words(session, kabupaten)}",
                    "/logistics",
                    kabupaten,
                    incident.kind,
                    incident.id,
                    f"stock_low:{incident.id}:{line.item}:{now:%Y-%m-%d}",
                )
            )
    return written


def _displaced(session: Session, incident_id: int) -> int:
    """Displaced people by the newest verified report of each kecamatan and source."""
    newest = (
        select(func.max(ImpactReport.id))
        .where(ImpactReport.incident_id == incident_id, ImpactReport.verification == "verified")
        .group_by(ImpactReport.kecamatan_code, ImpactReport.source)
    )
    total = session.scalar(
        select(func.sum(ImpactReport.displaced)).where(ImpactReport.id.in_(newest))
    )
    return int(total or 0)
