"""Teams and deployments in the store: the roster, status changes, assignments, history.

Every change takes the team `version` the user saw. If someone changed the team since, it
raises `StaleRecord` naming who and when, and writes nothing (optimistic locking; on SQLite the
write transaction also takes the lock first, see `db.writing`). Every change is audited with
the team as it was before and after.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from command_center.base.auth import Principal, in_scope, require, require_in
from command_center.base.db import writing
from command_center.base.errors import FieldError, InvalidInput, NotFound, StaleRecord, TeamBusy
from command_center.base.geography import Geography
from command_center.base.models import (
    Area,
    AuditEntry,
    Deployment,
    Incident,
    IncidentStatus,
    Team,
    TeamMember,
)
from command_center.base.settings import ImportLimits
from command_center.base.times import utcnow
from command_center.services import teams as rules
from command_center.services.roster import TEAM_HEADERS, TeamInput
from command_center.services.validation import (
    LABEL,
    NAME,
    REASON,
    SHORT,
    Count,
    Text,
    bounded,
    check_lengths,
    field_errors,
    longest,
)
from command_center.stores import imports
from command_center.stores.common import frame, record_audit

PROFILE = (
    "name",
    "kind",
    "home_kabupaten_code",
    "home_kecamatan_code",
    "base_lat",
    "base_lon",
    "member_count",
    "skills",
    "equipment",
    "contact_name",
    "contact_phone",
)
ROSTER = "roster"  # the import kind of roster files
STATE = ("status", "status_reason", "unavailable_until", "last_lat", "last_lon")


class MemberInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)
    name: str = Field(min_length=1, max_length=NAME)
    role: Annotated[Text, longest(LABEL)] = None
    phone: Annotated[Text, longest(SHORT)] = None


class AssignmentInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)
    incident_id: int
    kecamatan_code: str = Field(min_length=8, max_length=13)
    task: str = Field(min_length=1, max_length=REASON)
    expected_days: Annotated[Count, bounded(1, 90)] = None


@dataclass(frozen=True)
class TeamDetail:
    id: int
    version: int
    status: str
    profile: TeamInput
    members: tuple[MemberInput, ...]
    status_reason: str | None
    unavailable_until: datetime | None
    updated_by: str
    updated_at: datetime


def _checked(model: type[BaseModel], values: dict[str, Any]) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc)) from exc


def _snapshot(team: Team, fields: tuple[str, ...] = PROFILE + STATE) -> dict[str, Any]:
    out = {}
    for field in fields:
        value = getattr(team, field)
        out[field] = value.isoformat() if isinstance(value, datetime) else value
        if field == "status" and value is not None:
            out[field] = str(value)
    return out


def _stale(engine: Engine, team_id: int) -> StaleRecord:
    with Session(engine) as session:
        team = session.get(Team, team_id)
    if team is None:
        return StaleRecord(f"team {team_id} was deleted", by=None, at=None)
    return StaleRecord(f"team {team_id} changed", by=team.updated_by, at=team.updated_at)


@contextmanager
def _editing(
    engine: Engine, team_id: int, version: int, actor: Principal, action: str, **extra: Any
) -> Iterator[tuple[Session, Team]]:
    """One audited change to one team, if it is still at `version`.

    Raises:
        NotFound: no such team.
        StaleRecord: the team changed since `version` (or changes while this one saves).
    """
    team_id, version = int(team_id), int(version)  # numpy integers from a frame are fine too
    try:
        with writing(engine) as session, session.begin():
            team = session.get(Team, team_id)
            if team is None:
                raise NotFound(f"team {team_id}")
            if team.version != version:
                raise StaleDataError(f"team {team_id} is at version {team.version}")
            require_in(actor, "team", team.home_kabupaten_code)
            before = _snapshot(team)
            yield session, team
            team.updated_by, team.updated_at = actor.name, utcnow()
            session.flush()
            after = {**_snapshot(team), **extra}
            changed = {k: v for k, v in after.items() if before.get(k) != v}
            record_audit(session, actor.name, action, "team", team_id, before, changed)
    except StaleDataError as exc:
        raise _stale(engine, team_id) from exc


def _apply_profile(team: Team, entry: TeamInput) -> None:
    for field in PROFILE:
        setattr(team, field, getattr(entry, field))


def _name_taken(session: Session, name: str, team_id: int | None) -> None:
    other = session.scalar(select(Team.id).where(Team.name == name))
    if other is not None and other != team_id:
        raise InvalidInput([FieldError("name", "duplicate_name", {"value": name})])


def create_team(
    engine: Engine, entry: TeamInput, actor: Principal, is_exercise: bool = False
) -> int:
    """Add a team at standby; returns its id.

    Raises:
        Forbidden: not a coordinator (or admin) of the team's area.
        InvalidInput: the name is taken.
    """
    require_in(actor, "team", entry.home_kabupaten_code)
    with writing(engine) as session, session.begin():
        _name_taken(session, entry.name, None)
        team = Team(status=rules.STANDBY, is_exercise=is_exercise, updated_by=actor.name)
        _apply_profile(team, entry)
        session.add(team)
        session.flush()
        record_audit(session, actor.name, "create", "team", team.id, None, _snapshot(team))
        return team.id


def write_imported(session: Session, entry: TeamInput, actor: Principal) -> str:
    """Import one roster row: a new name adds a team, a known one updates its profile only.
    A row outside the importer's area (new or current home) is refused as an input error."""
    in_scope(actor, entry.home_kabupaten_code, "home_kecamatan_code")
    if session.get(Area, entry.home_kecamatan_code) is None:
        code = entry.home_kecamatan_code
        raise InvalidInput(
            [FieldError("home_kecamatan_code", "unknown_kecamatan", {"value": code})]
        )
    team = session.scalar(select(Team).where(Team.name == entry.name))
    if team is not None:
        in_scope(actor, team.home_kabupaten_code, "name")
    if team is None:
        team = Team(status=rules.STANDBY, updated_by=actor.name)
        _apply_profile(team, entry)
        session.add(team)
        session.flush()
        record_audit(session, actor.name, "import_create", "team", team.id, None, _snapshot(team))
        return "created"
    before = _snapshot(team, PROFILE)
    _apply_profile(team, entry)
    team.updated_by, team.updated_at = actor.name, utcnow()
    session.flush()
    after = _snapshot(team, PROFILE)
    changed = {k: v for k, v in after.items() if before[k] != v}
    record_audit(session, actor.name, "import_update", "team", team.id, before, changed)
    return "updated"


