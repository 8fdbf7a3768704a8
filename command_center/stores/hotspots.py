"""Satellite hotspots in the store, and the forest and land fires they make.

FIRMS's 24 h and 48 h files (and each poll of the API) list the same detections again: a
detection is stored once, keyed by satellite, time and pixel. A kabupaten where a fire persists
(`services.hotspots.fire_areas`) gets one `forest_fire` hazard event per episode, which the
proposal machinery (`proposal_store`) turns into a `karhutla` incident like any other event.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from command_center.base.geography import Geography
from command_center.base.models import HazardEvent, Hotspot
from command_center.base.times import WIB, utcnow
from command_center.services.hotspots import (
    FireArea,
    FireRules,
    daily_counts,
    fire_areas,
    judged_days,
    wib_day,
)
from command_center.sources.firms import Hotspot as FirmsHotspot

SOURCE, KIND = "firms", "forest_fire"
COLUMNS = ["time_utc", "lat", "lon", "satellite", "instrument", "confidence", "frp_mw"]


def save_hotspots(session: Session, hotspots: list[FirmsHotspot]) -> tuple[int, tuple[date, ...]]:
    """Store the detections not stored yet; returns how many were new and the WIB days they
    fall on (the days whose counts changed)."""
    if not hotspots:
        return 0, ()
    times = [h.time_utc for h in hotspots]
    known = {
        (row.satellite, row.time_utc, row.lat, row.lon)
        for row in session.execute(
            select(Hotspot.satellite, Hotspot.time_utc, Hotspot.lat, Hotspot.lon).where(
                Hotspot.time_utc.between(min(times), max(times))
            )
        )
    }
    fresh = {}
    for h in hotspots:
        key = (h.satellite, h.time_utc, h.lat, h.lon)
        if key not in known:
            fresh[key] = {c: getattr(h, c) for c in COLUMNS} | {"fetched_at": utcnow()}
    if fresh:
        session.execute(insert(Hotspot), list(fresh.values()))
    days = wib_day(pd.Series([row["time_utc"] for row in fresh.values()]))
    return len(fresh), tuple(sorted(set(days)))


def hotspots_between(session: Session, start: datetime, end: datetime) -> pd.DataFrame:
    """Detections from `start` (inclusive) to `end`: `time_utc, lat, lon, satellite,
    instrument, confidence, frp_mw`, oldest first."""
    rows = session.execute(
        select(*(getattr(Hotspot, c) for c in COLUMNS))
        .where(Hotspot.time_utc >= start, Hotspot.time_utc < end)
        .order_by(Hotspot.time_utc)
    ).all()
    return pd.DataFrame(rows, columns=COLUMNS)


def recent(engine: Engine, start: datetime, end: datetime | None = None) -> pd.DataFrame:
    """`hotspots_between` on its own connection, up to now by default."""
    with Session(engine) as session:
        return hotspots_between(session, start, end or utcnow() + timedelta(days=1))


def located(hotspots: pd.DataFrame, geography: Geography) -> pd.DataFrame:
    """The detections inside an Indonesian kecamatan, with its `kode_kec` (a point in the sea
    or across a border is no kecamatan's: never the nearest one's)."""
    if hotspots.empty:
        return hotspots.assign(kode_kec=pd.Series(dtype=str))
    matches = geography.locate_many(list(hotspots["lat"]), list(hotspots["lon"]))
    codes = [m.code if m.method == "inside" else None for m in matches]
    return hotspots.assign(kode_kec=codes).dropna(subset=["kode_kec"])


def day_start(day: date) -> datetime:
    """The UTC moment a WIB day begins."""
    return datetime.combine(day, time(), WIB)


def fire_events(
    session: Session, geography: Geography, rules: FireRules, days: tuple[date, ...]
) -> tuple[int, ...]:
    """Create or extend the `forest_fire` events of the kabupaten where the hotspots on
    `days` (and the days around them) show a persistent fire; returns the events changed."""
    if not days:
        return ()
    first, last = judged_days(days, rules)
    start, end = day_start(first), day_start(last + timedelta(days=1))
    spots = located(hotspots_between(session, start, end), geography)
    changed = []
    for area in fire_areas(daily_counts(spots), rules):
        event = _episode(session, area)
        details = _details(area, rules, event.details if event is not None else None)
        if event is None:
            centre = geography.centre(area.kode_kab)
            event = HazardEvent(
                source=SOURCE,
                source_event_id=f"{area.kode_kab}:{area.first_day.isoformat()}",
                kind=KIND,
                time_utc=_last_seen(spots, area),  # when it was last seen burning
                lat=centre.y,
                lon=centre.x,
                location_text=geography.name(area.kode_kab),
                details=details,
            )
            session.add(event)
        elif event.details == details:
            continue
        else:
            event.details = details
        session.flush()
        changed.append(event.id)
    return tuple(changed)


def _last_seen(spots: pd.DataFrame, area: FireArea) -> datetime:
    """The fire's latest high-confidence detection (so, polled live, a fire that has just
    become persistent is news, not history: `ProposalRules.max_age_h`)."""
    mine = spots["kode_kec"].isin(area.affected) & spots["confidence"].eq("high")
    days = wib_day(spots["time_utc"])
    latest = spots.loc[mine & days.between(area.first_day, area.last_day), "time_utc"].max()
    return pd.Timestamp(latest).to_pydatetime()


def _episode(session: Session, area: FireArea) -> HazardEvent | None:
    """The kabupaten's stored fire this area continues (a day or less apart), if any."""
    stored = session.scalars(
        select(HazardEvent).where(
            HazardEvent.source == SOURCE,
            HazardEvent.source_event_id.startswith(f"{area.kode_kab}:"),
        )
    )
    for event in stored:
        first = date.fromisoformat(event.details["first_day"])
        last = date.fromisoformat(event.details["last_day"])
        if first - timedelta(days=1) <= area.last_day and area.first_day <= last + timedelta(1):
            return event
    return None


def _details(area: FireArea, rules: FireRules, before: dict | None) -> dict:
    """An episode's details, grown (never shrunk) by what this area adds to it."""
    before = before or {}
    persistent = list(dict.fromkeys([*before.get("persistent", []), *area.persistent]))
    affected = list(dict.fromkeys([*persistent, *before.get("kecamatan", []), *area.affected]))
    first = min(area.first_day.isoformat(), before.get("first_day", "9999"))
    return {
        "kode_kab": area.kode_kab,
        "first_day": first,
        "last_day": max(area.last_day.isoformat(), before.get("last_day", "")),
        "persistent": persistent,
        "kecamatan": affected,
        "min_high": rules.min_high,
        "days": rules.days,
    }
