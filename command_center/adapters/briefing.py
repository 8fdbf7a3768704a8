"""Briefing page and wall screen: headline figures, the kiosk panels with their data age, and
the Laporan Situasi."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from command_center.adapters.logistics import (
    COVER_TABLES,
    cover_sentences,
    delivered_text,
    load_cover,
)
from command_center.base import resources
from command_center.base.auth import Principal
from command_center.base.errors import NotFound
from command_center.base.labels import NO_VALUE, magnitude, number, t
from command_center.base.models import (
    Area,
    Deployment,
    HazardEvent,
    ImpactReport,
    Incident,
    IncidentArea,
    IncidentPhase,
    Shelter,
    Sitrep,
    SitrepFile,
    Team,
)
from command_center.base.times import age_minutes, format_wib, today_in, utcnow
from command_center.services import sitrep, sitrep_files
from command_center.services.briefing import (
    PUBLIC_CHANGES,
    Headline,
    change_sentence,
    headline,
    quakes_near,
)
from command_center.services.gazetteer import gazetteer_of
from command_center.services.incidents import PhaseRecord, phase_line, zone_of
from command_center.services.logistics import aid_lines, item_label
from command_center.services.reports import counted, provenance, with_kabupaten_level
from command_center.services.sitrep_files import SitrepFiles
from command_center.stores import common as store
from command_center.stores import hazards as hazard_store
from command_center.stores import logistics as logistics_store
from command_center.stores import reports as report_store
from command_center.stores import sitreps as sitrep_store
from command_center.stores import teams as team_store
from command_center.stores.common import IncidentRecord


@dataclass(frozen=True)
class IncidentBriefing:
    incident: IncidentRecord
    figures: Headline
    phases: tuple[PhaseRecord, ...] = ()
    in_shelters: int = 0  # people in its open shelters (posko), a second source of displaced

    def phase_line(self, lang: str) -> str | None:
        """The emergency phase in force today, in the incident's zone ("Hari ke-5 ...")."""
        today = today_in(zone_of(self.incident.kabupaten_code))
        return phase_line(self.phases, today, lang)


@resources.cached(
    Area,
    Deployment,
    HazardEvent,
    ImpactReport,
    Incident,
    IncidentArea,
    IncidentPhase,
    Shelter,
    Team,
    ttl=30,
)
def load_briefing(include_unverified: bool = False) -> list[IncidentBriefing]:
    """Every open (confirmed) incident with its headline figures (verified reports unless
    asked), its teams (sent to it, and on standby in its provinces) and emergency phases."""
    engine = resources.engine()
    reports = with_kabupaten_level(
        counted(report_store.all_versions(engine), include_unverified),
        report_store.all_versions(engine, level="kabupaten"),
        include_unverified,
    )
    teams = team_store.roster(engine)
    phases = store.all_phases(engine)
    shelters = logistics_store.shelters(engine)
    in_shelters = shelters[shelters["closed_on"].isna()].groupby("incident_id")["people"].sum()
    return [  # confirmed incidents only: a proposal is not briefed until it is confirmed
        IncidentBriefing(
            i,
            headline(reports, teams, i.id, {code[:2] for code in i.kecamatan_codes}),
            tuple(phases.get(i.id, ())),
            int(in_shelters.get(i.id, 0)),
        )
        for i in store.incidents(engine)
        if i.status == "open"
    ]


SEVERITY_COLOURS = {  # BMKG's warning levels: kuning, oranye, merah
    "Minor": "#ffd600",
    "Moderate": "#ff9100",
    "Severe": "#d50000",
    "Extreme": "#6a1b9a",
}


KIOSK_ROWS = 6  # table rows a wall screen shows in type read across a room


@dataclass(frozen=True)
class KioskView:
    briefing: IncidentBriefing
    reports_age: float | None
    reports_stale: bool
    top_kecamatan: pd.DataFrame
    needs: pd.DataFrame
    quakes: pd.DataFrame
    warnings: list[tuple[str, str]]  # (text, colour)
    ticker: list[str]
    logistics: list[str]  # "Stok selimut cukup 2 hari", people in shelters


