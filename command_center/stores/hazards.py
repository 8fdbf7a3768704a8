"""Hazard events and feed status in the store: upserts from the ingest worker, reads for pages.

Each BMKG earthquake is one row however many BMKG feeds list it (keyed by its UTC time), and
however often BMKG revises it; a USGS or GDACS solution of the same event is kept as its own
row, linked with `duplicate_of_id`. CAP warnings are kept as sent, an update or cancellation
marking the alert it replaces; a tsunami warning is one row per event, updated per message.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from command_center.base.models import (
    FeedStatus,
    FetchLog,
    Forecast,
    HazardEvent,
)
from command_center.base.times import utcnow
from command_center.services.hazards import (
    GDACS_KINDS,
    REVISION_SECONDS,
    TSUNAMI_WARNING_HOURS,
    TWIN_SECONDS,
    Solution,
    is_revision,
    is_twin,
)
from command_center.sources.bmkg_forecast import Forecast as BmkgForecast
from command_center.sources.bmkg_nowcast import WeatherWarning
from command_center.sources.bmkg_quakes import Quake
from command_center.sources.gdacs import GdacsEvent
from command_center.sources.inatews import InatewsMessage


@dataclass(frozen=True)
class SaveResult:
    inserted: int
    updated: int
    changed_ids: tuple[int, ...]
    hotspot_days: tuple[date, ...] = ()  # WIB days with new hotspots (fires to re-examine)


def _quake_fields(quake: Quake) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": "earthquake",
        "time_utc": quake.time_utc,
        "lat": quake.lat,
        "lon": quake.lon,
        "depth_km": quake.depth_km,
        "magnitude": quake.magnitude,
        "location_text": quake.location_text,
    }
    if quake.felt_text:
        fields["felt"] = quake.felt_text
    if quake.tsunami_potential is not None:
        fields["tsunami_potential"] = quake.tsunami_potential
    return fields


def _quake_details(quake: Quake) -> dict[str, Any]:
    details = dict(quake.details)
    if quake.shakemap_url:
        details["shakemap_url"] = quake.shakemap_url
    if quake.felt:
        details["felt"] = [[f.mmi_min, f.mmi_max, f.place] for f in quake.felt]
    return details


def _preferred_location(old: str | None, new: str) -> str:
    """BMKG words one place two ways ("Pusat gempa berada di darat 9 km tenggara Lombok Barat"
    in autogempa/gempadirasakan, "9 km Tenggara LOMBOKBARAT-NTB" in gempaterkini): keep the
    prose once seen, so feeds listing the same event do not flip the row back and forth."""
    if old and old.lower().startswith("pusat gempa") and not new.lower().startswith("pusat gempa"):
        return old
    return new


def _revision(quake: Quake) -> dict[str, Any]:
    return {
        "event_id": quake.event_id,
        "time_utc": quake.time_utc.isoformat(),
        "lat": quake.lat,
        "lon": quake.lon,
        "depth_km": quake.depth_km,
        "magnitude": quake.magnitude,
    }


def _solution(quake: Quake | HazardEvent) -> Solution:
    return Solution(quake.time_utc, quake.lat, quake.lon, quake.magnitude)  # type: ignore[arg-type]


def save_quakes(session: Session, quakes: list[Quake]) -> SaveResult:
    """Insert new earthquakes, update changed ones (never duplicate), link cross-source twins.

    A new solution of an event the same source already has (see `services.hazards.is_revision`)
    updates that row and is added to its `details["revisions"]`; a superseded solution listed
    again (gempaterkini keeps both) changes nothing. Feeds list newest first, so a payload is
    read from its end: the solution listed first is the latest.
    """
    inserted = updated = 0
    changed: list[HazardEvent] = []
    for quake in reversed(quakes):
        row = _stored_quake(session, quake)
        revisions = list(row.details.get("revisions", [])) if row is not None else []
        known = [r["event_id"] for r in revisions]
        if row is not None and quake.event_id in known[:-1]:
            continue  # an earlier solution, superseded already
        fields, details = _quake_fields(quake), _quake_details(quake)
        if row is None:
            row = HazardEvent(
                source=quake.source,
                source_event_id=quake.event_id,
                details={**details, "revisions": [_revision(quake)]},
                **fields,
            )
            session.add(row)
            session.flush()
            inserted += 1
        else:
            if quake.event_id not in known:
                revisions.append(_revision(quake))
            fields["location_text"] = _preferred_location(row.location_text, quake.location_text)
            merged = {**row.details, **details, "revisions": revisions}
            if all(getattr(row, k) == v for k, v in fields.items()) and merged == row.details:
                continue
            for key, value in fields.items():
                setattr(row, key, value)
            row.details = merged
            updated += 1
        changed.append(row)
    session.flush()
    _link_twins(session, changed)
    return SaveResult(inserted, updated, tuple(dict.fromkeys(row.id for row in changed)))


def _stored_quake(session: Session, quake: Quake) -> HazardEvent | None:
    """The row holding this solution: by its id, else a revision of it from the same source."""
    exact = session.scalar(
        select(HazardEvent).where(
            HazardEvent.source == quake.source, HazardEvent.source_event_id == quake.event_id
        )
    )
    if exact is not None:
        return exact
    window = timedelta(seconds=REVISION_SECONDS)
    nearby = session.scalars(
        select(HazardEvent).where(
            HazardEvent.source == quake.source,
            HazardEvent.kind == "earthquake",
            HazardEvent.time_utc.between(quake.time_utc - window, quake.time_utc + window),
        )
    )
    return next((row for row in nearby if is_revision(_solution(row), _solution(quake))), None)


def _link_twins(session: Session, rows: list[HazardEvent]) -> None:
    """Mark a second source's row as a duplicate of the BMKG row of the same event (see
    `services.hazards.is_twin`). One query for the whole batch."""
    if not rows:
        return
    window = timedelta(seconds=TWIN_SECONDS)
    times = [r.time_utc for r in rows]
    query = select(HazardEvent).where(
        HazardEvent.kind == "earthquake",
        HazardEvent.time_utc.between(min(times) - window, max(times) + window),
    )
    if len({r.source for r in rows}) == 1:
        query = query.where(HazardEvent.source != rows[0].source)
    candidates = session.scalars(query).all()
    for row in rows:
        for other in candidates:
            if other.source != row.source and is_twin(_solution(row), _solution(other)):
                primary, twin = (row, other) if row.source == "bmkg" else (other, row)
                twin.duplicate_of_id = primary.id


def save_warnings(session: Session, warnings: list[WeatherWarning]) -> SaveResult:
    """Insert CAP warnings not stored yet (a CAP message never changes once sent). An `Update`
    or `Cancel` marks the alerts it references as replaced (`details["replaced_by"]`), and ends
    them now; those rows are among the changed ids, for their proposals to follow."""
    known = known_warning_ids(session, [w.identifier for w in warnings])
    added, replaced = [], []
    for warning in sorted(warnings, key=lambda w: w.sent_utc):
        if warning.identifier in known:
            continue
        lons = [lon for ring in warning.polygons for lon, _ in ring]
        lats = [lat for ring in warning.polygons for _, lat in ring]
        row = HazardEvent(
            source="bmkg_nowcast",
            source_event_id=warning.identifier,
            kind="weather_warning",
            time_utc=warning.sent_utc,
            expires_at=warning.expires_utc,
            lat=sum(lats) / len(lats) if lats else None,
            lon=sum(lons) / len(lons) if lons else None,
            location_text=warning.area,
            felt=None,
            tsunami_potential=False,
            details={
                "event": warning.event,
                "severity": warning.severity,
                "urgency": warning.urgency,
                "certainty": warning.certainty,
                "headline": warning.headline,
                "description": warning.description,
                "link": warning.link,
                "effective": warning.effective_utc.isoformat() if warning.effective_utc else None,
                "polygons": [list(map(list, ring)) for ring in warning.polygons],
                "msg_type": warning.msg_type,
                "references": list(warning.references),
            },
        )
        if warning.msg_type in ("Update", "Cancel") and warning.references:
            for earlier in session.scalars(
                select(HazardEvent).where(
                    HazardEvent.source == "bmkg_nowcast",
                    HazardEvent.source_event_id.in_(warning.references),
                )
            ):
                earlier.details = {
                    **earlier.details,
                    "replaced_by": warning.identifier,
                    "cancelled": warning.msg_type == "Cancel",
                }
                earlier.expires_at = warning.sent_utc
                replaced.append(earlier)
        if warning.msg_type == "Cancel":
            row.expires_at = warning.sent_utc  # a cancellation is never itself in force
        session.add(row)
        known.add(warning.identifier)
        added.append(row)
    session.flush()
    ids = [r.id for r in replaced] + [r.id for r in added]
    return SaveResult(len(added), len(replaced), tuple(dict.fromkeys(ids)))


def save_tsunami(session: Session, messages: list[InatewsMessage]) -> SaveResult:
    """Store InaTEWS messages: the earthquake as any BMKG earthquake, and a tsunami warning as
    one row per event whose later messages (PD-2.., the end message) update it; every message
    is kept in `details["messages"]`."""
    quakes = save_quakes(session, [m.quake for m in messages])
    inserted, updated, changed = quakes.inserted, quakes.updated, list(quakes.changed_ids)
    for message in messages:
        warning = message.warning
        if warning is None:
            continue
        row = session.scalar(
            select(HazardEvent).where(
                HazardEvent.source == "bmkg_inatews",
                HazardEvent.source_event_id == warning.event_id,
            )
        )
        entry = {
            "identifier": warning.identifier,
            "sent": warning.sent_utc.isoformat(),
            "message": warning.message,
            "subject": warning.subject,
            "ended": warning.ended,
            "areas": [[a.province, a.district, a.level] for a in warning.areas],
        }
        if row is None:
            row = HazardEvent(
                source="bmkg_inatews",
                source_event_id=warning.event_id,
                kind="tsunami_warning",
                time_utc=message.quake.time_utc,
                lat=message.quake.lat,
                lon=message.quake.lon,
                depth_km=message.quake.depth_km,
                magnitude=message.quake.magnitude,
                location_text=message.quake.location_text,
                tsunami_potential=True,
                details={"messages": []},
            )
            session.add(row)
            inserted += 1
        elif any(m["identifier"] == warning.identifier for m in row.details["messages"]):
            continue
        else:
            updated += 1
        messages_so_far = sorted([*row.details["messages"], entry], key=lambda m: m["sent"])
        latest = messages_so_far[-1]
        row.details = {
            **row.details,
            "messages": messages_so_far,
            "headline": warning.headline if latest is entry else row.details.get("headline"),
            "instruction": warning.instruction,
            "areas": latest["areas"] or row.details.get("areas", []),
            "ended": any(m["ended"] for m in messages_so_far),
        }
        last_sent = datetime.fromisoformat(latest["sent"])
        row.expires_at = (
            last_sent
            if row.details["ended"]
            else last_sent + timedelta(hours=TSUNAMI_WARNING_HOURS)
        )
        session.flush()
        changed.append(row.id)
    return SaveResult(inserted, updated, tuple(dict.fromkeys(changed)))


def save_gdacs(session: Session, events: list[GdacsEvent]) -> SaveResult:
    """Upsert GDACS events (one row per event; a new episode updates it, its alert levels kept
    in `details["episodes"]`); an earthquake is linked to BMKG's solution like a USGS one."""
    inserted = updated = 0
    changed: list[HazardEvent] = []
    for event in events:
        key = f"{event.event_type}{event.event_id}"
        row = session.scalar(
            select(HazardEvent).where(
                HazardEvent.source == "gdacs", HazardEvent.source_event_id == key
            )
        )
        episode = [event.episode_id, event.alert_level, event.from_utc.isoformat()]
        details = {
            "event_type": event.event_type,
            "alert_level": event.alert_level,
            "title": event.title,
            "headline": event.title,
            "country": event.country,
            "severity": event.severity,
            "link": event.link,
            "is_current": event.is_current,
        }
        fields = {
            "kind": GDACS_KINDS.get(event.event_type, "other"),
            "time_utc": event.from_utc,
            "lat": event.lat,
            "lon": event.lon,
            "magnitude": event.magnitude,
            "location_text": event.country,
            "expires_at": None if event.is_current else event.to_utc,
        }
        if row is None:
            row = HazardEvent(
                source="gdacs",
                source_event_id=key,
                tsunami_potential=False,
                details={**details, "episodes": [episode]},
                **fields,
            )
            session.add(row)
            inserted += 1
        else:
            episodes = row.details.get("episodes", [])
            if episode in episodes and all(getattr(row, k) == v for k, v in fields.items()):
                continue
            row.details = {**row.details, **details, "episodes": [*episodes, episode]}
            for name, value in fields.items():
                setattr(row, name, value)
            updated += 1
        changed.append(row)
    session.flush()
    _link_twins(session, [r for r in changed if r.kind == "earthquake"])
    return SaveResult(inserted, updated, tuple(r.id for r in changed))


