"""Loading the training scenarios ("Latihan", `base/scenarios.py`) into the store.

Loading is idempotent: a scenario already in the store is left as it is, unless asked to reset
them. Times are relative to the moment of loading, so the scenarios always look current.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from command_center.base.geography import Geography
from command_center.base.models import (
    Deployment,
    Dispatch,
    HazardEvent,
    ImpactReport,
    Incident,
    IncidentArea,
    IncidentPhase,
    Kitchen,
    MealCount,
    Shelter,
    Sitrep,
    StockMovement,
    Team,
    Warehouse,
)
from command_center.base.scenarios import FIRST_REPORT_SHARE, SCENARIOS, Scenario
from command_center.base.times import today_in, utcnow
from command_center.services.incidents import common_area, zone_of
from command_center.stores.common import record_audit, sync_areas

INCIDENT_KEY = SCENARIOS[0].key  # the earthquake, the first scenario
ACTOR = "demo"
COORDINATOR = "Koordinator Tagana Jawa Barat (Latihan)"
KEYS = tuple(s.key for s in SCENARIOS)


def loaded(engine: Engine) -> set[str]:
    """The keys of the scenarios in the store."""
    with Session(engine) as session:
        return set(session.scalars(select(Incident.key).where(Incident.key.in_(KEYS))))


def remove(engine: Engine) -> None:
    """Delete every scenario's rows (incidents, events, exercise teams and warehouses, their
    stock, shelters and dapur umum) in one transaction."""
    with Session(engine) as session, session.begin():
        exercise = select(Warehouse.id).where(Warehouse.is_exercise)
        incidents = select(Incident.id).where(Incident.key.in_(KEYS))
        session.execute(delete(StockMovement).where(StockMovement.warehouse_id.in_(exercise)))
        session.execute(delete(Dispatch).where(Dispatch.incident_id.in_(incidents)))
        session.execute(delete(Warehouse).where(Warehouse.is_exercise))
        for incident in session.scalars(select(Incident).where(Incident.key.in_(KEYS))):
            for model in (ImpactReport, Deployment, Sitrep):
                for row in session.scalars(select(model).where(model.incident_id == incident.id)):
                    session.delete(row)
            session.delete(incident)
        session.flush()
        for team in session.scalars(select(Team).where(Team.is_exercise)):
            session.delete(team)
        for event in session.scalars(select(HazardEvent).where(HazardEvent.source == "latihan")):
            session.delete(event)
        record_audit(session, ACTOR, "remove", "scenario", "all", after={"keys": list(KEYS)})


def load(
    engine: Engine,
    geography: Geography,
    reset: bool = False,
    scenarios: tuple[Scenario, ...] = SCENARIOS,
) -> bool:
    """Load the scenarios not in the store yet (all of them again with `reset`); returns
    whether anything was loaded."""
    if reset:
        remove(engine)
    present = loaded(engine)
    missing = [s for s in scenarios if s.key not in present]
    if not missing:
        return False
    sync_areas(engine, geography.area_rows())  # their kecamatan and teams refer to areas
    for scenario in missing:
        for code in (*scenario.impacts, *(t.home_kecamatan for t in scenario.teams)):
            geography.validate_code(code)
        _load(engine, geography, scenario)
    return True


def _load(engine: Engine, geography: Geography, scenario: Scenario) -> None:
    start = utcnow() - timedelta(hours=scenario.hours_ago)
    with Session(engine) as session, session.begin():
        event = None
        if scenario.event is not None:
            event = HazardEvent(source="latihan", time_utc=start, **scenario.event)
            session.add(event)
            session.flush()
        incident = Incident(
            key=scenario.key,
            hazard_event_id=event.id if event else None,
            name=scenario.name,
            kind=scenario.hazard,
            description=scenario.description or None,
            status="open",
            kabupaten_code=common_area(scenario.impacts),
            started_at=start,
            is_exercise=True,
            areas=[IncidentArea(kecamatan_code=code) for code in scenario.impacts],
        )
        session.add(incident)
        session.flush()
        today = today_in(zone_of(incident.kabupaten_code))
        for phase, decree, authority, first, last in scenario.phases:
            session.add(
                IncidentPhase(
                    incident_id=incident.id,
                    phase=phase,
                    decree=decree,
                    authority=authority,
                    starts_on=today + timedelta(days=first),
                    ends_on=today + timedelta(days=last),
                    created_by=COORDINATOR,
                    confirmed_by=ACTOR,  # loaded by the system, like the CLI's: at once
                    confirmed_at=utcnow(),
                )
            )
        _add_teams(session, geography, scenario, incident.id, start)
        _add_reports(session, geography, scenario, incident.id, start)
        _add_logistics(session, scenario, incident.id, start)
        record_audit(
            session, ACTOR, "load", "scenario", scenario.key, after={"incident": incident.id}
        )


def _add_teams(
    session: Session, geography: Geography, scenario: Scenario, incident_id: int, start: datetime
) -> None:
    offset = sum(len(s.teams) for s in SCENARIOS[: SCENARIOS.index(scenario)])
    for i, spec in enumerate(scenario.teams, start=offset):
        base = geography.centre(spec.home_kecamatan)
        team = Team(
            name=spec.name,
            kind=spec.kind,
            home_kabupaten_code=spec.home_kecamatan[:5],
            home_kecamatan_code=spec.home_kecamatan,
            base_lat=round(base.y, 5),
            base_lon=round(base.x, 5),
            status=spec.status,
            status_reason=spec.reason,
            unavailable_until=start + timedelta(days=4) if spec.reason else None,
            member_count=spec.members,
            skills=list(spec.skills),
            is_exercise=True,
            contact_name=f"Koordinator {spec.name.split(' (')[0]}",
            contact_phone=f"0812-0000-{i:04d}",
            updated_by=ACTOR,
        )
        if spec.assigned_to:
            scene = geography.centre(spec.assigned_to)
            moving = spec.status in ("en_route", "returning")
            team.last_lat = round((scene.y + base.y) / 2 if moving else scene.y, 5)
            team.last_lon = round((scene.x + base.x) / 2 if moving else scene.x, 5)
        session.add(team)
        session.flush()
        if spec.assigned_to:
            assigned_at = start + timedelta(hours=2 + i)
            returning = spec.status == "returning"  # its assignment has ended
            session.add(
                Deployment(
                    team_id=team.id,
                    incident_id=incident_id,
                    kecamatan_code=spec.assigned_to,
                    task=spec.task,
                    expected_days=7,
                    assigned_by=COORDINATOR,
                    assigned_at=assigned_at,
                    ended_at=assigned_at + timedelta(hours=12) if returning else None,
                    ended_by=COORDINATOR if returning else None,
                )
            )


def _add_reports(
    session: Session, geography: Geography, scenario: Scenario, incident_id: int, start: datetime
) -> None:
    for n, (code, figures) in enumerate(scenario.impacts.items()):
        for version, share in ((1, FIRST_REPORT_SHARE), (2, 1.0)):
            numbers = (round(v * share) for v in figures)
            values = dict(zip(scenario.figure_names, numbers, strict=True))
            displaced = values["displaced"]
            session.add(
                ImpactReport(
                    incident_id=incident_id,
                    kecamatan_code=code,
                    source="tksk",
                    version=version,
                    reporter=f"TKSK Kec. {geography.name(code)} (Latihan)",
                    report_time=start + timedelta(hours=6 if version == 1 else 18, minutes=n),
                    verification="verified" if version == 1 or n % 3 else "unverified",
                    verified_by="Operator Pusdalops (Latihan)" if version == 1 or n % 3 else None,
                    affected_people=displaced * 3,
                    **{"affected_families": displaced * 3 // 4, **values},
                    needs=[
                        {"item": item, "qty": max(1, displaced * a // b)}
                        for item, a, b in scenario.needs
                    ],
                    aid_delivered=[
                        {
                            "item": "sembako (paket)",
                            "qty": displaced // 5,
                            "date": (start + timedelta(hours=12)).date().isoformat(),
                        }
                    ]
                    if version == 2
                    else [],
                    notes="Skenario latihan; angka rekaan.",
                )
            )


def _add_logistics(session: Session, scenario: Scenario, incident_id: int, start: datetime) -> None:
    """The scenario's warehouses with their stock, shelters, dapur umum with a day of meals,
    and its dispatches (received or still in transit)."""
    today = start.date()
    warehouses = {}
    for place in scenario.warehouses:
        warehouse = Warehouse(
            name=place.name,
            kind=place.kind,
            kecamatan_code=place.kecamatan,
            kabupaten_code=place.kecamatan[:5],
            lat=place.lat,
            lon=place.lon,
            is_exercise=True,
            created_by=ACTOR,
        )
        session.add(warehouse)
        session.flush()
        warehouses[place.name] = warehouse.id
        for item, batch, quantity, days in place.stock:
            expires = None if days is None else today + timedelta(days=days)
            session.add(
                StockMovement(
                    warehouse_id=warehouse.id,
                    item=item,
                    batch=batch,
                    expires_on=expires,
                    quantity=quantity,
                    kind="opening",
                    document="Stock opname (Latihan)",
                    at=start - timedelta(days=30),
                    by=ACTOR,
                )
            )
    shelters = {}
    for place in scenario.shelters:
        people, families, toddlers, pregnant, elderly, disabled = place.people
        shelter = Shelter(
            incident_id=incident_id,
            name=place.name,
            kecamatan_code=place.kecamatan,
            lat=place.lat,
            lon=place.lon,
            capacity=people + people // 5,
            people=people,
            families=families,
            toddlers=toddlers,
            pregnant=pregnant,
            elderly=elderly,
            disabled=disabled,
            opened_on=today,
            updated_by=ACTOR,
        )
        session.add(shelter)
        session.flush()
        shelters[place.name] = shelter.id
    for place in scenario.kitchens:
        team = session.scalar(select(Team.id).where(Team.name == place.team))
        kitchen = Kitchen(
            incident_id=incident_id,
            name=place.name,
            kecamatan_code=place.kecamatan,
            lat=place.lat,
            lon=place.lon,
            team_id=team,
            started_on=today,
            updated_by=ACTOR,
        )
        session.add(kitchen)
        session.flush()
        for meal in ("pagi", "siang", "malam"):
            session.add(
                MealCount(
                    kitchen_id=kitchen.id,
                    day=today,
                    meal=meal,
                    portions=place.portions,
                    recorded_by=COORDINATOR,
                )
            )
    _add_dispatches(session, scenario, incident_id, start, warehouses, shelters)


def _add_dispatches(
    session: Session,
    scenario: Scenario,
    incident_id: int,
    start: datetime,
    warehouses: dict[str, int],
    shelters: dict[str, int],
) -> None:
    stock = {
        (p.name, item): (batch, days)
        for p in scenario.warehouses
        for item, batch, _, days in p.stock
    }
    for n, sent in enumerate(scenario.dispatches):
        shelter = session.get(Shelter, shelters[sent.shelter])
        dispatch = Dispatch(
            incident_id=incident_id,
            warehouse_id=warehouses[sent.warehouse],
            kecamatan_code=shelter.kecamatan_code,
            shelter_id=shelter.id,
            carrier="Truk Dinsos (Latihan)",
            created_at=start + timedelta(hours=4 + n),
            created_by=COORDINATOR,
        )
        if sent.received:
            dispatch.received = dict(sent.lines)
            dispatch.received_at = start + timedelta(hours=8 + n)
            dispatch.received_by = "Koordinator Posko (Latihan)"
            dispatch.recorded_by = COORDINATOR
        session.add(dispatch)
        session.flush()
        for item, quantity in sent.lines:
            batch, days = stock[(sent.warehouse, item)]
            session.add(
                StockMovement(
                    warehouse_id=dispatch.warehouse_id,
                    item=item,
                    batch=batch,
                    expires_on=None if days is None else start.date() + timedelta(days=days),
                    quantity=-quantity,
                    kind="dispatch",
                    dispatch_id=dispatch.id,
                    at=dispatch.created_at,
                    by=COORDINATOR,
                )
            )
