"""Hazard events and feed status in the store: upserts from the ingest worker, reads for pages.

Each BMKG earthquake is one row however many BMKG feeds list it (keyed by its UTC time);
a USGS solution of the same event is kept as its own row, linked with `duplicate_of_id`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from command_center.geography import Geography
from command_center.models import (
    FeedStatus,
    FetchLog,
    Forecast,
    HazardEvent,
    Incident,
    IncidentArea,
)
from command_center.services.exposure import affected_kecamatan, haversine_km
from command_center.services.incidents import ProposalRules, common_area, proposal_reason
from command_center.sources.bmkg_forecast import Forecast as BmkgForecast
from command_center.sources.bmkg_nowcast import WeatherWarning
from command_center.sources.bmkg_quakes import Quake
from command_center.store import record_audit
from command_center.times import utcnow

SAME_EVENT_SECONDS = 60
SAME_EVENT_KM = 100.0
SAME_EVENT_MAGNITUDE = 0.7


@dataclass(frozen=True)
class SaveResult:
    inserted: int
    updated: int
    changed_ids: tuple[int, ...]


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


def save_quakes(session: Session, quakes: list[Quake]) -> SaveResult:
    """Insert new earthquakes, update changed ones (never duplicate), link cross-source twins."""
    inserted = updated = 0
    changed: list[HazardEvent] = []
    for source in {q.source for q in quakes}:
        batch = [q for q in quakes if q.source == source]
        existing = {
            e.source_event_id: e
            for e in session.scalars(
                select(HazardEvent).where(
                    HazardEvent.source == source,
                    HazardEvent.source_event_id.in_([q.event_id for q in batch]),
                )
            )
        }
        for quake in batch:
            fields, details = _quake_fields(quake), _quake_details(quake)
            row = existing.get(quake.event_id)
            if row is None:
                row = HazardEvent(
                    source=source, source_event_id=quake.event_id, details=details, **fields
                )
                session.add(row)
                existing[quake.event_id] = row
                inserted += 1
            else:
                fields["location_text"] = _preferred_location(
                    row.location_text, quake.location_text
                )
                merged = {**row.details, **details}
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


def _link_twins(session: Session, rows: list[HazardEvent]) -> None:
    """Mark a USGS row as a duplicate of the BMKG row of the same event: within a minute,
    100 km and 0.7 magnitude units. One query for the whole batch."""
    if not rows:
        return
    window = timedelta(seconds=SAME_EVENT_SECONDS)
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
            if other.source == row.source or abs(other.time_utc - row.time_utc) > window:
                continue
            km = float(haversine_km(row.lat, row.lon, other.lat, other.lon))
            sizes = (row.magnitude, other.magnitude)
            close = None in sizes or abs(sizes[0] - sizes[1]) <= SAME_EVENT_MAGNITUDE  # type: ignore[operator]
            if km <= SAME_EVENT_KM and close:
                primary, twin = (row, other) if row.source == "bmkg" else (other, row)
                twin.duplicate_of_id = primary.id


def save_warnings(session: Session, warnings: list[WeatherWarning]) -> SaveResult:
    """Insert CAP warnings not stored yet (a CAP alert never changes once sent)."""
    known = known_warning_ids(session, [w.identifier for w in warnings])
    added = []
    for warning in warnings:
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
            },
        )
        session.add(row)
        known.add(warning.identifier)
        added.append(row)
    session.flush()
    return SaveResult(len(added), 0, tuple(r.id for r in added))


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


def propose_incidents(
    session: Session,
    geography: Geography,
    event_ids: tuple[int, ...],
    rules: ProposalRules,
    min_mmi: float,
) -> list[int]:
    """Create a *proposed* incident for each new or changed earthquake that qualifies.

    The affected area is every kecamatan at estimated MMI >= `min_mmi`. An event that already
    has an incident is left alone. Returns the new incidents' ids.
    """
    created = []
    for event in session.scalars(select(HazardEvent).where(HazardEvent.id.in_(event_ids))):
        if event.kind != "earthquake" or event.duplicate_of_id is not None or event.lat is None:
            continue
        key = f"{event.source}-{event.source_event_id}"
        if session.scalar(select(Incident.id).where(Incident.key == key)) is not None:
            continue
        affected = affected_kecamatan(
            geography.points,
            event.magnitude or 0.0,
            event.depth_km or 10.0,
            event.lat,
            event.lon,
            min_mmi,
        )
        felt = max((level[1] for level in event.details.get("felt", [])), default=0)
        reason = proposal_reason(
            event.magnitude,
            event.depth_km,
            geography.locate(event.lat, event.lon).method == "inside",
            felt,
            event.tsunami_potential,
            len(affected),
            rules,
        )
        if reason is None:
            continue
        incident = Incident(
            key=key,
            name=f"Gempa M{event.magnitude or 0:.1f} {event.location_text}"[:200],
            kind="gempa_bumi",
            status="proposed",
            hazard_event_id=event.id,
            kabupaten_code=common_area(affected["kode_kec"]) if len(affected) else None,
            started_at=event.time_utc,
            areas=[IncidentArea(kecamatan_code=code) for code in affected["kode_kec"]],
        )
        session.add(incident)
        session.flush()
        record_audit(
            session, "ingest", "propose", "incident", incident.id, after={"reason": reason}
        )
        created.append(incident.id)
    return created


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