def visible_to(items: list[IncidentBriefing], who: Principal) -> list[IncidentBriefing]:
    """The incidents a wall screen may show: those in its area, or its one incident."""
    return [
        item
        for item in items
        if who.covers(item.incident.kabupaten_code) and who.incident_id in (None, item.incident.id)
    ]


def _age(moment: Any) -> float | None:
    return None if moment is None or pd.isna(moment) else age_minutes(moment)


@resources.cached(*COVER_TABLES, ttl=15)
def load_kiosk(incident_id: int, lang: str) -> KioskView | None:
    """The wall screen's panels for one incident (verified reports), or None if not open."""
    engine = resources.engine()
    briefing = next((b for b in load_briefing() if b.incident.id == incident_id), None)
    if briefing is None:
        return None
    versions = report_store.all_versions(engine, incident_id)
    rows = counted(versions)
    lines = sitrep.kecamatan_lines(rows)[:KIOSK_ROWS]
    cover = load_cover(incident_id)
    # the needs, largest gap first, each with its one delivered figure (aid nobody asked for
    # is on the Logistik page)
    needed = [line for line in aid_lines(cover.kecamatan) if line.needed] if cover else []
    reports_age = _age(versions["created_at"].max()) if len(versions) else None
    limit = resources.settings().report_stale_after_min
    events = hazard_store.latest_events(engine, 300)
    now = utcnow()
    quakes = _near(events[events["kind"] == "earthquake"], briefing.incident).head(5)
    active = events[(events["kind"] == "weather_warning") & (events["expires_at"] > now)]
    return KioskView(
        briefing=briefing,
        reports_age=reports_age,
        reports_stale=reports_age is not None and reports_age > limit,
        top_kecamatan=pd.DataFrame(
            {
                t("col_kecamatan", lang): [k.name for k in lines],
                t("deaths", lang): [number(k.deaths, lang) for k in lines],
                t("displaced", lang): [number(k.displaced, lang) for k in lines],
                t("houses_damaged", lang): [number(k.houses_damaged, lang) for k in lines],
            }
        ),
        needs=pd.DataFrame(
            [
                {
                    t("col_item", lang): item_label(line.item, lang),
                    t("col_unit", lang): line.unit or NO_VALUE,
                    t("col_needed", lang): number(line.needed, lang),
                    t("col_delivered", lang): delivered_text(line.delivered, line.reported, lang),
                }
                for line in needed[:KIOSK_ROWS]
            ]
        ),
        quakes=pd.DataFrame(
            {
                t("col_time", lang): [format_wib(v, lang) for v in quakes["time_utc"]],
                t("col_magnitude", lang): [
                    magnitude(m, lang) for m in quakes["magnitude"].fillna(0)
                ],
                t("col_location", lang): quakes["location_text"],
            }
        ),
        warnings=[
            (
                f"{r.details.get('headline') or r.location_text} · "
                f"{t('until', lang)} {format_wib(r.expires_at, lang)}",
                SEVERITY_COLOURS.get(r.details.get("severity"), "#ffd600"),
            )
            for r in active.itertuples()
        ],
        ticker=_ticker(engine, lang),
        logistics=cover_sentences(cover, lang),
    )


def _near(quakes: pd.DataFrame, incident: IncidentRecord) -> pd.DataFrame:
    """The earthquakes near the incident's area or felt in it (none without boundaries)."""
    geography = resources.geography()
    if geography is None:
        return quakes.iloc[:0]
    points = geography.points
    area = points[points["kode_kec"].isin(incident.kecamatan_codes)]
    gazetteer = gazetteer_of(points)
    return quakes_near(
        quakes,
        area,
        resources.settings().kiosk_quake_km,
        lambda place, lat, lon: gazetteer.resolve(place, lat, lon).kode_kab,
    )


@dataclass(frozen=True)
class FigureSources:
    """Where an incident's headline figures come from: a short line per figure (for a hover)
    and the whole table (kecamatan, figure, value, source, version, time)."""

    lines: dict[str, str]
    table: pd.DataFrame


