"""Hazards page: stored BMKG/USGS events, one event's detail, feed health, incident actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from shapely import MultiPolygon, Polygon

from command_center.base import resources
from command_center.base.geography import Geography
from command_center.base.labels import feed_name, magnitude, number, t
from command_center.base.models import FeedStatus, Forecast, HazardEvent, Incident, IncidentArea
from command_center.base.times import age_minutes, format_age, format_wib, utcnow
from command_center.services.exposure import mmi_roman, shaking, strongest
from command_center.services.felt import match_felt
from command_center.services.gazetteer import gazetteer_of
from command_center.services.hazards import GDACS_REACH_KM
from command_center.services.health import feed_state
from command_center.services.volcanoes import level_words, zone_kecamatan
from command_center.stores import common as store
from command_center.stores import hazards as hazard_store
from command_center.stores import volcanoes as volcano_store


@dataclass(frozen=True)
class FeedHealth:
    text: str
    level: str  # "ok", "stale" or "failing"


@resources.cached(FeedStatus, ttl=15)
def feed_health(lang: str) -> list[FeedHealth]:
    """One line per feed: its data's age, visibly stale or failing (since when, why)."""
    stale_after = resources.settings().stale_after_min
    now = utcnow()
    lines = []
    for row in hazard_store.feed_statuses(resources.engine()).itertuples():
        name = feed_name(row.feed, lang)
        state = feed_state(row.feed, row.last_ok_at, row.failing_since, now, stale_after)
        has_data = row.last_ok_at is not None and not pd.isna(row.last_ok_at)
        age = format_age(age_minutes(row.last_ok_at, now), lang) if has_data else None
        if state == "failing":
            since = format_wib(row.failing_since, lang)
            text = t("feed_failing", lang, feed=name, since=since, error=row.last_error)
            last = (
                t("feed_ok", lang, feed="", age=age) if has_data else t("feed_never", lang, feed="")
            )
            lines.append(FeedHealth(f"{text} ·{last}", "failing"))
        elif state == "never":
            lines.append(FeedHealth(t("feed_never", lang, feed=name), "failing"))
        elif state == "stale":
            lines.append(FeedHealth(t("feed_stale", lang, feed=name, age=age), "stale"))
        else:
            lines.append(FeedHealth(t("feed_ok", lang, feed=name, age=age), "ok"))
    return lines


@resources.cached(HazardEvent, ttl=30)
def load_hazard_table(lang: str, limit: int = 200) -> tuple[pd.DataFrame, list[int]]:
    """(labelled table, event ids in table order), newest first; twins shown once."""
    events = hazard_store.latest_events(resources.engine(), limit)
    quakes = events["kind"] == "earthquake"
    labels = [
        f"{format_wib(r.time_utc, lang)} · "
        + ("" if r.kind == "earthquake" else f"{kind_words(r.kind, r.details, lang)} · ")
        + (f"{magnitude(r.magnitude, lang)} " if r.magnitude == r.magnitude and r.magnitude else "")
        + (r.location_text or r.details.get("headline", ""))
        for r in events.itertuples()
    ]
    table = pd.DataFrame(
        {
            t("col_time", lang): [format_wib(v, lang) for v in events["time_utc"]],
            t("col_kind", lang): [kind_words(r.kind, r.details, lang) for r in events.itertuples()],
            t("col_magnitude", lang): events["magnitude"].where(quakes),
            t("col_depth_km", lang): events["depth_km"].where(quakes),
            t("col_location", lang): events["location_text"],
            t("col_tsunami", lang): [
                t("yes" if v else "no", lang) for v in events["tsunami_potential"]
            ],
            t("col_felt", lang): events["felt"].fillna(""),
            t("col_sources", lang): events["sources"].str.upper(),
        }
    )
    table.index = labels
    return table, [int(i) for i in events["id"]]


