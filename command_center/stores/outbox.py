"""The alerts outbox: an alert is written in the caller's transaction, beside the change that
caused it, so a change is never committed without its alert nor an alert without its change.
The sender (`workers/alert_sender.py`) delivers what is written here. Messages are Bahasa
Indonesia."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from command_center.base.labels import t
from command_center.base.models import Alert, Area, Incident

LANG = "id"  # alerts go out in Bahasa Indonesia
INCIDENT_TITLES = {
    "incident_proposed": "Usulan kejadian baru",
    "incident_opened": "Kejadian dibuka",
    "incident_phase": "Status darurat",
    "incident_closed": "Kejadian ditutup",
    "sitrep_issued": "Laporan Situasi",
}


def write(
    session: Session,
    rule: str,
    title: str,
    body: str,
    link: str,
    areas: Iterable[str] = (),
    hazard: str | None = None,
    incident_id: int | None = None,
    dedupe_key: str | None = None,
    severity: str | None = None,
    sitrep_id: int | None = None,
) -> Alert | None:
    """Add one alert to the outbox in `session`'s transaction; None when an alert with
    `dedupe_key` was written before (a condition alerts once). `severity` None: the rule's
    (an admin's override is applied when it is sent out). `sitrep_id`: the sitrep whose files
    go out with it."""
    if dedupe_key and session.scalar(select(Alert.id).where(Alert.dedupe_key == dedupe_key)):
        return None
    alert = Alert(
        rule=rule,
        severity=severity or "",
        title=title[:300],
        body=body,
        link=link,
        areas=list(dict.fromkeys(areas)),
        hazard=hazard,
        incident_id=incident_id,
        dedupe_key=dedupe_key,
        sitrep_id=sitrep_id,
        escalation=0,
    )
    session.add(alert)
    return alert


def area_words(session: Session, codes: Iterable[str], most: int = 3) -> str:
    """The names of a few areas, with how many more: "Cianjur, Cugenang +4"."""
    codes = list(codes)
    names = dict(
        session.execute(select(Area.code, Area.name).where(Area.code.in_(codes[:most]))).all()
    )
    shown = [names.get(code, code) for code in codes[:most]]
    more = f" +{len(codes) - most}" if len(codes) > most else ""
    return ", ".join(shown) + more


def incident_alert(
    session: Session,
    incident: Incident,
    rule: str,
    detail: str = "",
    sitrep_id: int | None = None,
) -> None:
    """An alert about an incident: proposed, opened, a phase decree, closed, a sitrep (with
    `sitrep_id`, whose files go out with it)."""
    session.flush()
    codes = [area.kecamatan_code for area in incident.areas]
    where = area_words(session, [incident.kabupaten_code] if incident.kabupaten_code else codes)
    exercise = "[LATIHAN] " if incident.is_exercise else ""
    body = f"{t(f'hazard_{incident.kind}', LANG)} · {where} · {len(codes)} kecamatan"
    write(
        session,
        rule,
        f"{exercise}{INCIDENT_TITLES[rule]}: {incident.name}",
        f"{body}\n{detail}".strip(),
        f"/incidents?incident={incident.id}",
        codes,
        incident.kind,
        incident.id,
        sitrep_id=sitrep_id,
    )
