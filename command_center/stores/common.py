"""Reads and writes on the store. Takes an Engine, binds every parameter, returns our records.

Frames returned here use our column names (see `base/models.py`), never a vendor's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, event, func, insert, or_, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from command_center.base.auth import Principal, require_in
from command_center.base.errors import StaleRecord
from command_center.base.models import (
    Area,
    AuditEntry,
    HazardEvent,
    Incident,
    IncidentArea,
    IncidentPhase,
    IncidentStatus,
)
from command_center.base.times import utcnow
from command_center.services import audit_chain
from command_center.services.incidents import PhaseRecord, Region
from command_center.stores import outbox


@dataclass(frozen=True)
class IncidentRecord:
    id: int
    key: str
    name: str
    kind: str
    status: str
    kabupaten_code: str | None
    started_at: datetime
    is_exercise: bool
    kecamatan_codes: tuple[str, ...]
    lat: float | None
    lon: float | None
    magnitude: float | None
    depth_km: float | None = None
    closed_at: datetime | None = None


def record_audit(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one audit entry in the caller's transaction; it takes its place in the hash
    chain (`services.audit_chain`) when the transaction commits."""
    entry = AuditEntry(
        at=utcnow(),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=audit_chain.as_stored(before),
        after=audit_chain.as_stored(after),
    )
    session.add(entry)
    session.info.setdefault(UNCHAINED, []).append(entry)


UNCHAINED = "cc_unchained_audit"
# what an entry says (and its chain hash covers): when, who, what, on which record, before, after
AUDIT_CONTENT = (
    AuditEntry.at,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.entity,
    AuditEntry.entity_id,
    AuditEntry.before,
    AuditEntry.after,
)
CHAIN_LOCK = 0x43430A0D  # the advisory lock that queues PostgreSQL writers at the chain's end


def _lock_chain_end(session: Session) -> tuple[int, str]:
    """Hold the chain's end until the transaction ends and read it: (position, hash).

    The lock is taken at commit, after every other write of the transaction, so it is held
    for a moment and waits on nothing. On SQLite the flush before it took the write lock."""
    if session.connection().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    head = session.execute(
        select(AuditEntry.chain_seq, AuditEntry.chain_hash)
        .where(AuditEntry.chain_seq.is_not(None))
        .order_by(AuditEntry.chain_seq.desc())
        .limit(1)
    ).first()
    return (head.chain_seq, head.chain_hash) if head else (0, audit_chain.GENESIS)


def _chain(entries: Iterable[AuditEntry], seq: int, previous: str) -> None:
    for entry in entries:
        seq += 1
        entry.chain_seq, entry.chain_hash = seq, audit_chain.hash_of(entry, previous, seq)
        previous = entry.chain_hash


def _chain_at_commit(session: Session) -> None:
    entries = session.info.pop(UNCHAINED, None)
    if entries:
        session.flush()  # the transaction's own writes first, then the chain's end
        _chain(entries, *_lock_chain_end(session))
        session.flush()


def _forget_unchained(session: Session, *_: Any) -> None:
    session.info.pop(UNCHAINED, None)


# first among the commit hooks, so that the data versions count the chain's writes too
event.listen(Session, "before_commit", _chain_at_commit, insert=True)
event.listen(Session, "after_rollback", _forget_unchained)


def rechain_audit(session: Session, entries: list[AuditEntry]) -> int | None:
    """Chain again, from the first of `entries` to the end, after a key rotation resealed
    their personal values; returns the position it started from (for the rotation's own
    audit entry), None when there was nothing to chain again."""
    places = [entry.chain_seq for entry in entries if entry.chain_seq is not None]
    if not places:
        return None
    session.flush()
    _lock_chain_end(session)
    start = min(places)
    following = session.scalars(
        select(AuditEntry).where(AuditEntry.chain_seq >= start).order_by(AuditEntry.chain_seq)
    ).all()
    before = session.scalar(select(AuditEntry.chain_hash).where(AuditEntry.chain_seq == start - 1))
    _chain(following, start - 1, before or audit_chain.GENESIS)
    session.flush()
    return start


def audit_hash_at(engine: Engine, seq: int) -> str | None:
    """The chain's hash at position `seq` (None: no entry there)."""
    with engine.connect() as conn:
        return conn.scalar(select(AuditEntry.chain_hash).where(AuditEntry.chain_seq == seq))


