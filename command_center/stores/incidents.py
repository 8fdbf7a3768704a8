"""Incidents of every hazard, opened by hand or from a proposal, run through their emergency
phases until they are closed: the store's writes and reads for them.

Who may do what (`base/auth.py`): opening, editing and the area by operators and above within
their scope; phases and closing by coordinators and admins (a siaga or tanggap darurat decree
recorded by a coordinator waits for a second one, or an admin, to confirm it); reopening and
merging by admins.
The scope check uses the incident's area: the kabupaten (or province) that holds all of its
kecamatan, and for area changes every kecamatan added or removed. Everything is audited.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from command_center.base.auth import Principal, permits, require_in
from command_center.base.db import writing
from command_center.base.errors import FieldError, InvalidInput, NotFound, TeamsDeployed
from command_center.base.geography import Geography
from command_center.base.labels import t
from command_center.base.models import (
    Area,
    AuditEntry,
    Deployment,
    HazardEvent,
    ImpactReport,
    Incident,
    IncidentArea,
    IncidentEvent,
    IncidentPhase,
    IncidentStatus,
    KioskToken,
    Team,
)
from command_center.base.times import today_in, utcnow
from command_center.services import sitrep_files
from command_center.services.incidents import (
    HAZARDS,
    RELEASING_PHASES,
    common_area,
    current_phase,
    decree_number,
    heads,
    phase_errors,
    zone_of,
)
from command_center.services.validation import LINE, NOTE, REASON, length_errors
from command_center.stores import common as store
from command_center.stores import outbox
from command_center.stores import sitreps as sitrep_store
from command_center.stores.common import record_audit


@dataclass(frozen=True)
class NewIncident:
    """What an operator gives to open an incident (checked by `open_incident`)."""

    hazard: str
    name: str
    kecamatan: tuple[str, ...]
    started_at: datetime
    description: str = ""
    is_exercise: bool = False
    event_ids: tuple[int, ...] = ()


def _kecamatan(session: Session, codes: Iterable[str], field: str = "kecamatan") -> list[str]:
    """The codes, each checked to be a kecamatan the store knows (a kabupaten code stands for
    all its kecamatan)."""
    wanted = [c.strip() for c in codes if c and c.strip()]
    known = {a.code: a.level for a in session.scalars(select(Area).where(Area.code.in_(wanted)))}
    found, errors = [], []
    for code in wanted:
        level = str(known.get(code, ""))
        if level == "kecamatan":
            found.append(code)
        elif level == "kabupaten":
            children = select(Area.code).where(Area.parent_code == code).order_by(Area.code)
            found += list(session.scalars(children))
        else:
            reason = "not_kecamatan" if level else "unknown_kecamatan"
            errors.append(FieldError(field, reason, {"value": code}))
    if errors:
        raise InvalidInput(errors)
    return list(dict.fromkeys(found))


def _detail_errors(
    name: str | None, started_at: datetime | None, description: str | None
) -> list[FieldError]:
    """A name must be given and fit, so must a description; a start cannot be in the future
    (None: not changed)."""
    errors = []
    if name is not None and not name.strip():
        errors.append(FieldError("name", "missing"))
    errors += length_errors(
        name=(name and name.strip(), LINE), description=(description and description.strip(), NOTE)
    )
    if started_at is not None and started_at > utcnow():
        errors.append(FieldError("started_at", "in_future", {"value": started_at}))
    return errors


def _checked_new(session: Session, entry: NewIncident) -> list[str]:
    errors = []
    if entry.hazard not in HAZARDS:
        accepted = ", ".join(HAZARDS)
        errors.append(
            FieldError("hazard", "bad_hazard", {"value": entry.hazard, "accepted": accepted})
        )
    errors += _detail_errors(entry.name, entry.started_at, entry.description)
    for event_id in entry.event_ids:
        if session.get(HazardEvent, event_id) is None:
            errors.append(FieldError("event_ids", "unknown_event", {"value": event_id}))
    try:
        codes = _kecamatan(session, entry.kecamatan)
    except InvalidInput as exc:
        errors += exc.errors
        codes = []
    if not codes and not any(e.field == "kecamatan" for e in errors):
        errors.append(FieldError("kecamatan", "missing"))
    if errors:
        raise InvalidInput(errors)
    return codes


def open_incident(engine: Engine, entry: NewIncident, actor: Principal) -> str:
    """Open an incident by hand (status open); returns its key.

    Raises:
        InvalidInput: unknown hazard, no name, an over-long name or description, a start in
            the future, an unknown or non-kecamatan code, an unknown event.
        Forbidden: the area is outside `actor`'s scope.
    """
    with writing(engine) as session, session.begin():
        codes = _checked_new(session, entry)
        area = common_area(codes)
        require_in(actor, "incident", area)
        key = f"{entry.hazard}-{entry.started_at:%Y%m%d}-{secrets.token_hex(3)}"
        incident = Incident(
            key=key,
            name=entry.name.strip(),
            kind=entry.hazard,
            status=IncidentStatus.OPEN,
            kabupaten_code=area,
            started_at=entry.started_at,
            is_exercise=entry.is_exercise,
            description=entry.description.strip() or None,
            areas=[IncidentArea(kecamatan_code=code) for code in codes],
        )
        session.add(incident)
        session.flush()
        for event_id in entry.event_ids:
            session.add(IncidentEvent(incident_id=incident.id, hazard_event_id=event_id))
        after = {"key": key, "hazard": entry.hazard, "name": incident.name, "kecamatan": codes}
        record_audit(session, actor.name, "open", "incident", incident.id, None, after)
        outbox.incident_alert(session, incident, "incident_opened", f"oleh {actor.name}")
        return key


def _incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id}")
    return incident


def incident_id(engine: Engine, key: str) -> int:
    """The id of the incident with `key` (or whose id is `key`).

    Raises:
        NotFound: no such incident.
    """
    with Session(engine) as session:
        found = session.scalar(select(Incident.id).where(Incident.key == key))
        if found is None and key.isdigit():
            found = session.scalar(select(Incident.id).where(Incident.id == int(key)))
    if found is None:
        raise NotFound(f"incident {key}")
    return found


def change_area(
    engine: Engine,
    incident_id: int,
    actor: Principal,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
) -> tuple[str, ...]:
    """Add and remove kecamatan (a kabupaten code means all of its kecamatan); returns the new
    area. Reports and deployments in a removed kecamatan stay, shown as outside the area.

    Raises:
        InvalidInput: an unknown code, nothing left in the area, or nothing changed.
        Forbidden: the incident, or a kecamatan added or removed, is outside `actor`'s scope.
    """
    with writing(engine) as session, session.begin():
        incident = _incident(session, incident_id)
        require_in(actor, "incident", incident.kabupaten_code)
        added, removed = _kecamatan(session, add, "add"), _kecamatan(session, remove, "remove")
        for code in (*added, *removed):
            require_in(actor, "incident", code)
        before = sorted(a.kecamatan_code for a in incident.areas)
        after = sorted((set(before) | set(added)) - set(removed))
        if not after:
            raise InvalidInput([FieldError("remove", "empty_area")])
        if after == before:  # nothing to record: no history line that changes nothing
            raise InvalidInput([FieldError("add", "area_unchanged")])
        incident.areas = [a for a in incident.areas if a.kecamatan_code in after] + [
            IncidentArea(kecamatan_code=code) for code in after if code not in before
        ]
        incident.kabupaten_code = common_area(after)
        record_audit(
            session,
            actor.name,
            "area",
            "incident",
            incident_id,
            {"kecamatan": before},
            {"kecamatan": after},
        )
        return tuple(after)


def set_details(
    engine: Engine,
    incident_id: int,
    actor: Principal,
    *,
    name: str | None = None,
    description: str | None = None,
    started_at: datetime | None = None,
    is_exercise: bool | None = None,
) -> None:
    """Edit an incident's name, description, start or exercise flag.

    Raises:
        InvalidInput: an empty or over-long name, an over-long description, a start in the
            future.
        Forbidden: outside `actor`'s scope.
    """
    with writing(engine) as session, session.begin():
        incident = _incident(session, incident_id)
        require_in(actor, "incident", incident.kabupaten_code)
        if errors := _detail_errors(name, started_at, description):
            raise InvalidInput(errors)
        before = _details(incident)
        incident.name = name.strip() if name is not None else incident.name
        if description is not None:
            incident.description = description.strip() or None
        incident.started_at = started_at or incident.started_at
        incident.is_exercise = incident.is_exercise if is_exercise is None else is_exercise
        record_audit(
            session, actor.name, "edit", "incident", incident_id, before, _details(incident)
        )


def _details(incident: Incident) -> dict:
    return {
        "name": incident.name,
        "description": incident.description,
        "started_at": incident.started_at.isoformat(),
        "is_exercise": incident.is_exercise,
    }


def add_phase(
    engine: Engine,
    incident_id: int,
    actor: Principal,
    phase: str,
    decree: str,
    authority: str,
    starts_on: date | None,
    ends_on: date | None = None,
) -> int:
    """Record a decree (SK) setting an emergency phase from `starts_on` (None: today in the
    incident's zone); a later one extends it, and every earlier one is kept. Returns the
    decree's id. A siaga or tanggap darurat decree recorded by anyone but an admin waits for a
    second person (`confirm_phase`); the rest count at once.

    Raises:
        InvalidInput: an unknown phase, a decree number or authority that is not one (or
            over-long), an authority that does not head the incident's area, an end before
            the start, a closed incident.
        Forbidden: not a coordinator or admin of the incident's area.
    """
    with writing(engine) as session, session.begin():
        incident = _incident(session, incident_id)
        if starts_on is None:
            starts_on = today_in(zone_of(incident.kabupaten_code))
        errors = phase_errors(phase, decree, starts_on, ends_on, authority)
        if errors:
            raise InvalidInput(errors)
        require_in(actor, "phase", incident.kabupaten_code)
        if incident.status != IncidentStatus.OPEN:
            raise InvalidInput([FieldError("incident_id", "incident_not_open")])
        area = store.region(session, incident.kabupaten_code)
        if not heads(authority, area):
            params = {"value": authority.strip(), "area": str(area)}
            raise InvalidInput([FieldError("authority", "not_head_of_area", params)])
        waits = phase in RELEASING_PHASES and not permits(actor, "release")
        row = IncidentPhase(
            incident_id=incident_id,
            phase=phase,
            decree=decree_number(decree),
            authority=" ".join(authority.split()),
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor.name,
            confirmed_by=None if waits else actor.name,
            confirmed_at=None if waits else utcnow(),
        )
        session.add(row)
        session.flush()
        after = {
            "phase_id": row.id,
            "phase": phase,
            "decree": row.decree,
            "authority": row.authority,
            "from": str(starts_on),
            "until": str(ends_on),
            "confirmed": not waits,
        }
        record_audit(session, actor.name, "phase", "incident", incident_id, None, after)
        waiting = " · belum dikonfirmasi" if waits else ""
        outbox.incident_alert(session, incident, "incident_phase", _said(row) + waiting)
        return row.id


def confirm_phase(engine: Engine, phase_id: int, actor: Principal) -> None:
    """Confirm a decree someone else recorded: from now on it counts for a lumbung sosial's
    release. The one who recorded it cannot confirm it.

    Raises:
        NotFound: no such decree.
        InvalidInput: already confirmed, recorded by `actor`, or the incident is not open.
        Forbidden: not a coordinator or admin of the incident's area.
    """
    with writing(engine) as session, session.begin():
        row = session.get(IncidentPhase, phase_id)
        if row is None:
            raise NotFound(f"phase {phase_id}")
        incident = _incident(session, row.incident_id)
        require_in(actor, "phase", incident.kabupaten_code)
        if incident.status != IncidentStatus.OPEN:
            raise InvalidInput([FieldError("incident_id", "incident_not_open")])
        if row.confirmed_by is not None:
            raise InvalidInput([FieldError("phase_id", "confirmed", {"by": row.confirmed_by})])
        if row.created_by == actor.name:
            raise InvalidInput([FieldError("phase_id", "own_decree", {"value": row.decree})])
        row.confirmed_by, row.confirmed_at = actor.name, utcnow()
        record_audit(
            session,
            actor.name,
            "confirm_phase",
            "incident",
            incident.id,
            {"phase_id": row.id, "decree": row.decree, "confirmed_by": None},
            {"phase_id": row.id, "decree": row.decree, "confirmed_by": actor.name},
        )
        detail = f"{_said(row)} · dikonfirmasi oleh {actor.name}"
        outbox.incident_alert(session, incident, "incident_phase", detail)


def _said(row: IncidentPhase) -> str:
    """A decree as an alert says it: `Tanggap darurat sejak 01-12-2026 s.d. 07-12-2026 · SK …`."""
    until = f" s.d. {row.ends_on:%d-%m-%Y}" if row.ends_on else ""
    since = f"sejak {row.starts_on:%d-%m-%Y}{until}"
    return f"{t(f'phase_{row.phase}', 'id')} {since} · SK {row.decree}"


def close_incident(
    engine: Engine,
    incident_id: int,
    actor: Principal,
    geography: Geography | None = None,
    organisation: str = "",
) -> int:
    """Close an incident and store its final Laporan Situasi with its files (their map needs
    `geography`; `organisation` issues it); returns that sitrep's number.

    Raises:
        TeamsDeployed: teams are still deployed to it (named).
        Forbidden: not a coordinator or admin of the incident's area.
    """
    facts = replace(sitrep_store.gather(engine, incident_id, organisation=organisation), final=True)
    files = sitrep_files.render(facts, geography)  # before the transaction: it takes a while
    with writing(engine) as session, session.begin():
        incident = _incident(session, incident_id)
        require_in(actor, "phase", incident.kabupaten_code)
        if incident.status != IncidentStatus.OPEN:
            raise InvalidInput([FieldError("incident_id", "incident_not_open")])
        deployed = session.scalars(
            select(Team.name)
            .join(Deployment, Deployment.team_id == Team.id)
            .where(Deployment.incident_id == incident_id, Deployment.ended_at.is_(None))
            .order_by(Team.name)
        ).all()
        if deployed:
            raise TeamsDeployed(list(deployed))
        number = sitrep_store.issue_in(session, facts, incident, actor, True, files)
        incident.status, incident.closed_at = IncidentStatus.CLOSED, utcnow()
        record_audit(
            session,
            actor.name,
            "close",
            "incident",
            incident_id,
            {"status": "open"},
            {"status": "closed", "final_sitrep": number},
        )
        outbox.incident_alert(
            session, incident, "incident_closed", f"Laporan Situasi akhir no. {number}"
        )
        return number


def reopen_incident(engine: Engine, incident_id: int, actor: Principal, reason: str) -> None:
    """Reopen a closed incident (admins only), with the reason in the audit log.

    Raises:
        InvalidInput: no reason (or one longer than `REASON`), or the incident is not closed.
        Forbidden: not an admin of its area.
    """
    with writing(engine) as session, session.begin():
        incident = _incident(session, incident_id)
        require_in(actor, "merge", incident.kabupaten_code)
        errors = [] if reason.strip() else [FieldError("reason", "missing")]
        errors += length_errors(reason=(reason.strip(), REASON))
        if incident.status != IncidentStatus.CLOSED:
            errors.append(FieldError("incident_id", "incident_not_closed"))
        if errors:
            raise InvalidInput(errors)
        incident.status, incident.closed_at = IncidentStatus.OPEN, None
        record_audit(
            session,
            actor.name,
            "reopen",
            "incident",
            incident_id,
            {"status": "closed"},
            {"status": "open", "reason": reason.strip()},
        )


def merge_incidents(engine: Engine, keep_id: int, other_id: int, actor: Principal) -> None:
    """Merge `other` into `keep`: its area, reports, deployments, hazard links and wall-screen
    tokens move over; `other` stays as a pointer (status merged). Admins only.

    Raises:
        InvalidInput: the same incident twice, or one already merged.
        Forbidden: not an admin of both areas.
    """
    with writing(engine) as session, session.begin():
        keep, other = _incident(session, keep_id), _incident(session, other_id)
        for incident in (keep, other):
            require_in(actor, "merge", incident.kabupaten_code)
        if keep_id == other_id or IncidentStatus.MERGED in (keep.status, other.status):
            raise InvalidInput([FieldError("other", "cannot_merge", {"value": other.key})])
        codes = sorted({a.kecamatan_code for a in (*keep.areas, *other.areas)})
        mine = {a.kecamatan_code for a in keep.areas}
        keep.areas += [IncidentArea(kecamatan_code=c) for c in codes if c not in mine]
        keep.kabupaten_code = common_area(codes)
        moved = {"impact_reports": _move_reports(session, other_id, keep_id)}
        for model in (Deployment, KioskToken):
            result = session.execute(
                update(model).where(model.incident_id == other_id).values(incident_id=keep_id)
            )
            moved[model.__tablename__] = result.rowcount
        linked = set(
            session.scalars(
                select(IncidentEvent.hazard_event_id).where(IncidentEvent.incident_id == keep_id)
            )
        )
        events = set(
            session.scalars(
                select(IncidentEvent.hazard_event_id).where(IncidentEvent.incident_id == other_id)
            )
        ) | ({other.hazard_event_id} if other.hazard_event_id else set())
        session.execute(delete(IncidentEvent).where(IncidentEvent.incident_id == other_id))
        for event_id in sorted(events - linked - {keep.hazard_event_id}):
            session.add(IncidentEvent(incident_id=keep_id, hazard_event_id=event_id))
        other.status, other.merged_into_id = IncidentStatus.MERGED, keep_id
        other.closed_at = utcnow()
        record_audit(
            session,
            actor.name,
            "merge",
            "incident",
            keep_id,
            {"other": other.key},
            {"kecamatan": codes, "events": sorted(events), **moved},
        )
        record_audit(
            session, actor.name, "merged_into", "incident", other_id, None, {"into": keep.key}
        )


def _move_reports(session: Session, from_id: int, to_id: int) -> int:
    """Move one incident's report versions to another; each kecamatan and source is numbered
    again in report-time order, so versions stay unique and the newest report still wins."""
    rows = session.scalars(
        select(ImpactReport)
        .where(ImpactReport.incident_id.in_((from_id, to_id)))
        .order_by(ImpactReport.report_time, ImpactReport.id)
    ).all()
    moved = sum(row.incident_id == from_id for row in rows)
    for row in rows:  # out of the way first: the unique key holds at every step
        row.incident_id, row.version = to_id, -row.id
    session.flush()
    numbers: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.kecamatan_code, row.source)
        numbers[key] = row.version = numbers.get(key, 0) + 1
    session.flush()
    return moved


def incident_frame(engine: Engine) -> pd.DataFrame:
    """Every incident, newest first: key, name, hazard, status, area, dates, counts of its
    kecamatan, reports and teams deployed now. `area_code`: its kabupaten or province, None
    when it spans provinces."""
    kecamatan = (
        select(IncidentArea.incident_id, func.count().label("kecamatan"))
        .group_by(IncidentArea.incident_id)
        .subquery()
    )
    reports = (
        select(ImpactReport.incident_id, func.count().label("reports"))
        .group_by(ImpactReport.incident_id)
        .subquery()
    )
    teams = (
        select(Deployment.incident_id, func.count().label("teams"))
        .where(Deployment.ended_at.is_(None))
        .group_by(Deployment.incident_id)
        .subquery()
    )
    query = (
        select(
            Incident.id,
            Incident.key,
            Incident.name,
            Incident.kind.label("hazard"),
            Incident.status,
            Incident.kabupaten_code.label("area_code"),
            Incident.started_at,
            Incident.closed_at,
            Incident.is_exercise,
            Incident.merged_into_id,
            Incident.version,
            func.coalesce(kecamatan.c.kecamatan, 0).label("kecamatan"),
            func.coalesce(reports.c.reports, 0).label("reports"),
            func.coalesce(teams.c.teams, 0).label("teams"),
        )
        .outerjoin(kecamatan, kecamatan.c.incident_id == Incident.id)
        .outerjoin(reports, reports.c.incident_id == Incident.id)
        .outerjoin(teams, teams.c.incident_id == Incident.id)
        .order_by(Incident.started_at.desc())
    )
    with engine.connect() as conn:
        result = conn.execute(query)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    frame["status"] = frame["status"].astype(str)
    national = frame["area_code"].isna()  # several provinces: None, as on the record
    frame["area_code"] = frame["area_code"].astype(object).where(~national, None)
    return frame


def incident_list(engine: Engine, status: str | None = None) -> list[dict]:
    """Incidents as plain objects (for scripts): key, name, hazard, status, the phase in force
    today in the incident's own zone, kecamatan codes, started and closed in ISO 8601 UTC;
    newest first."""
    phases = store.all_phases(engine)
    rows = []
    for record in store.incidents(engine, include_closed=True):
        if status and record.status != status:
            continue
        today = today_in(zone_of(record.kabupaten_code))
        now = current_phase(phases.get(record.id, []), today)
        rows.append(
            {
                "key": record.key,
                "name": record.name,
                "hazard": record.kind,
                "status": record.status,
                "phase": now.phase if now else None,
                "kecamatan": list(record.kecamatan_codes),
                "started_at": record.started_at.isoformat(),
                "closed_at": record.closed_at.isoformat() if record.closed_at else None,
            }
        )
    return rows


@dataclass(frozen=True)
class IncidentDetails:
    description: str | None
    merged_into: str | None  # the key of the incident it was merged into
    audit: pd.DataFrame  # its own audit trail, newest first: at, actor, action, after


def incident_details(engine: Engine, incident_id: int) -> IncidentDetails:
    """What the incident list leaves out: description, merge pointer, audit trail.

    Raises:
        NotFound: no such incident.
    """
    query = (
        select(AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.after)
        .where(AuditEntry.entity == "incident", AuditEntry.entity_id == str(incident_id))
        .order_by(AuditEntry.id.desc())
    )
    with Session(engine) as session:
        incident = _incident(session, incident_id)
        into = session.get(Incident, incident.merged_into_id) if incident.merged_into_id else None
        result = session.execute(query)
        audit = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        return IncidentDetails(incident.description, into.key if into else None, audit)