def kind_words(kind: str, details: dict, lang: str) -> str:
    """What an event is, in words: a CAP warning by its own event text, a GDACS alert with
    its level."""
    if kind == "weather_warning":
        return str(details.get("event", "")) or t("kind_weather_warning", lang)
    if kind == volcano_store.KIND:
        return f"{t('kind_volcano_level', lang)}: {level_words(details['level'])}"
    words = t(f"kind_{kind}", lang)
    level = details.get("alert_level")
    return f"{words} (GDACS {level})" if level else words


@dataclass(frozen=True)
class EventDetail:
    title: str
    kind: str
    affected: pd.DataFrame
    felt: pd.DataFrame
    shakemap_url: str | None
    incident_id: int | None
    incident_version: int | None
    incident_status: str | None
    incident_name: str | None
    incident_kecamatan: tuple[str, ...]


@resources.cached(HazardEvent, Incident, IncidentArea, ttl=30)
def load_event_detail(event_id: int, lang: str) -> EventDetail | None:
    """Affected kecamatan (estimated MMI), matched felt reports, and the event's incident."""
    rows = hazard_store.latest_events(resources.engine(), event_id=event_id)
    geography = resources.geography()
    if rows.empty:
        return None
    event = rows.iloc[0]
    min_mmi = resources.settings().affected_min_mmi
    affected = pd.DataFrame()
    felt = pd.DataFrame()
    if geography is not None and event["kind"] == "earthquake" and event["magnitude"]:
        shaken = shaking(
            geography.points,
            event["magnitude"],
            event["depth_km"] or 10.0,
            event["lat"],
            event["lon"],
            event["details"].get("strike_deg"),
        )
        hit = strongest(shaken, min_mmi)
        affected = pd.DataFrame(
            {
                t("col_code", lang): hit["kode_kec"],
                t("col_kecamatan", lang): hit["kecamatan"],
                t("col_kabupaten", lang): hit["kabupaten"],
                t("col_provinsi", lang): hit["provinsi"],
                t("col_distance_km", lang): hit["distance_km"],
                t("col_est_mmi", lang): [
                    f"{mmi_roman(v)} ({number(v, lang, places=1)})" for v in hit["mmi"]
                ],
            }
        )
        reports = [tuple(f) for f in event["details"].get("felt", [])]
        matches = match_felt(reports, gazetteer_of(geography.points), event["lat"], event["lon"])
        kabupaten_mmi = shaken["mmi"].groupby(shaken["kode_kec"].str[:5]).max()
        felt = pd.DataFrame(
            {
                t("col_place", lang): [m.place for m in matches],
                t("col_reported_mmi", lang): [
                    mmi_roman(m.mmi_min)
                    + ("" if m.mmi_min == m.mmi_max else f"-{mmi_roman(m.mmi_max)}")
                    for m in matches
                ],
                t("col_est_mmi", lang): [
                    mmi_roman(kabupaten_mmi[m.kode_kab]) if m.kode_kab else "-" for m in matches
                ],
                t("col_kabupaten", lang): [
                    m.kabupaten or t("place_unresolved", lang) for m in matches
                ],
                t("col_code", lang): [m.kode_kab or "-" for m in matches],
            }
        )
    if geography is not None and event["kind"] == "weather_warning":
        rings = event["details"].get("polygons", [])
        share = resources.settings().warning_min_share
        hit = geography.covered(MultiPolygon([Polygon(ring) for ring in rings]), share)
        affected = pd.DataFrame(
            {
                t("col_code", lang): hit["kode_kec"],
                t("col_kecamatan", lang): hit["kecamatan"],
                t("col_kabupaten", lang): hit["kabupaten"],
                t("col_provinsi", lang): hit["provinsi"],
                t("col_covered", lang): (hit["share"] * 100).round().astype(int),
            }
        )
    if geography is not None and event["kind"] == "tsunami_warning":
        gazetteer = gazetteer_of(geography.points)
        areas = event["details"].get("areas", [])
        places = [gazetteer.resolve(a[1], event["lat"], event["lon"]) for a in areas]
        affected = pd.DataFrame(
            {
                t("col_level", lang): [a[2] for a in areas],
                t("col_place", lang): [f"{a[1]} ({a[0]})" for a in areas],
                t("col_kabupaten", lang): [
                    p.kabupaten or t("place_unresolved", lang) for p in places
                ],
            }
        )
    if geography is not None and event["kind"] == volcano_store.KIND and event["lat"] is not None:
        zone = volcano_store.exclusion(event["details"])
        hit = zone_kecamatan(geography, event["lat"], event["lon"], zone)
        affected = pd.DataFrame(
            {
                t("col_code", lang): hit["kode_kec"],
                t("col_kecamatan", lang): hit["kecamatan"],
                t("col_kabupaten", lang): hit["kabupaten"],
                t("col_provinsi", lang): hit["provinsi"],
            }
        )
    event_type = event["details"].get("event_type")
    if geography is not None and event["source"] == "gdacs" and event_type in GDACS_REACH_KM:
        hit = geography.within_km(event["lat"], event["lon"], GDACS_REACH_KM[event_type])
        affected = pd.DataFrame(
            {
                t("col_code", lang): hit["kode_kec"],
                t("col_kecamatan", lang): hit["kecamatan"],
                t("col_kabupaten", lang): hit["kabupaten"],
                t("col_provinsi", lang): hit["provinsi"],
            }
        )
    if geography is not None and event["kind"] == "forest_fire":
        affected = _fire_kecamatan(geography, event["details"], lang)
    incident = store.incident_for_event(resources.engine(), event_id)
    return EventDetail(
        title=f"{format_wib(event['time_utc'], lang)} · "
        + (event["details"].get("headline") or event["location_text"]),
        kind=event["kind"],
        affected=affected,
        felt=felt,
        shakemap_url=event["details"].get("shakemap_url"),
        incident_id=incident.id if incident else None,
        incident_version=incident.version if incident else None,
        incident_status=str(incident.status) if incident else None,
        incident_name=incident.name if incident else None,
        incident_kecamatan=store.incident_kecamatan(resources.engine(), incident.id)
        if incident
        else (),
    )