def known_warning_ids(session: Session, identifiers: list[str]) -> set[str]:
    """The CAP identifiers among `identifiers` that are stored already."""
    return set(
        session.scalars(
            select(HazardEvent.source_event_id).where(
                HazardEvent.source == "bmkg_nowcast", HazardEvent.source_event_id.in_(identifiers)
            )
        )
    )


def feed_state(engine: Engine, feed: str) -> FeedStatus | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.get(FeedStatus, feed)


def record_fetch(
    session: Session,
    feed: str,
    outcome: str,
    detail: str | None = None,
    items: int = 0,
    duration_ms: int = 0,
    etag: str | None = None,
    last_modified: str | None = None,
    at: datetime | None = None,
) -> None:
    """Log one fetch and update the feed's status, in the caller's transaction."""
    now = at or utcnow()
    status = session.get(FeedStatus, feed) or FeedStatus(feed=feed)
    session.add(status)
    status.last_attempt_at, status.last_outcome = now, outcome
    if outcome == "error":
        status.last_error = detail
        status.failing_since = status.failing_since or now
    else:
        status.last_ok_at, status.last_error, status.failing_since = now, None, None
        status.etag = etag or status.etag
        status.last_modified = last_modified or status.last_modified
    session.add(
        FetchLog(
            feed=feed, at=now, outcome=outcome, detail=detail, items=items, duration_ms=duration_ms
        )
    )