SHOWN_SOURCES = 4  # kecamatan named in a figure's hover line; the rest are counted


@resources.cached(Area, ImpactReport, ttl=30)
def load_sources(incident_id: int, include_unverified: bool, lang: str) -> FigureSources:
    """Which report and source each headline figure of the incident comes from."""
    rows = provenance(
        report_store.all_versions(resources.engine(), incident_id), include_unverified
    ).dropna(subset=["figure"])  # the headline figures
    per_report = (
        rows.groupby(["figure", "kecamatan", "source", "version", "report_time"], as_index=False)[
            "value"
        ]
        .sum()
        .sort_values(["figure", "value"], ascending=[True, False])
    )
    per_report = per_report[per_report["value"] > 0]
    lines = {}
    for figure, group in per_report.groupby("figure"):
        named = [
            f"{r.kecamatan} {number(r.value, lang)} ({t(f'source_{r.source}', lang)}, "
            f"{t('version_n', lang, n=r.version)}, {format_wib(r.report_time, lang)})"
            for r in group.head(SHOWN_SOURCES).itertuples()
        ]
        more = len(group) - SHOWN_SOURCES
        lines[figure] = t("figure_from", lang, n=len(group), parts="; ".join(named)) + (
            t("figure_more", lang, n=more) if more > 0 else ""
        )
    table = pd.DataFrame(
        {
            t("col_kecamatan", lang): per_report["kecamatan"],
            t("col_figure", lang): [t(f, lang) for f in per_report["figure"]],
            t("col_value", lang): [number(v, lang) for v in per_report["value"]],
            t("source", lang): [t(f"source_{s}", lang) for s in per_report["source"]],
            t("col_version", lang): per_report["version"],
            t("col_time", lang): [format_wib(v, lang) for v in per_report["report_time"]],
        }
    )
    return FigureSources(lines, table)


def _ticker(engine: Any, lang: str) -> list[str]:
    """The latest public changes in sentences (plain text; the page escapes it)."""
    changes = store.changes(engine, PUBLIC_CHANGES, 24)
    teams = team_store.roster(engine).set_index("id")["name"].to_dict()
    geography = resources.geography()
    lines = []
    for c in changes.itertuples():
        after = c.after or {}
        code = after.get("kecamatan_code") or after.get("assigned_kecamatan_code") or ""
        place = geography.name(code) if geography is not None and code else code
        team = teams.get(int(c.entity_id), "") if c.entity == "team" else ""
        said = change_sentence(c.entity, c.action, after, team, place, lang)
        if said:
            lines.append(f"{format_wib(c.at, lang).split(' ', 3)[-1]} · {said}")
    return lines[:12]


@resources.cached(Sitrep, ttl=30)
def load_issued(incident_id: int, lang: str) -> str:
    """The sitreps issued so far, newest first: `No. 2 (22 Nov 2026 21:03 WIB, Ani) · ...`."""
    return " · ".join(
        f"No. {s.number} ({format_wib(s.issued_at, lang)}, {s.issued_by})"
        for s in sitrep_store.issued(resources.engine(), incident_id)
    )


def make_sitrep(incident_id: int, actor: Principal) -> tuple[int, str, str]:
    """Issue the next sitrep of the incident with its PDF and image: (number, WhatsApp text,
    print-ready HTML)."""
    engine, geography = resources.engine(), resources.geography()
    facts = sitrep_store.gather(engine, incident_id, organisation=resources.settings().organisation)
    number_ = resources.written(sitrep_store.issue(engine, facts, incident_id, actor, geography))
    return (
        number_,
        sitrep.whatsapp(facts),
        sitrep.html(facts, *sitrep_files.drawings(facts, geography)),
    )


@resources.cached(Sitrep, SitrepFile)
def latest_sitrep_pdf(viewer: Principal) -> SitrepFiles | None:
    """A wall screen's download: the newest sitrep files of its own incident, None for
    anyone else or before one was issued."""
    if not viewer.kiosk or viewer.incident_id is None:
        return None
    try:
        return sitrep_store.files(resources.engine(), viewer.incident_id)
    except NotFound:
        return None