def verify_audit(engine: Engine) -> audit_chain.ChainState:
    """The audit chain checked from its first entry (`audit_chain.verify`)."""
    query = select(
        AuditEntry.id, AuditEntry.chain_seq, AuditEntry.chain_hash, *AUDIT_CONTENT
    ).order_by(AuditEntry.chain_seq.is_(None), AuditEntry.chain_seq, AuditEntry.id)
    with engine.connect() as conn:
        rows = conn.execution_options(yield_per=2000).execute(query)
        return audit_chain.verify(audit_chain.ChainEntry(*row) for row in rows)


def recent_actions(
    session: Session, actor: str, minutes: float, actions: Collection[str] | None = None
) -> int:
    """How many audit entries `actor` made in the last `minutes` (of `actions` only, when
    given): every write is audited, so this counts writes, and the audited attempts."""
    query = (
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.at >= utcnow() - timedelta(minutes=minutes), AuditEntry.actor == actor)
    )
    if actions is not None:
        query = query.where(AuditEntry.action.in_(actions))
    return session.scalar(query) or 0


def last_change(engine: Engine) -> int:
    """The newest audit entry's id: every write is audited, so it moves on any change."""
    with engine.connect() as conn:
        return conn.scalar(select(func.max(AuditEntry.id))) or 0


def sync_areas(engine: Engine, rows: list[dict[str, Any]]) -> int:
    """Insert areas the store lacks and refresh names and centres; returns rows inserted.

    `rows` come parents first (as `Geography.area_rows` gives them), so one bulk insert in that
    order satisfies the parent key."""
    with Session(engine) as session, session.begin():  # a session: the data version moves
        query = select(Area.code, Area.name, Area.lat, Area.lon)
        stored = {code: tuple(rest) for code, *rest in session.execute(query)}
        new = [row for row in rows if row["code"] not in stored]
        changed = [
            {key: row[key] for key in ("code", "name", "lat", "lon")}
            for row in rows
            if stored.get(row["code"], (row["name"], row["lat"], row["lon"]))
            != (row["name"], row["lat"], row["lon"])
        ]
        if new:
            session.execute(insert(Area), new)
        if changed:
            session.execute(update(Area), changed)  # ORM bulk update by primary key
        return len(new)


def area_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Area)) or 0


def incidents(engine: Engine, include_closed: bool = False) -> list[IncidentRecord]:
    """Incidents, newest first, with their affected kecamatan and triggering event."""
    query = (
        select(Incident, HazardEvent)
        .outerjoin(HazardEvent, Incident.hazard_event_id == HazardEvent.id)
        .order_by(Incident.started_at.desc())
    )
    if not include_closed:
        query = query.where(Incident.status.not_in([IncidentStatus.CLOSED, IncidentStatus.MERGED]))
    with Session(engine) as session:
        areas = session.execute(select(IncidentArea.incident_id, IncidentArea.kecamatan_code))
        by_incident: dict[int, list[str]] = {}
        for incident_id, code in areas:
            by_incident.setdefault(incident_id, []).append(code)
        return [
            IncidentRecord(
                id=i.id,
                key=i.key,
                name=i.name,
                kind=i.kind,
                status=str(i.status),
                kabupaten_code=i.kabupaten_code,
                started_at=i.started_at,
                is_exercise=i.is_exercise,
                kecamatan_codes=tuple(sorted(by_incident.get(i.id, []))),
                lat=e.lat if e else None,
                lon=e.lon if e else None,
                magnitude=e.magnitude if e else None,
                depth_km=e.depth_km if e else None,
                closed_at=i.closed_at,
            )
            for i, e in session.execute(query)
        ]


def frame(engine: Engine, query: Any) -> pd.DataFrame:
    """The rows of `query` as a frame (rows made plain tuples first: pandas reads those about
    twice as fast as SQLAlchemy's Row objects)."""
    with engine.connect() as conn:
        result = conn.execute(query)
        return pd.DataFrame([tuple(row) for row in result], columns=list(result.keys()))


