"""Sitreps in the store: the facts of an incident gathered from the store, and issued sitreps
numbered per incident (each remembers its totals, so the next one can say what changed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from command_center.base.auth import Principal, require_in
from command_center.base.db import writing
from command_center.base.errors import FieldError, InvalidInput, NotFound, StaleRecord
from command_center.base.geography import Geography
from command_center.base.labels import magnitude
from command_center.base.models import (
    HazardEvent,
    Incident,
    IncidentArea,
    IncidentStatus,
    Sitrep,
    SitrepFile,
    SitrepSlot,
)
from command_center.base.times import utcnow
from command_center.services import logistics, sitrep, sitrep_files, sitrep_schedule
from command_center.services.incidents import local_day, phase_day, phase_line, zone_of
from command_center.services.reports import (
    awaiting_verification,
    counted,
    daily_totals,
    with_kabupaten_level,
)
from command_center.services.teams import DEPLOYED, STANDBY
from command_center.stores import common as store
from command_center.stores import logistics as logistics_store
from command_center.stores import outbox
from command_center.stores import reports as report_store
from command_center.stores import teams as team_store
from command_center.stores.common import record_audit

DAYS_CHARTED = 14  # the sitrep's chart of the daily series shows the last two weeks


def _event_line(event: HazardEvent | None) -> str | None:
    if event is None:
        return None
    if event.kind == "earthquake" and event.magnitude is not None:
        depth = f", kedalaman {event.depth_km:g} km" if event.depth_km is not None else ""
        tsunami = " Berpotensi tsunami." if event.tsunami_potential else ""
        return f"Gempa {magnitude(event.magnitude)}{depth}, {event.location_text or ''}.{tsunami}"
    return event.location_text or event.kind


def gather(
    engine: Engine, incident_id: int, now: datetime | None = None, organisation: str = ""
) -> sitrep.SitrepFacts:
    """Everything a sitrep says about the incident now, numbered as the next one, issued by
    `organisation`.

    Raises:
        NotFound: no such incident.
    """
    now = now or utcnow()
    with Session(engine) as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound(f"incident {incident_id}")
        event = (
            session.get(HazardEvent, incident.hazard_event_id) if incident.hazard_event_id else None
        )
        area = session.scalar(select(func.count()).where(IncidentArea.incident_id == incident_id))
        previous = session.scalar(
            select(Sitrep).where(Sitrep.incident_id == incident_id).order_by(Sitrep.number.desc())
        )
        name, is_exercise = incident.name, incident.is_exercise
        event_line, event_time = _event_line(event), (event.time_utc if event else None)
        zone = zone_of(incident.kabupaten_code)
    versions = report_store.all_versions(engine, incident_id)
    verified = counted(versions)
    # totals with what kabupaten-level reports add beyond their kecamatan (never twice)
    whole = with_kabupaten_level(
        verified, report_store.all_versions(engine, incident_id, level="kabupaten")
    )
    phases = store.phases(engine, incident_id)
    in_force = phase_day(phases, local_day(now, zone))
    daily = daily_totals(versions, ["displaced"], False, now).tail(DAYS_CHARTED)
    roster = team_store.roster(engine)
    roster["status"] = roster["status"].astype(str)
    mine = roster[(roster["assigned_incident_id"] == incident_id) & roster["status"].isin(DEPLOYED)]
    return sitrep.SitrepFacts(
        incident=name,
        is_exercise=is_exercise,
        number=(previous.number + 1) if previous else 1,
        as_of=now,
        event=event_line,
        event_time=event_time,
        totals={f: int(whole[f].fillna(0).sum()) for f in sitrep.TOTALS},
        kecamatan=sitrep.kecamatan_lines(verified),
        area_kecamatan=area or 0,
        sources=verified["source"].value_counts().to_dict(),
        latest_report=verified["report_time"].max() if len(verified) else None,
        unverified_left_out=len(awaiting_verification(versions)),
        teams_deployed=list(zip(mine["name"], mine["assigned_kecamatan"], strict=True)),
        teams_standby=int((roster["status"] == STANDBY).sum()),
        items=logistics.aid_lines(logistics.reconcile(verified, _dispatches(engine, incident_id))),
        previous_number=previous.number if previous else None,
        previous_totals=dict(previous.totals) if previous else {},
        status_line=phase_line(phases, local_day(now, zone)),
        aid=aid_facts(engine, incident_id),
        decree=f"SK {in_force[0].decree} ({in_force[0].authority})" if in_force else None,
        daily=tuple(zip(daily["day"], daily["displaced"].astype(int), strict=True)),
        organisation=organisation,
    )


def _dispatches(engine: Engine, incident_id: int) -> pd.DataFrame:
    sent = logistics_store.dispatches(engine)
    return sent[sent["incident_id"] == incident_id]


def aid_facts(engine: Engine, incident_id: int) -> sitrep.AidFacts | None:
    """The incident's open shelters and meals served (None when neither is recorded)."""
    shelters = logistics_store.shelters(engine)
    shelters = shelters[(shelters["incident_id"] == incident_id) & shelters["closed_on"].isna()]
    meals = logistics_store.meals(engine)
    meals = meals[meals["incident_id"] == incident_id]
    if shelters.empty and meals.empty:
        return None
    by_day = meals.groupby("day")["portions"].sum()
    return sitrep.AidFacts(
        shelters=len(shelters),
        in_shelters=int(shelters["people"].sum()),
        families=int(shelters["families"].sum()),
        meals_total=int(meals["portions"].sum()),
        meals_last_day=(by_day.index[-1], int(by_day.iloc[-1])) if len(by_day) else None,
    )