def import_roster(
    engine: Engine,
    data: bytes,
    file_name: str,
    geography: Geography | None,
    actor: Principal,
    limits: ImportLimits,
    progress: imports.Progress | None = None,
) -> imports.ImportReport:
    """Import a roster file: valid rows add or update teams, the others wait in quarantine.

    Raises:
        ImportFileError: the file as a whole cannot be read.
    """
    table = imports.preview(data, file_name, ROSTER, TEAM_HEADERS, actor, limits)
    return imports.run_import(
        engine,
        ROSTER,
        file_name,
        table.rows,
        lambda values: TeamInput.check(values, geography),
        write_imported,
        actor,
        key=lambda entry: entry.name.casefold(),
        progress=progress,
    )


def resubmit_roster(
    engine: Engine, edits: dict[int, dict[str, Any]], geography: Geography | None, actor: Principal
) -> imports.ImportReport:
    """Check corrected quarantined roster rows again; the valid ones land."""
    require(actor, "team")
    return imports.resubmit(
        engine, ROSTER, edits, lambda v: TeamInput.check(v, geography), write_imported, actor
    )


def update_team(
    engine: Engine, team_id: int, version: int, entry: TeamInput, actor: Principal
) -> None:
    """Change a team's profile (not its status).

    Raises:
        StaleRecord, NotFound, InvalidInput (the new name is taken).
    """
    with _editing(engine, team_id, version, actor, "edit") as (session, team):
        require_in(actor, "team", entry.home_kabupaten_code)  # moving it stays in the area too
        _name_taken(session, entry.name, team_id)
        _apply_profile(team, entry)


