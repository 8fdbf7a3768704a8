"""Volcano activity levels in the store: one hazard event per volcano (`source` "magma",
`kind` "volcano_level"), updated when its level or exclusion zone changes, with every change
kept in `details["history"]`; the latest VONA rides along in `details["vona"]`.

`time_utc` is when the current level was first reported (MAGMA's reports do not say when a
level was set: the end of the first report period that gives it). A report that repeats the
level and zone only moves `details["report_utc"]` on and changes nothing else.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from command_center.base.models import HazardEvent
from command_center.services.volcanoes import LevelChange
from command_center.sources.magma import Exclusion, VolcanoLevel, Vona, name_key, volcano_list
from command_center.stores.hazards import SaveResult

SOURCE, KIND = "magma", "volcano_level"


def _key(level: VolcanoLevel) -> tuple[str, float | None, float | None]:
    """The volcano's id (MAGMA's code from the shipped list, else its name) and crater."""
    known = volcano_list().get(name_key(level.name))
    if known is not None:
        return known.code, known.lat, known.lon
    return f"name:{name_key(level.name)}"[:120], level.lat, level.lon


def _change(level: VolcanoLevel) -> dict[str, Any]:
    return {
        "at": level.report_utc.isoformat(),
        "level": level.level,
        **asdict(level.exclusion),
    }


def save_volcano_levels(session: Session, levels: list[VolcanoLevel]) -> SaveResult:
    """Insert volcanoes not seen yet, update those whose level or zone changed (their ids are
    the changed ones, for proposals to follow); a repeat only moves `report_utc` on."""
    inserted = updated = 0
    changed: list[HazardEvent] = []
    for level in sorted(levels, key=lambda v: v.report_utc):
        code, lat, lon = _key(level)
        row = session.scalar(
            select(HazardEvent).where(
                HazardEvent.source == SOURCE, HazardEvent.source_event_id == code
            )
        )
        details = {
            "name": level.name,
            "code": code,
            "level": level.level,
            "exclusion": asdict(level.exclusion),
            "recommendation": level.recommendation,
            "report_utc": level.report_utc.isoformat(),
        }
        if row is None:
            row = HazardEvent(
                source=SOURCE,
                source_event_id=code,
                kind=KIND,
                time_utc=level.report_utc,
                lat=lat,
                lon=lon,
                location_text=level.name,
                tsunami_potential=False,
                details={**details, "history": [_change(level)]},
            )
            session.add(row)
            inserted += 1
            changed.append(row)
            continue
        if row.details.get("report_utc", "") > details["report_utc"]:
            continue  # an older report than the one stored
        before = (row.details.get("level"), row.details.get("exclusion"))
        if before == (level.level, details["exclusion"]):
            row.details = {**row.details, "report_utc": details["report_utc"]}
            continue
        if before[0] != level.level:
            row.time_utc = level.report_utc
        history = [*row.details.get("history", []), _change(level)]
        row.details = {**row.details, **details, "history": history}
        row.lat, row.lon = lat, lon
        updated += 1
        changed.append(row)
    session.flush()
    return SaveResult(inserted, updated, tuple(row.id for row in changed))


def save_vonas(session: Session, notices: list[Vona]) -> SaveResult:
    """Keep each volcano's newest VONA on its row (matched by MAGMA's code, or by name for a
    volcano not in the shipped list); a VONA changes no level, so no ids are returned for
    proposals."""
    updated = 0
    for notice in sorted(notices, key=lambda n: n.issued_utc):
        keys = (notice.code, f"name:{name_key(notice.volcano)}")
        row = session.scalar(
            select(HazardEvent).where(
                HazardEvent.source == SOURCE, HazardEvent.source_event_id.in_(keys)
            )
        )
        entry = {**asdict(notice), "issued_utc": notice.issued_utc.isoformat()}
        if row is None or row.details.get("vona", {}).get("issued_utc", "") >= entry["issued_utc"]:
            continue
        row.details = {**row.details, "vona": entry}
        updated += 1
    session.flush()
    return SaveResult(0, updated, ())


def exclusion(details: dict[str, Any]) -> Exclusion:
    """The stored zone of a volcano row's details."""
    return Exclusion(**details.get("exclusion", {"radius_km": None}))


def level_change(details: dict[str, Any]) -> LevelChange:
    """The level before and after a volcano row's latest change (a zone-only change keeps
    the level: neither raised nor lowered)."""
    history = details.get("history", [])
    return LevelChange(history[-2]["level"] if len(history) > 1 else None, details["level"])


def volcanoes(engine: Engine, min_level: int = 1) -> pd.DataFrame:
    """Volcanoes at `min_level` or above, highest level first, then most recently changed, then
    by name:
    `id, name, level, changed_at, lat, lon, details`."""
    columns = ["id", "name", "level", "changed_at", "lat", "lon", "details"]
    with Session(engine) as session:
        rows = session.scalars(
            select(HazardEvent).where(HazardEvent.source == SOURCE, HazardEvent.kind == KIND)
        ).all()
        frame = pd.DataFrame(
            [
                (r.id, r.location_text, r.details["level"], r.time_utc, r.lat, r.lon, r.details)
                for r in rows
                if r.details["level"] >= min_level
            ],
            columns=columns,
        )
    order = ["level", "changed_at", "name"]
    return frame.sort_values(order, ascending=[False, False, True]).reset_index(drop=True)