def issue(
    engine: Engine,
    facts: sitrep.SitrepFacts,
    incident_id: int,
    actor: Principal,
    geography: Geography | None = None,
) -> int:
    """Store the sitrep (its number, totals, WhatsApp text, and its PDF and image, whose map
    needs `geography`); returns its number.

    Raises:
        StaleRecord: someone issued that number first (gather again).
        Forbidden: `actor` may not issue sitreps for the incident's area.
        NotFound: no such incident.
    """
    files = sitrep_files.render(facts, geography)  # before the transaction: it takes a while
    with writing(engine) as session, session.begin():
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound(f"incident {incident_id}")
        return issue_in(session, facts, incident, actor, files=files)


def issue_in(
    session: Session,
    facts: sitrep.SitrepFacts,
    incident: Incident,
    actor: Principal,
    final: bool = False,
    files: sitrep_files.SitrepFiles | None = None,
) -> int:
    """`issue` in the caller's transaction (closing an incident issues its final sitrep),
    with its `files` made beforehand from `facts` (marked `final` as this marks them)."""
    require_in(actor, "sitrep", incident.kabupaten_code)
    facts = replace(facts, final=final)
    row = Sitrep(
        incident_id=incident.id,
        number=facts.number,
        issued_by=actor.name,
        totals=facts.totals,
        text=sitrep.whatsapp(facts),
        is_final=final,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise StaleRecord(f"sitrep {facts.number} was issued meanwhile") from exc
    if files is not None:
        session.add(SitrepFile(sitrep_id=row.id, pdf=files.pdf, png=files.png))
    after = {"number": facts.number, "final": final, "files": files is not None}
    record_audit(session, actor.name, "issue", "sitrep", row.id, after=after)
    if not final:  # closing alerts on its own
        outbox.incident_alert(session, incident, "sitrep_issued", f"No. {facts.number}", row.id)
    return facts.number


def issued(engine: Engine, incident_id: int) -> list[Sitrep]:
    """The incident's sitreps, newest first (detached, read-only)."""
    with Session(engine, expire_on_commit=False) as session:
        query = select(Sitrep).where(Sitrep.incident_id == incident_id)
        return list(session.scalars(query.order_by(Sitrep.number.desc())))


def with_files(engine: Engine, incident_id: int) -> set[int]:
    """The numbers of the incident's sitreps that have their files."""
    query = (
        select(Sitrep.number)
        .join(SitrepFile, SitrepFile.sitrep_id == Sitrep.id)
        .where(Sitrep.incident_id == incident_id)
    )
    with Session(engine) as session:
        return set(session.scalars(query))


# an issued sitrep's number and files
FILES = select(Sitrep.number, SitrepFile.pdf, SitrepFile.png).join(
    Sitrep, SitrepFile.sitrep_id == Sitrep.id
)


def _first_files(engine: Engine, query: Select) -> sitrep_files.SitrepFiles | None:
    with Session(engine) as session:
        found = session.execute(query.limit(1)).first()
    return sitrep_files.SitrepFiles(found.number, found.pdf, found.png) if found else None


def files_of(engine: Engine, sitrep_id: int) -> sitrep_files.SitrepFiles | None:
    """The PDF and image of the sitrep with id `sitrep_id` (None: it has none)."""
    return _first_files(engine, FILES.where(Sitrep.id == sitrep_id))


def files(engine: Engine, incident_id: int, number: int | None = None) -> sitrep_files.SitrepFiles:
    """The PDF and image of the incident's sitrep `number` (None: the newest that has them).

    Raises:
        NotFound: no such sitrep, or it has no files (issued before they were made).
    """
    query = FILES.where(Sitrep.incident_id == incident_id)
    if number is not None:
        query = query.where(Sitrep.number == number)
    found = _first_files(engine, query.order_by(Sitrep.number.desc()))
    if found is None:
        raise NotFound(f"files of sitrep {number or 'any'} of incident {incident_id}")
    return found


# -- on schedule ------------------------------------------------------------------------------


def set_schedule(engine: Engine, incident_id: int, text: str, actor: Principal) -> str:
    """Set the local times of day the incident's sitrep is issued by itself ("07:00,19:00";
    blank: never); returns them as stored. Only slots after this moment are issued.

    Raises:
        InvalidInput: a time that is not HH:MM (field `sitrep_at`).
        Forbidden: the incident is outside `actor`'s scope.
        NotFound: no such incident.
    """
    try:
        times = sitrep_schedule.words(sitrep_schedule.parse(text))
    except ValueError as exc:
        raise InvalidInput([FieldError("sitrep_at", "bad_clock", {"value": str(exc)})]) from exc
    with writing(engine) as session, session.begin():
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound(f"incident {incident_id}")
        require_in(actor, "incident", incident.kabupaten_code)
        before = incident.sitrep_at or ""
        if times != before:
            incident.sitrep_at, incident.sitrep_at_set = times or None, utcnow()
            record_audit(
                session,
                actor.name,
                "sitrep_schedule",
                "incident",
                incident_id,
                {"sitrep_at": before},
                {"sitrep_at": times},
            )
    return times


def schedule_of(engine: Engine, incident_id: int) -> str:
    """The incident's sitrep times ("07:00,19:00"; "" for none)."""
    with Session(engine) as session:
        return session.scalar(select(Incident.sitrep_at).where(Incident.id == incident_id)) or ""


def due(engine: Engine, now: datetime) -> list[tuple[int, datetime, str]]:
    """The open incidents whose latest slot has begun (after their schedule was set) and has
    no sitrep yet: (incident id, slot start, its time of day "07:00")."""
    query = select(Incident).where(
        Incident.status == IncidentStatus.OPEN, Incident.sitrep_at.is_not(None)
    )
    found = []
    with Session(engine) as session:
        for incident in session.scalars(query):
            slot = sitrep_schedule.due_slot(
                sitrep_schedule.parse(incident.sitrep_at), zone_of(incident.kabupaten_code), now
            )
            if slot is None or (incident.sitrep_at_set and slot[0] < incident.sitrep_at_set):
                continue
            if session.get(SitrepSlot, (incident.id, slot[0])) is None:
                found.append((incident.id, slot[0], slot[1].strftime("%H:%M")))
    return found


def issue_slot(
    engine: Engine,
    incident_id: int,
    slot_at: datetime,
    clock: str,
    geography: Geography | None = None,
    organisation: str = "",
    now: datetime | None = None,
) -> int | None:
    """Issue the sitrep of the incident's slot starting `slot_at`, issued by "jadwal 07:00";
    returns its number, or None when another worker took the slot first (or a sitrep was
    issued by hand meanwhile: the next pass tries again)."""
    facts = gather(engine, incident_id, now, organisation)
    files = sitrep_files.render(facts, geography)
    schedule = Principal(f"jadwal {clock}", "admin")  # who issued it, in the sitrep and audit
    try:
        with writing(engine) as session, session.begin():
            # the slot first: a second worker's insert fails here (it waits for the first's
            # commit on PostgreSQL, for its write lock on SQLite) and it issues nothing
            session.add(SitrepSlot(incident_id=incident_id, slot_at=slot_at, number=facts.number))
            session.flush()
            incident = session.get(Incident, incident_id)
            if incident is None or incident.status != IncidentStatus.OPEN:
                raise NotFound(f"open incident {incident_id}")
            return issue_in(session, facts, incident, schedule, files=files)
    except (IntegrityError, StaleRecord, NotFound):
        return None


def issue_due(
    engine: Engine,
    geography: Geography | None = None,
    organisation: str = "",
    now: datetime | None = None,
) -> list[tuple[int, int]]:
    """Issue every sitrep due on schedule (`due`); returns (incident id, number) of each."""
    now = now or utcnow()
    issued = []
    for incident_id, slot_at, clock in due(engine, now):
        number = issue_slot(engine, incident_id, slot_at, clock, geography, organisation, now)
        if number is not None:
            issued.append((incident_id, number))
    return issued
