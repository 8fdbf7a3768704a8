"""Headline figures for an incident, from the latest kecamatan reports and the team roster."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from command_center.base.labels import recorded, status_label, t
from command_center.services.exposure import haversine_km
from command_center.services.reports import headline_totals
from command_center.services.teams import DEPLOYED

WALL_SCREEN_PATH = "briefing"  # the wall screen is the briefing page with `kiosk=1`


def wall_screen_url(base_url: str, token: str = "", incident_id: int | None = None) -> str:
    """The address a wall screen opens: with a token's, or for one incident (signed in);
    absolute, on `base_url` (`CC_PUBLIC_URL`), like a reporter's link."""
    query = {"kiosk": "1", "token": token, "incident": incident_id}
    shown = {key: value for key, value in query.items() if value}
    return f"{base_url.rstrip('/')}/{WALL_SCREEN_PATH}?{urlencode(shown)}"


@dataclass(frozen=True)
class Headline:
    deaths: int
    missing: int
    injured: int
    displaced: int
    houses_damaged: int
    teams_deployed: int
    teams_standby: int
    kecamatan_reporting: int
    unverified_reports: int


def _kecamatan_level(rows: pd.DataFrame) -> pd.DataFrame:
    if "area_level" not in rows:
        return rows
    return rows[rows["area_level"] != "kabupaten"]


def headline(
    reports: pd.DataFrame, teams: pd.DataFrame, incident_id: int, provinces: Collection[str]
) -> Headline:
    """Sum the latest report of each kecamatan of `incident_id`; count the teams sent to it
    and the teams on standby in its `provinces` (not the whole national roster).

    `reports` is one row per kecamatan (the report that counts), as `services.reports.counted`
    gives, and a row per kabupaten for what kabupaten-level reports add
    (`services.reports.with_kabupaten_level`): in the figures, not among the kecamatan
    reporting.
    """
    mine = reports[reports["incident_id"] == incident_id]
    on_incident = teams[teams["assigned_incident_id"] == incident_id]
    return Headline(
        **headline_totals(mine),
        teams_deployed=int(on_incident["status"].astype(str).isin(DEPLOYED).sum()),
        teams_standby=int(
            (
                (teams["status"].astype(str) == "standby")
                & teams["home_kabupaten_code"].astype(str).str[:2].isin(set(provinces))
            ).sum()
        ),
        kecamatan_reporting=len(_kecamatan_level(mine)),
        unverified_reports=int((mine["verification"].astype(str) != "verified").sum()),
    )


PUBLIC_CHANGES = (  # what a public wall screen may say happened (never admin actions)
    ("team", "assign"),
    ("team", "status"),
    ("impact_report", "report"),
    ("impact_report", "verify"),
    ("sitrep", "issue"),
    ("incident", "open"),
    ("incident", "phase"),
)


def change_sentence(
    entity: str, action: str, after: dict, team: str, place: str, lang: str
) -> str | None:
    """One public change as a short sentence ("Tim Tagana Kab. Garut ditugaskan ke Cibeber",
    "Laporan Cugenang diperbarui"); None for what the public need not read (a rejection)."""
    if entity == "team" and action == "assign":
        return t("tick_assigned", lang, team=team, place=place)
    if entity == "team":
        status = after.get("status")
        if not status:
            return None  # a change of note or members only
        return t("tick_status", lang, team=team, status=status_label(status, lang))
    if action == "report":
        return t("tick_report", lang, place=place)
    if action == "verify" and after.get("lowered"):
        figures = ", ".join(t(figure, lang).lower() for figure in after["lowered"])
        return t("tick_lowered", lang, figures=figures, place=place)
    if action == "verify":
        verified = after.get("verification") == "verified"
        return t("tick_verified", lang, place=place) if verified else None
    if entity == "sitrep":
        return t("tick_sitrep", lang, number=after.get("number", "?"))
    if action == "open":
        return t("tick_opened", lang, name=after.get("name", ""))
    phase = t(f"phase_{after.get('phase')}", lang)
    until = recorded("until", after["until"], lang) if after.get("until") else ""
    return t("tick_phase", lang, phase=phase, until=until)


def quakes_near(
    quakes: pd.DataFrame,
    area: pd.DataFrame,
    km: float,
    felt_in: Callable[[str, float, float], str | None],
) -> pd.DataFrame:
    """The earthquakes that concern an incident's area (`area`: its kecamatan's `lat`, `lon`,
    `kode_kec`): an epicentre within `km` of one of them, or a BMKG felt report ("Dirasakan")
    in one of its kabupaten (`felt_in(place, lat, lon)` gives a place's kabupaten code).
    Kept in the order given."""
    if quakes.empty or area.empty:
        return quakes.iloc[:0]
    kabupaten = {code[:5] for code in area["kode_kec"]}
    lats, lons = area["lat"].to_numpy(), area["lon"].to_numpy()

    def concerns(quake: Any) -> bool:
        if quake.lat is None or pd.isna(quake.lat):
            return False
        if haversine_km(quake.lat, quake.lon, lats, lons).min() <= km:
            return True
        felt = (quake.details or {}).get("felt", [])
        return any(felt_in(place, quake.lat, quake.lon) in kabupaten for *_, place in felt)

    return quakes[[concerns(q) for q in quakes.itertuples()]]