def set_members(
    engine: Engine, team_id: int, version: int, members: list[dict[str, Any]], actor: Principal
) -> None:
    """Replace a team's named members; the member count follows if it was lower.

    Raises:
        InvalidInput: a member without a name (field `members[i].name`).
    """
    checked, errors = [], []
    for i, values in enumerate(members):
        try:
            checked.append(_checked(MemberInput, values))
        except InvalidInput as exc:
            errors += [
                FieldError(f"members[{i + 1}].{e.field}", e.code, e.params) for e in exc.errors
            ]
    if errors:
        raise InvalidInput(errors)
    names = [m.model_dump() for m in checked]
    with _editing(engine, team_id, version, actor, "members", members=names) as (_, team):
        team.members = [TeamMember(**m.model_dump()) for m in checked]
        team.member_count = max(team.member_count, len(checked))


def change_status(
    engine: Engine,
    team_id: int,
    version: int,
    target: str,
    actor: Principal,
    reason: str | None = None,
    until: datetime | None = None,
) -> None:
    """Move a team along its lifecycle. Leaving a deployment (→ returning) stands it down.

    Raises:
        IllegalTransition: the lifecycle does not allow it.
        InvalidInput: unavailable without a reason, or with an until-date in the past; a
            reason longer than `REASON`.
        StaleRecord, NotFound.
    """
    reason = (reason or "").strip() or None
    check_lengths(status_reason=(reason, REASON))
    if target == rules.UNAVAILABLE:
        errors = [] if reason else [FieldError("status_reason", "missing")]
        if until is not None and until < utcnow():
            errors.append(FieldError("unavailable_until", "in_past", {"value": until.date()}))
        if errors:
            raise InvalidInput(errors)
    with _editing(engine, team_id, version, actor, "status", note=reason) as (session, team):
        rules.check_transition(str(team.status), target)
        deployment = _open_deployment(session, team.id)
        if target == rules.RETURNING and deployment is not None:
            deployment.ended_at, deployment.ended_by = utcnow(), actor.name
        if target == rules.ON_SCENE and deployment is not None:
            scene = session.get(Area, deployment.kecamatan_code)
            if scene is not None and scene.lat is not None:
                team.last_lat, team.last_lon = scene.lat, scene.lon
        if target == rules.STANDBY:
            team.last_lat = team.last_lon = None  # back at base
        team.status = target
        team.status_reason = reason if target == rules.UNAVAILABLE else None
        team.unavailable_until = until if target == rules.UNAVAILABLE else None


def stand_down(engine: Engine, team_id: int, version: int, actor: Principal) -> None:
    """End a team's assignment: it heads back (returning)."""
    change_status(engine, team_id, version, rules.RETURNING, actor)


def _open_deployment(session: Session, team_id: int) -> Deployment | None:
    return session.scalar(
        select(Deployment).where(Deployment.team_id == team_id, Deployment.ended_at.is_(None))
    )


