"""Field reporters' links in the store: issue, revoke, list, and the reports that come through
them (`services/reporters.py` holds the rules).

A link's token is shown once; only its SHA-256 is kept. The token is checked again in the
transaction that saves a report, so a revoked or expired link stops at once. A report from a
link is stored unverified, its source the reporter's role, the audit naming the reporter and
the link. A link writes no more often than `ProbeLimits` allow (counted in the audit log), and
never changes a family it did not register: such an entry waits for a data officer.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from command_center.base.auth import Principal, require, require_in
from command_center.base.db import writing
from command_center.base.errors import (
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
)
from command_center.base.geography import Geography
from command_center.base.models import (
    Area,
    ImpactReport,
    Incident,
    IncidentArea,
    IncidentStatus,
    ReporterLink,
)
from command_center.base.pdp import Vault
from command_center.base.settings import ProbeLimits
from command_center.base.times import utcnow
from command_center.services.households import HouseholdInput
from command_center.services.reporters import FieldReporter, NewLink, incidents_for
from command_center.services.reports import ReportInput
from command_center.stores import households as household_store
from command_center.stores import reports as report_store
from command_center.stores.accounts import digest
from command_center.stores.common import frame, recent_actions, record_audit

NOT_OPEN = (IncidentStatus.PROPOSED, IncidentStatus.CLOSED, IncidentStatus.MERGED)
DEFAULT_PROBES = ProbeLimits()


def create_link(
    engine: Engine, actor: Principal, link: NewLink, now: datetime | None = None
) -> tuple[int, str]:
    """A new link: its id and its token (shown once; only the hash is stored).

    Raises:
        Forbidden: a kecamatan outside `actor`'s scope, or not a coordinator or admin.
        InvalidInput: an unknown incident.
    """
    for code in link.kecamatan:
        require_in(actor, "reporters", code)
    token = secrets.token_urlsafe(32)
    now = now or utcnow()
    with writing(engine) as session, session.begin():
        if link.incident_id is not None and session.get(Incident, link.incident_id) is None:
            error = FieldError("incident_id", "unknown_incident", {"value": link.incident_id})
            raise InvalidInput([error])
        row = ReporterLink(
            token_hash=digest(token),
            name=link.name,
            phone=link.phone,
            role=link.role,
            kecamatan=link.kecamatan,
            incident_id=link.incident_id,
            created_by=actor.name,
            created_at=now,
            expires_at=now + timedelta(days=link.days),
        )
        session.add(row)
        session.flush()
        after = link.model_dump(exclude={"days"}) | {"expires_at": row.expires_at.isoformat()}
        record_audit(session, actor.name, "create", "reporter_link", row.id, after=after)
        return row.id, token


def revoke_link(engine: Engine, actor: Principal, link_id: int) -> None:
    """End a link at once (audited).

    Raises:
        NotFound: no such link.
        Forbidden: one of its kecamatan lies outside `actor`'s scope.
    """
    require(actor, "reporters")
    with writing(engine) as session, session.begin():
        row = session.get(ReporterLink, link_id)
        if row is None:
            raise NotFound(f"reporter link {link_id}")
        for code in row.kecamatan:
            require_in(actor, "reporters", code)
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            after = {"name": row.name, "revoked_at": row.revoked_at.isoformat()}
            record_audit(session, actor.name, "revoke", "reporter_link", link_id, after=after)


def links(engine: Engine, actor: Principal) -> list[ReporterLink]:
    """The links of `actor`'s area, newest first (detached, read-only)."""
    require(actor, "reporters")
    with Session(engine, expire_on_commit=False) as session:
        rows = session.scalars(select(ReporterLink).order_by(ReporterLink.id.desc()))
        return [r for r in rows if all(actor.covers(code) for code in r.kecamatan)]