def feed_statuses(engine: Engine) -> pd.DataFrame:
    """Every feed's latest outcome: `feed, last_attempt_at, last_ok_at, last_outcome, ...`."""
    with engine.connect() as conn:
        result = conn.execute(select(FeedStatus.__table__).order_by(FeedStatus.feed))
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def latest_events(
    engine: Engine, limit: int = 200, kind: str | None = None, event_id: int | None = None
) -> pd.DataFrame:
    """The newest events (newest first), or just `event_id` with its twins; a twin from a
    second source folds into its primary row, whose `sources` lists both."""
    query = select(HazardEvent).order_by(HazardEvent.time_utc.desc()).limit(limit)
    if kind:
        query = query.where(HazardEvent.kind == kind)
    if event_id is not None:
        query = query.where(
            (HazardEvent.id == event_id) | (HazardEvent.duplicate_of_id == event_id)
        )
    with Session(engine) as session:
        rows = session.scalars(query).all()
        sources: dict[int, list[str]] = {}
        for row in rows:
            primary = row.duplicate_of_id or row.id
            sources.setdefault(primary, []).append(row.source)
        return pd.DataFrame(
            [
                {
                    "id": r.id,
                    "source": r.source,
                    "sources": ", ".join(sorted(sources[r.id])),
                    "kind": r.kind,
                    "time_utc": r.time_utc,
                    "lat": r.lat,
                    "lon": r.lon,
                    "depth_km": r.depth_km,
                    "magnitude": r.magnitude,
                    "location_text": r.location_text,
                    "felt": r.felt,
                    "tsunami_potential": r.tsunami_potential,
                    "expires_at": r.expires_at,
                    "details": r.details,
                }
                for r in rows
                if r.duplicate_of_id is None
            ],
            columns=[
                "id",
                "source",
                "sources",
                "kind",
                "time_utc",
                "lat",
                "lon",
                "depth_km",
                "magnitude",
                "location_text",
                "felt",
                "tsunami_potential",
                "expires_at",
                "details",
            ],
        )


def save_forecast(session: Session, forecast: BmkgForecast) -> SaveResult:
    """Keep the newest forecast per kecamatan (`fetched_at` always moves on, so the worker does
    not ask again too soon); counts it as new, updated or unchanged."""
    slots = [{**asdict(slot), "time_utc": slot.time_utc.isoformat()} for slot in forecast.slots]
    row = session.get(Forecast, forecast.kecamatan_code)
    if row is None:
        result, row = SaveResult(1, 0, ()), Forecast(kecamatan_code=forecast.kecamatan_code)
    elif (row.adm4, row.slots) == (forecast.adm4, slots):
        result = SaveResult(0, 0, ())
    else:
        result = SaveResult(0, 1, ())
    row.adm4, row.desa, row.fetched_at, row.slots = forecast.adm4, forecast.desa, utcnow(), slots
    session.add(row)
    return result


def forecasts(engine: Engine, kecamatan_codes: list[str]) -> dict[str, Forecast]:
    """Stored forecasts of these kecamatan, by code (detached rows)."""
    with Session(engine, expire_on_commit=False) as session:
        rows = session.scalars(select(Forecast).where(Forecast.kecamatan_code.in_(kecamatan_codes)))
        return {row.kecamatan_code: row for row in rows}