def set_incident_status(
    engine: Engine, incident_id: int, version: int, status: IncidentStatus, actor: Principal
) -> None:
    """Confirm (open) or dismiss (close) an incident, if nobody changed it since `version`.

    Raises:
        StaleRecord: the incident changed since it was read.
    """
    with Session(engine) as session, session.begin():
        incident = session.get(Incident, incident_id)
        if incident is None or incident.version != version:
            raise StaleRecord(f"incident {incident_id} changed since version {version}")
        require_in(actor, "incident", incident.kabupaten_code)
        before = {"status": str(incident.status)}
        incident.status = status
        try:
            session.flush()
        except StaleDataError as exc:
            raise StaleRecord(f"incident {incident_id} changed while saving") from exc
        record_audit(
            session, actor.name, "status", "incident", incident_id, before, {"status": str(status)}
        )
        if before["status"] == "proposed" and status == IncidentStatus.OPEN:
            outbox.incident_alert(
                session, incident, "incident_opened", f"dikonfirmasi oleh {actor.name}"
            )


def incident_for_event(engine: Engine, event_id: int) -> Incident | None:
    """The incident raised from a hazard event, if any (detached, read-only)."""
    with Session(engine, expire_on_commit=False) as session:
        return session.scalar(select(Incident).where(Incident.hazard_event_id == event_id))


def incident_kecamatan(engine: Engine, incident_id: int) -> tuple[str, ...]:
    """The kecamatan codes of an incident's affected area."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(IncidentArea.kecamatan_code)
            .where(IncidentArea.incident_id == incident_id)
            .order_by(IncidentArea.kecamatan_code)
        )
        return tuple(r[0] for r in rows)


def audit_entries(engine: Engine, limit: int = 20) -> pd.DataFrame:
    """The newest audit entries (when, who, what, on which record, before, after)."""
    query = select(*AUDIT_CONTENT)
    return frame(engine, query.order_by(AuditEntry.id.desc()).limit(limit))


def changes(engine: Engine, kinds: Collection[tuple[str, str]], limit: int) -> pd.DataFrame:
    """The newest audit entries of these (entity, action) kinds only."""
    wanted = or_(*(and_(AuditEntry.entity == e, AuditEntry.action == a) for e, a in kinds))
    query = select(
        AuditEntry.at, AuditEntry.action, AuditEntry.entity, AuditEntry.entity_id, AuditEntry.after
    ).where(wanted)
    return frame(engine, query.order_by(AuditEntry.id.desc()).limit(limit))


def _phase(row: IncidentPhase) -> PhaseRecord:
    return PhaseRecord(
        row.phase,
        row.decree,
        row.authority,
        row.starts_on,
        row.ends_on,
        row.id,
        row.created_by,
        row.confirmed_by,
    )


def phases_in(session: Session, incident_id: int) -> list[PhaseRecord]:
    """The incident's phase decrees, oldest first, in the caller's transaction."""
    rows = session.scalars(
        select(IncidentPhase)
        .where(IncidentPhase.incident_id == incident_id)
        .order_by(IncidentPhase.starts_on, IncidentPhase.id)
    )
    return [_phase(r) for r in rows]


def phases(engine: Engine, incident_id: int) -> list[PhaseRecord]:
    """The incident's phase decrees, oldest first."""
    with Session(engine) as session:
        return phases_in(session, incident_id)


def all_phases(engine: Engine) -> dict[int, list[PhaseRecord]]:
    """Every incident's phase decrees, oldest first (one query for lists and headers)."""
    with Session(engine) as session:
        rows = session.scalars(
            select(IncidentPhase).order_by(IncidentPhase.starts_on, IncidentPhase.id)
        )
        found: dict[int, list[PhaseRecord]] = {}
        for r in rows:
            found.setdefault(r.incident_id, []).append(_phase(r))
        return found


def region(session: Session, area_code: str | None) -> Region:
    """The kabupaten/kota and province `area_code` (a province, kabupaten or kecamatan code)
    lies in, by their names in the `areas` table."""
    kabupaten = area_code[:5] if area_code and area_code.count(".") >= 1 else None
    province = area_code[:2] if area_code else None
    wanted = [code for code in (kabupaten, province) if code]
    names = dict(session.execute(select(Area.code, Area.name).where(Area.code.in_(wanted))).all())
    return Region(names.get(kabupaten), names.get(province))