def _holder(session: Session, token: str, now: datetime) -> ReporterLink | None:
    if not token:
        return None
    row = session.scalar(select(ReporterLink).where(ReporterLink.token_hash == digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    return row


def _reporter(row: ReporterLink) -> FieldReporter:
    return FieldReporter(
        row.id, row.name, row.role, tuple(row.kecamatan), row.incident_id, row.expires_at
    )


def reporter_for(engine: Engine, token: str, now: datetime | None = None) -> FieldReporter | None:
    """Who holds `token`, or None when it is unknown, revoked or expired."""
    with Session(engine) as session:
        row = _holder(session, token, now or utcnow())
        return _reporter(row) if row is not None else None


def _open_areas(session: Session) -> dict[int, set[str]]:
    query = (
        select(IncidentArea.incident_id, IncidentArea.kecamatan_code)
        .join(Incident, Incident.id == IncidentArea.incident_id)
        .where(Incident.status.not_in(NOT_OPEN))
    )
    areas: dict[int, set[str]] = {}
    for incident_id, code in session.execute(query):
        areas.setdefault(incident_id, set()).add(code)
    return areas


def reporter_incidents(engine: Engine, reporter: FieldReporter) -> dict[int, str]:
    """The open incidents the reporter may report to: id → name."""
    with Session(engine) as session:
        allowed = incidents_for(reporter, _open_areas(session))
        rows = session.execute(select(Incident.id, Incident.name).where(Incident.id.in_(allowed)))
        return dict(sorted(rows, key=lambda r: -r[0]))


def _who(row: ReporterLink) -> str:
    """The name a link writes under (in the audit log): its holder and its number."""
    return f"{row.name} (lapor #{row.id})"


RESENT_WITHIN = timedelta(hours=6)  # a phone sends again what it typed when the signal returns


def _within_rate(session: Session, row: ReporterLink, limits: ProbeLimits) -> None:
    """Refuse a link that wrote `link_writes` times within the window (every write is
    audited under its name).

    Raises:
        InvalidInput: `link` / `too_many_writes`, with the minutes to wait.
    """
    if recent_actions(session, _who(row), limits.link_window_min) >= limits.link_writes:
        params = {"minutes": limits.link_window_min}
        raise InvalidInput([FieldError("link", "too_many_writes", params)])


def save_field_report(
    engine: Engine,
    token: str,
    values: dict[str, Any],
    geography: Geography | None,
    confirmed: bool = False,
    limits: ProbeLimits = DEFAULT_PROBES,
) -> report_store.Saved:
    """Store a report sent through a link: unverified, with the reporter as its source, for one
    of the link's kecamatan and incidents only (the same checks as the form), and no more
    often than `limits` allow. The same report sent again within `RESENT_WITHIN` (every value
    but its time alike) is stored once: its first version is returned.

    Raises:
        Forbidden: the link is unknown, revoked or expired, or does not cover the kecamatan or
            the incident; nothing is stored.
        InvalidInput / NeedsConfirmation: as for any report, or the link wrote too often.
    """
    now = utcnow()
    with writing(engine) as session, session.begin():
        row = _holder(session, token, now)
        if row is None:
            raise Forbidden("lapor", "reporter_link")
        _within_rate(session, row, limits)
        reporter = _reporter(row)
        fields = {**values, "reporter": reporter.name, "source": reporter.role}
        report = ReportInput.check({**fields, "area_level": "kecamatan"}, geography, now)
        allowed = incidents_for(reporter, _open_areas(session))
        if report.kecamatan_code not in reporter.kecamatan or report.incident_id not in allowed:
            raise Forbidden(_who(row), "reporter_link", "?")
        again = report_store.repeated(session, report, row.id, now - RESENT_WITHIN)
        if again is not None:  # the receipt was lost on the way: stored once, answered again
            return again
        actor = Principal(_who(row), "viewer")
        saved = report_store.write_version(session, report, actor, confirmed, link_id=row.id)
        row.last_used_at = now
        return saved


def save_field_household(
    engine: Engine,
    vault: Vault,
    token: str,
    incident_id: int,
    entry: HouseholdInput,
    limits: ProbeLimits = DEFAULT_PROBES,
) -> household_store.Saved:
    """Register a family sent through a link, in one of the link's kecamatan and incidents
    only. A family the link registered before (same KK) takes the newer entry, unless it
    changes what is paid; an entry for a family someone else registered, or one that hits
    another family's NIK, never changes it: it waits for a data officer's review.

    Raises:
        Forbidden: the link is unknown, revoked or expired, or does not cover the kecamatan or
            the incident; nothing is stored.
        InvalidInput: as for the form, or the link wrote or hit other families too often.
    """
    with Session(engine) as session:
        row = _holder(session, token, utcnow())
        if row is None:
            raise Forbidden("lapor", "reporter_link")
        _within_rate(session, row, limits)
        reporter = _reporter(row)
        allowed = incidents_for(reporter, _open_areas(session))
    who = _who(row)
    if entry.kecamatan_code not in reporter.kecamatan or incident_id not in allowed:
        raise Forbidden(who, "reporter_link", entry.kecamatan_code)
    actor = Principal(who, "operator", entry.kecamatan_code)  # this family's kecamatan only
    return household_store.save_household(
        engine, vault, incident_id, entry, actor, field_entry=True, limits=limits
    )


def own_reports(engine: Engine, reporter: FieldReporter) -> pd.DataFrame:
    """The reports sent through this link, newest first, with the kecamatan's name."""
    query = (
        select(
            ImpactReport.id,
            ImpactReport.incident_id,
            ImpactReport.kecamatan_code,
            Area.name.label("kecamatan"),
            ImpactReport.version,
            ImpactReport.report_time,
            ImpactReport.verification,
            *(getattr(ImpactReport, f) for f in report_store.FIGURES),
            ImpactReport.needs,
            ImpactReport.notes,
        )
        .join(Area, Area.code == ImpactReport.kecamatan_code)
        .where(ImpactReport.reporter_link_id == reporter.link_id)
        .order_by(ImpactReport.report_time.desc(), ImpactReport.id.desc())
    )
    return frame(engine, query)
