"""The training scenario ("Latihan"): an M5.6 earthquake in Kabupaten Cianjur, Jawa Barat.

Figures are our own, plausible but invented; kecamatan codes are real Kemendagri codes and are
checked against the boundary layer. Loading is idempotent: a second run finds the scenario and
changes nothing, unless asked to reset it. Times are relative to the moment of loading, so the
scenario always looks current.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from command_center.geography import Geography
from command_center.models import (
    FIGURES,
    Deployment,
    HazardEvent,
    ImpactReport,
    Incident,
    IncidentArea,
    Sitrep,
    Team,
)
from command_center.store import record_audit, sync_areas
from command_center.times import utcnow

INCIDENT_KEY = "latihan-gempa-cianjur"
EVENT_ID = "latihan-gempa-cianjur"
ACTOR = "demo"
COORDINATOR = "Koordinator Tagana Jawa Barat (Latihan)"

# kecamatan: (deaths, missing, injured_severe, injured_light, displaced, shelters,
#             houses_heavy, houses_moderate, houses_light) in the second, newer report
IMPACTS = {
    "32.03.11": (41, 6, 38, 210, 8200, 24, 920, 1300, 2100),  # Cugenang, near the epicentre
    "32.03.01": (12, 1, 25, 160, 5400, 18, 410, 880, 1900),  # Cianjur
    "32.03.10": (9, 2, 14, 95, 3100, 11, 300, 520, 1100),  # Pacet
    "32.03.02": (7, 0, 11, 80, 2600, 9, 260, 450, 980),  # Warungkondang
    "32.03.27": (5, 1, 9, 60, 1900, 7, 180, 340, 760),  # Gekbrong
    "32.03.04": (4, 0, 8, 55, 1500, 6, 120, 300, 700),  # Cilaku
    "32.03.07": (3, 0, 6, 40, 1200, 5, 90, 260, 640),  # Karangtengah
    "32.03.28": (3, 0, 5, 35, 950, 4, 70, 210, 520),  # Cipanas
    "32.03.13": (2, 0, 4, 28, 700, 3, 45, 160, 430),  # Sukaresmi
    "32.03.09": (1, 0, 3, 22, 520, 3, 30, 120, 380),  # Sukaluyu
    "32.03.08": (1, 0, 2, 18, 400, 2, 22, 95, 300),  # Mande
    "32.03.03": (0, 0, 2, 15, 310, 2, 15, 80, 260),  # Cibeber
    "32.03.05": (0, 0, 1, 12, 220, 1, 10, 60, 210),  # Ciranjang
    "32.03.06": (0, 0, 1, 9, 150, 1, 6, 40, 150),  # Bonjogpicung
    "32.03.31": (0, 0, 0, 6, 90, 1, 3, 25, 110),  # Haurwangi
}
FIGURE_NAMES = (*FIGURES[:6], *FIGURES[8:11])  # the figures IMPACTS gives, in its order
FIRST_REPORT_SHARE = 0.6  # the first reports counted about 60 % of what the second found


@dataclass(frozen=True)
class DemoTeam:
    name: str
    kind: str
    home_kecamatan: str
    status: str
    members: int
    skills: tuple[str, ...]
    assigned_to: str | None = None
    task: str = ""
    reason: str | None = None


TEAMS = (
    DemoTeam(
        "Tagana Kab. Cianjur 1 (Latihan)",
        "tagana",
        "32.03.01",
        "on_scene",
        18,
        ("evakuasi", "dapur umum", "shelter"),
        "32.03.11",
        "Evakuasi dan dapur umum",
    ),
    DemoTeam(
        "Tagana Kab. Cianjur 2 (Latihan)",
        "tagana",
        "32.03.01",
        "standby",
        12,
        ("logistik", "psikososial"),
    ),
    DemoTeam(
        "Tagana Kab. Sukabumi (Latihan)",
        "tagana",
        "32.02.01",
        "on_scene",
        15,
        ("SAR air", "evakuasi", "medis dasar"),
        "32.03.10",
        "Pencarian korban hilang",
    ),
    DemoTeam(
        "Tagana Kab. Bogor (Latihan)",
        "tagana",
        "32.01.01",
        "en_route",
        14,
        ("dapur umum", "logistik"),
        "32.03.02",
        "Dapur umum pengungsian",
    ),
    DemoTeam(
        "Tagana Kab. Bandung (Latihan)",
        "tagana",
        "32.04.37",
        "returning",
        10,
        ("shelter", "huntara"),
        "32.03.01",
        "Pendirian tenda pengungsian",
    ),
    DemoTeam(
        "Tagana Kab. Garut (Latihan)",
        "tagana",
        "32.05.01",
        "standby",
        16,
        ("psikososial", "dapur umum"),
    ),
    DemoTeam(
        "Tagana Kota Bandung (Latihan)",
        "tagana",
        "32.73.01",
        "standby",
        11,
        ("medis dasar", "evakuasi"),
    ),
    DemoTeam(
        "Tagana Kab. Purwakarta (Latihan)",
        "tagana",
        "32.14.01",
        "unavailable",
        9,
        ("logistik",),
        reason="Kendaraan operasional dalam perbaikan",
    ),
    DemoTeam(
        "TKSK Kec. Cugenang (Latihan)",
        "tksk",
        "32.03.11",
        "on_scene",
        1,
        ("pendataan",),
        "32.03.11",
        "Pendataan pengungsi",
    ),
    DemoTeam(
        "Karang Taruna Kec. Pacet (Latihan)",
        "karang_taruna",
        "32.03.10",
        "standby",
        20,
        ("logistik", "dapur umum"),
    ),
)


def is_loaded(engine: Engine) -> bool:
    with Session(engine) as session:
        return session.scalar(select(Incident.id).where(Incident.key == INCIDENT_KEY)) is not None


def remove(engine: Engine) -> None:
    """Delete the scenario's rows (its incident, event and exercise teams) in one transaction."""
    with Session(engine) as session, session.begin():
        for incident in session.scalars(select(Incident).where(Incident.key == INCIDENT_KEY)):
            for model in (ImpactReport, Deployment, Sitrep):
                for row in session.scalars(select(model).where(model.incident_id == incident.id)):
                    session.delete(row)
            session.delete(incident)
        session.flush()
        for team in session.scalars(select(Team).where(Team.is_exercise)):
            session.delete(team)
        for event in session.scalars(select(HazardEvent).where(HazardEvent.source == "latihan")):
            session.delete(event)
        record_audit(session, ACTOR, "remove", "scenario", INCIDENT_KEY)