def _fire_kecamatan(geography: Geography, details: dict, lang: str) -> pd.DataFrame:
    """A fire's kecamatan (`hotspot_store.fire_events`), those where it persists first."""
    codes = [c for c in details.get("kecamatan", []) if c in geography.kecamatan.index]
    places = geography.kecamatan.loc[codes]
    persistent = set(details.get("persistent", []))
    return pd.DataFrame(
        {
            t("col_code", lang): codes,
            t("col_kecamatan", lang): list(places["kecamatan"]),
            t("col_kabupaten", lang): list(places["kabupaten"]),
            t("col_persistent", lang, days=details.get("days", "")): [
                t("yes" if code in persistent else "no", lang) for code in codes
            ],
        }
    )


@resources.cached(Forecast, ttl=60)
def load_forecasts(kecamatan_codes: tuple[str, ...], lang: str, hours: int = 24) -> pd.DataFrame:
    """The next `hours` of stored BMKG forecasts for these kecamatan, one row per slot."""
    stored = hazard_store.forecasts(resources.engine(), list(kecamatan_codes))
    geography = resources.geography()
    now = utcnow()
    rows = []
    for code, forecast in sorted(stored.items()):
        for slot in forecast.slots:
            when = datetime.fromisoformat(slot["time_utc"])
            if now - timedelta(hours=3) <= when <= now + timedelta(hours=hours):
                rows.append(
                    {
                        t("col_kecamatan", lang): geography.name(code) if geography else code,
                        t("col_time", lang): format_wib(when, lang),
                        t("col_weather", lang): slot[
                            "description_id" if lang == "id" else "description_en"
                        ],
                        t("col_temperature", lang): slot["temperature_c"],
                        t("col_rain_mm", lang): slot["rain_mm"],
                        t("col_wind_kmh", lang): slot["wind_kmh"],
                    }
                )
    return pd.DataFrame(rows)