def assign(
    engine: Engine, team_id: int, version: int, values: dict[str, Any], actor: Principal
) -> int:
    """Send a team at standby to an incident's kecamatan; returns the deployment id.

    Raises:
        InvalidInput: missing task, unknown kecamatan, an incident that is not open, a training
            team for a real incident.
        TeamBusy: the team is deployed elsewhere, returning or unavailable.
        StaleRecord: someone changed or assigned the team meanwhile.
    """
    team_id = int(team_id)
    job: AssignmentInput = _checked(AssignmentInput, values)
    extra = job.model_dump()
    try:
        with _editing(engine, team_id, version, actor, "assign", **extra) as (session, team):
            incident = session.get(Incident, job.incident_id)
            if incident is None or incident.status != IncidentStatus.OPEN:
                raise InvalidInput([FieldError("incident_id", "incident_not_open")])
            if team.is_exercise and not incident.is_exercise:  # it would mark a real one LATIHAN
                error = FieldError("incident_id", "exercise_team", {"value": team.name})
                raise InvalidInput([error])
            if session.get(Area, job.kecamatan_code) is None:
                error = FieldError(
                    "kecamatan_code", "unknown_kecamatan", {"value": job.kecamatan_code}
                )
                raise InvalidInput([error])
            if team.status != rules.STANDBY:
                current = _open_deployment(session, team.id)
                raise TeamBusy(
                    team.name, str(team.status), current.kecamatan_code if current else None
                )
            team.status = rules.EN_ROUTE
            session.flush()  # the team row first: a concurrent assignment fails on its version
            deployment = Deployment(
                team_id=team_id,
                assigned_by=actor.name,
                assigned_at=utcnow(),
                **extra,
            )
            session.add(deployment)
            session.flush()
            return deployment.id
    except IntegrityError as exc:  # the one-open-deployment index caught a race
        raise _stale(engine, team_id) from exc


def team_detail(engine: Engine, team_id: int) -> TeamDetail:
    """One team with its members and current version, for an edit form.

    Raises:
        NotFound: no such team.
    """
    with Session(engine) as session:
        team = session.get(Team, int(team_id))
        if team is None:
            raise NotFound(f"team {team_id}")
        profile = TeamInput.model_construct(**{f: getattr(team, f) for f in PROFILE})
        return TeamDetail(
            id=team.id,
            version=team.version,
            status=str(team.status),
            profile=profile,
            members=tuple(
                MemberInput(name=m.name, role=m.role, phone=m.phone) for m in team.members
            ),
            status_reason=team.status_reason,
            unavailable_until=team.unavailable_until,
            updated_by=team.updated_by,
            updated_at=team.updated_at,
        )


def roster(engine: Engine) -> pd.DataFrame:
    """Every team with its position, version and open deployment (kecamatan, incident, since)."""
    home = aliased(Area)
    scene = aliased(Area)
    active = (
        select(
            Deployment.team_id,
            Deployment.kecamatan_code,
            Deployment.incident_id,
            Deployment.assigned_at,
            Deployment.assigned_by,
            Deployment.task,
            Deployment.expected_days,
        )
        .where(Deployment.ended_at.is_(None))
        .subquery()
    )
    query = (
        select(
            Team.id,
            Team.name,
            Team.kind,
            Team.status,
            Team.status_reason,
            Team.unavailable_until,
            Team.home_kabupaten_code,
            home.name.label("home_kabupaten"),
            Team.home_kecamatan_code,
            Team.member_count,
            Team.skills,
            Team.equipment,
            Team.contact_name,
            Team.contact_phone,
            Team.base_lat,
            Team.base_lon,
            Team.last_lat,
            Team.last_lon,
            Team.is_exercise,
            Team.version,
            Team.updated_by,
            Team.updated_at,
            active.c.kecamatan_code.label("assigned_kecamatan_code"),
            scene.name.label("assigned_kecamatan"),
            scene.lat.label("assigned_lat"),
            scene.lon.label("assigned_lon"),
            active.c.incident_id.label("assigned_incident_id"),
            active.c.assigned_at,
            active.c.assigned_by,
            active.c.task,
            active.c.expected_days,
        )
        .join(home, home.code == Team.home_kabupaten_code)
        .outerjoin(active, active.c.team_id == Team.id)
        .outerjoin(scene, scene.code == active.c.kecamatan_code)
        .order_by(Team.name)
    )
    return frame(engine, query)


def history(engine: Engine, team_id: int) -> pd.DataFrame:
    """A team's audit trail, newest first: when, who, what, before and after."""
    query = (
        select(
            AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.before, AuditEntry.after
        )
        .where(AuditEntry.entity == "team", AuditEntry.entity_id == str(team_id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    return frame(engine, query)