def load(engine: Engine, geography: Geography, reset: bool = False) -> bool:
    """Load the scenario; returns False when it was already there (and `reset` is False)."""
    if is_loaded(engine):
        if not reset:
            return False
        remove(engine)
    sync_areas(engine, geography.area_rows())  # its kecamatan and teams refer to areas
    start = utcnow() - timedelta(hours=20)
    for code in (*IMPACTS, *(t.home_kecamatan for t in TEAMS)):
        geography.validate_code(code)
    with Session(engine) as session, session.begin():
        event = HazardEvent(
            source="latihan",
            source_event_id=EVENT_ID,
            kind="earthquake",
            time_utc=start,
            lat=-6.84,
            lon=107.05,
            depth_km=10.0,
            magnitude=5.6,
            location_text="10 km BaratDaya KAB-CIANJUR-JABAR (LATIHAN)",
            felt="V-VI Cianjur, IV Sukabumi, III Bandung",
            tsunami_potential=False,
            details={
                "exercise": True,
                "felt": [[5, 6, "Cianjur"], [4, 4, "Sukabumi"], [3, 3, "Bandung"]],
            },
        )
        session.add(event)
        session.flush()
        incident = Incident(
            key=INCIDENT_KEY,
            hazard_event_id=event.id,
            name="LATIHAN Gempa M5,6 Kabupaten Cianjur",
            kind="gempa_bumi",
            status="open",
            kabupaten_code="32.03",
            started_at=start,
            is_exercise=True,
            areas=[IncidentArea(kecamatan_code=code) for code in IMPACTS],
        )
        session.add(incident)
        session.flush()
        _add_teams(session, geography, incident.id, start)
        _add_reports(session, geography, incident.id, start)
        record_audit(
            session, ACTOR, "load", "scenario", INCIDENT_KEY, after={"incident": incident.id}
        )
    return True


def _add_teams(session: Session, geography: Geography, incident_id: int, start: datetime) -> None:
    for i, spec in enumerate(TEAMS):
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


def _add_reports(session: Session, geography: Geography, incident_id: int, start: datetime) -> None:
    for n, (code, figures) in enumerate(IMPACTS.items()):
        for version, share in ((1, FIRST_REPORT_SHARE), (2, 1.0)):
            values = dict(zip(FIGURE_NAMES, (round(v * share) for v in figures), strict=True))
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
                    affected_families=displaced * 3 // 4,
                    needs=[
                        {"item": "tenda", "qty": max(1, displaced // 40)},
                        {"item": "selimut", "qty": displaced},
                        {"item": "air bersih (liter)", "qty": displaced * 15},
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
                    **values,
                )
            )
