"""Live map page: open incidents with affected kecamatan shaded by estimated intensity,
the latest earthquakes coloured by age, active weather warnings, volcanoes above Normal with
their exclusion zones, and team positions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pandas as pd
import shapely
import shapely.geometry
from jinja2.utils import htmlsafe_json_dumps

from command_center.adapters.hotspots import density_layer, density_legend, map_hotspots
from command_center.adapters.volcanoes import VolcanoOnMap, volcano_legend, volcanoes_on_map
from command_center.base import resources
from command_center.base.labels import magnitude, status_words, t
from command_center.base.models import (
    Area,
    CommunityReport,
    Deployment,
    HazardEvent,
    Hotspot,
    Incident,
    IncidentArea,
    Team,
)
from command_center.base.times import age_minutes, format_wib, utcnow
from command_center.services.community import (
    CommunityMarker,
    community_markers,
    depth_legend,
    per_kecamatan,
)
from command_center.services.exposure import estimate_mmi
from command_center.services.figures import (
    AGE_COLOURS,
    HAZARD_COLOURS,
    MMI_COLOURS,
    OLD_QUAKE,
    STATUS_COLOURS,
    WARNING_COLOUR,
    mmi_colour,
)
from command_center.services.hazards import TSUNAMI_LEVELS, strongest_level
from command_center.services.teams import TeamOnMap, on_map
from command_center.services.volcanoes import LEVEL_COLOURS
from command_center.stores import common as store
from command_center.stores import community as community_store
from command_center.stores import hazards as hazard_store
from command_center.stores import teams as team_store
from command_center.stores.common import IncidentRecord

LATEST_QUAKES = 60


@dataclass(frozen=True)
class QuakeMarker:
    lat: float
    lon: float
    magnitude: float | None
    age_hours: float
    label: str


@dataclass(frozen=True)
class WarningArea:
    polygons: list[list[list[float]]]  # rings of [lon, lat]
    label: str


@dataclass(frozen=True)
class TsunamiAlert:
    """An InaTEWS tsunami warning in force: shown above everything else."""

    level: str
    headline: str
    areas: tuple[str, ...]  # "SIAGA DONGGALA (SULTENG)", strongest first


@dataclass(frozen=True)
class LiveMapView:
    incidents: list[IncidentRecord]
    affected: dict[str, Any]
    teams: list[TeamOnMap]
    centre: tuple[float, float]
    zoom: int
    problem: str | None
    quakes: tuple[QuakeMarker, ...] = ()
    warnings: tuple[WarningArea, ...] = ()
    status_words: dict[str, str] = field(default_factory=dict)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (words, colour) per hazard
    tsunami: tuple[TsunamiAlert, ...] = ()
    community: tuple[CommunityMarker, ...] = ()  # residents' reports, unverified
    community_counts: pd.DataFrame = field(default_factory=pd.DataFrame)  # labelled
    # the box the map is fitted to, ((south, west), (north, east)); None: `centre` and `zoom`
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None
    volcanoes: tuple[VolcanoOnMap, ...] = ()  # above Normal, with their exclusion zones
    hotspots: dict[str, Any] = field(default_factory=dict)  # density cells (GeoJSON), keyed
    hotspot_legend: list[tuple[str, str]] = field(default_factory=list)

    def for_incident(self, incident_id: int) -> LiveMapView:
        """One incident's view, as a wall screen bound to it shows it: fitted to its area,
        with its marker, the teams sent to it, and the public layers (warnings, and the quakes
        and hotspots within the map) keyed in its legend, with its own teams' statuses only."""
        mine = [i for i in self.incidents if i.id == incident_id]
        codes = {code for i in mine for code in i.kecamatan_codes}
        shown = [f for f in self.affected["features"] if f["properties"]["kode_kec"] in codes]
        bounds = _bounds(shown) or _around(mine)
        quakes = tuple(q for q in self.quakes if bounds is None or _inside(q.lat, q.lon, bounds))
        volcanoes = tuple(
            v for v in self.volcanoes if bounds is None or _inside(v.lat, v.lon, bounds)
        )
        shown_levels = {v.colour for v in volcanoes}
        colours = {HAZARD_COLOURS.get(i.kind) for i in mine}
        every_mmi = set(_mmi_legend([level + 0.5 for level, _ in MMI_COLOURS]))
        ages = {colour for _, colour in AGE_COLOURS} | {OLD_QUAKE}
        keys = [e for e in self.legend if e not in every_mmi and e not in self.hotspot_legend]
        own = [e for e in keys if e[1] in colours]
        teams = [team for team in self.teams if team.incident_id == incident_id]
        # the keys of team statuses none of its own teams has (a longer legend takes two
        # columns, and on a wall screen's narrow map leaves no room to fit the area beside it)
        absent = set(STATUS_COLOURS.values()) - {STATUS_COLOURS[team.status] for team in teams}
        others = [  # the warning, team and community keys; the quakes' and volcanoes' if shown
            e
            for e in keys
            if e[1] not in HAZARD_COLOURS.values()
            and (quakes or e[1] not in ages)
            and (e[1] in shown_levels or e[1] not in LEVEL_COLOURS.values())
            and e[1] not in absent
        ]
        cells = [
            cell
            for cell in self.hotspots.get("features", [])
            if bounds is None or _inside(*cell["geometry"]["coordinates"][::-1], bounds)
        ]
        hotspots = {**self.hotspots, "features": cells}
        drawn = {f["properties"]["colour"] for f in cells}
        hotspot_keys = [e for e in self.hotspot_legend if e[1] in drawn]
        return replace(
            self,
            incidents=mine,
            affected={**self.affected, "features": shown},
            teams=teams,
            quakes=quakes,
            volcanoes=volcanoes,
            legend=own
            + _mmi_legend([f["properties"].get("mmi", 0) for f in shown])
            + others
            + hotspot_keys,
            bounds=bounds,
            hotspots=hotspots,
            hotspot_legend=hotspot_keys,
        )

    def areas_json(self) -> str:
        """The weather-warning areas and the affected kecamatan (drawn over them) as one
        GeoJSON FeatureCollection in HTML-safe JSON (`maps.Areas`): each feature's `fill`
        colour, `label` (text) and whether it is a `warning`. Large: `load_areas` writes it
        once per data version for every session."""
        warnings = [
            {
                "type": "Feature",
                "geometry": {"type": "MultiPolygon", "coordinates": [[r] for r in w.polygons]},
                "properties": {"fill": WARNING_COLOUR, "label": w.label, "warning": True},
            }
            for w in self.warnings
        ]
        kecamatan = []
        for feature in self.affected["features"]:
            props = feature["properties"]
            mmi = float(props.get("mmi") or 0.0)
            what = f"MMI {mmi:.1f}" if mmi else props.get("hazard_word", "-")
            fill = mmi_colour(mmi) if mmi else HAZARD_COLOURS.get(props.get("hazard"), "#757575")
            label = f"{props.get('kecamatan', '')} ({props.get('kode_kec', '')}) · {what}"
            properties = {"fill": fill, "label": label, "warning": False}
            kecamatan.append({**feature, "properties": properties})
        collection = {"type": "FeatureCollection", "features": warnings + kecamatan}
        return htmlsafe_json_dumps(collection)


def _bounds(features: list[dict[str, Any]]) -> tuple[tuple[float, float], ...] | None:
    """((south, west), (north, east)) around the features' shapes; None when there are none."""
    if not features:
        return None
    west, south, east, north = shapely.union_all(
        [shapely.geometry.shape(f["geometry"]) for f in features]
    ).bounds
    return (south, west), (north, east)


def _around(incidents: list[IncidentRecord]) -> tuple[tuple[float, float], ...] | None:
    """A box of about 40 km around an incident's point, when it has no area on the map."""
    first = next((i for i in incidents if i.lat is not None and i.lon is not None), None)
    if first is None:
        return None
    return (first.lat - 0.2, first.lon - 0.2), (first.lat + 0.2, first.lon + 0.2)


def _inside(lat: float, lon: float, bounds: tuple[tuple[float, float], ...]) -> bool:
    (south, west), (north, east) = bounds
    return south <= lat <= north and west <= lon <= east


def _affected(incidents: list[IncidentRecord], lang: str) -> dict[str, Any]:
    """Affected kecamatan of open incidents, with their incident's hazard and the estimated
    MMI of its earthquake."""
    geography = resources.geography()
    codes = sorted({c for i in incidents for c in i.kecamatan_codes})
    if geography is None or not codes:
        return {"type": "FeatureCollection", "features": []}
    layer = geography.kecamatan.loc[
        codes, ["kode_kec", "kecamatan", "kabupaten", "geometry"]
    ].copy()
    hazard = {c: i.kind for i in reversed(incidents) for c in i.kecamatan_codes}  # newest wins
    layer["hazard"] = [hazard[c] for c in layer.index]
    layer["hazard_word"] = [t(f"hazard_{h}", lang) for h in layer["hazard"]]
    layer["mmi"] = 0.0
    points = geography.points.set_index("kode_kec").loc[codes]
    for incident in incidents:
        if incident.magnitude is None or incident.lat is None:
            continue
        mine = list(incident.kecamatan_codes)
        _, mmi = estimate_mmi(
            incident.magnitude,
            incident.depth_km or 10.0,
            incident.lat,
            incident.lon,
            points.loc[mine, "lat"].to_numpy(),
            points.loc[mine, "lon"].to_numpy(),
        )
        layer.loc[mine, "mmi"] = pd.Series(mmi, index=mine).combine(layer.loc[mine, "mmi"], max)
    layer["mmi"] = layer["mmi"].round(1)
    return json.loads(layer.to_json(drop_id=True))


def _tsunami(row: Any, lang: str) -> TsunamiAlert:
    areas = sorted(
        row.details.get("areas", []),
        key=lambda a: -TSUNAMI_LEVELS.index(a[2]) if a[2] in TSUNAMI_LEVELS else 0,
    )
    level = strongest_level([a[2] for a in areas]) or "WASPADA"
    headline = f"{magnitude(row.magnitude, lang)} {row.location_text or ''}".strip()
    return TsunamiAlert(level, headline, tuple(f"{a[2]} {a[1]} ({a[0]})" for a in areas))


@resources.cached(
    Area, CommunityReport, Deployment, HazardEvent, Hotspot, Incident, IncidentArea, Team, ttl=20
)
def load_live_map(lang: str) -> LiveMapView:
    """Everything the live map draws; `problem` says what is missing when boundaries are."""
    engine = resources.engine()
    incidents = [i for i in store.incidents(engine) if i.status == "open"]
    teams = on_map(team_store.roster(engine))
    events = hazard_store.latest_events(engine, 300)
    now = utcnow()
    quakes = tuple(
        QuakeMarker(
            r.lat,
            r.lon,
            r.magnitude,
            age_minutes(r.time_utc, now) / 60,
            f"{magnitude(r.magnitude, lang)} · {format_wib(r.time_utc, lang)} · {r.location_text}",
        )
        for r in events[events["kind"] == "earthquake"].head(LATEST_QUAKES).itertuples()
        if r.lat is not None
    )
    active = events[(events["kind"] == "weather_warning") & (events["expires_at"] > now)]
    warnings = tuple(
        WarningArea(
            r.details.get("polygons", []),
            f"{r.details.get('headline', '')} · {format_wib(r.expires_at, lang)}",
        )
        for r in active.itertuples()
    )
    words = status_words(lang)
    first = next((i for i in incidents if i.lat is not None), None)
    geography = resources.geography()
    window = timedelta(hours=resources.settings().community_window_h)
    community = community_store.recent(engine, now - window)
    legend = [
        (t(f"hazard_{kind}", lang), HAZARD_COLOURS.get(kind, "#757575"))
        for kind in dict.fromkeys(i.kind for i in incidents)
    ]
    affected = _affected(incidents, lang)
    legend += _mmi_legend([f["properties"]["mmi"] for f in affected["features"]])
    if warnings:
        legend.append((t("legend_warning", lang), WARNING_COLOUR))
    if quakes:
        legend += _age_legend(lang)
    volcanoes = volcanoes_on_map(lang)
    legend += volcano_legend(volcanoes, lang)
    legend += [
        (f"{t('legend_team', lang)}: {words[s]}", STATUS_COLOURS[s])
        for s in STATUS_COLOURS
        if any(team.status == s for team in teams)
    ]
    in_force = events[(events["kind"] == "tsunami_warning") & (events["expires_at"] > now)]
    hotspots = density_layer(map_hotspots(now), lang)
    hotspot_legend = density_legend(hotspots, lang)
    return LiveMapView(
        incidents=incidents,
        affected=affected,
        teams=teams,
        centre=(first.lat, first.lon) if first else (-2.5, 118.0),
        zoom=9 if first else 5,
        problem=None if geography is not None else resources.geography_problem(lang),
        quakes=quakes,
        warnings=warnings,
        volcanoes=volcanoes,
        tsunami=tuple(_tsunami(r, lang) for r in in_force.itertuples()),
        legend=legend + (depth_legend(lang) if len(community) else []) + hotspot_legend,
        status_words=words,
        community=tuple(community_markers(community.itertuples(), lang)),
        community_counts=_counts(community, lang),
        hotspots=hotspots,
        hotspot_legend=hotspot_legend,
    )


@resources.cached(
    Area, CommunityReport, Deployment, HazardEvent, Hotspot, Incident, IncidentArea, Team, ttl=20
)
def load_areas(lang: str, incident_id: int | None = None) -> str:
    """The live map's areas (`LiveMapView.areas_json`), or those of a wall screen bound to
    `incident_id`: written once per data version and shared by every session."""
    view = load_live_map(lang)
    return (view if incident_id is None else view.for_incident(incident_id)).areas_json()


def _mmi_legend(intensities: list[float]) -> list[tuple[str, str]]:
    """The intensity classes the affected kecamatan are shaded in, strongest first."""
    shown = {next(level for level, _ in MMI_COLOURS if mmi >= level) for mmi in intensities if mmi}
    return [
        (f"MMI {level}+" if level else "MMI < 4", colour)
        for level, colour in MMI_COLOURS
        if level in shown
    ]


def _age_legend(lang: str) -> list[tuple[str, str]]:
    """Quake markers by age: under 1 h, 24 h, 7 days, older."""
    limits = [t("legend_hours", lang, n=1), t("legend_hours", lang, n=24), t("legend_week", lang)]
    return [
        *(
            (f"{t('legend_quake', lang)} < {words}", colour)
            for words, (_, colour) in zip(limits, AGE_COLOURS, strict=True)
        ),
        (f"{t('legend_quake', lang)}: {t('legend_older', lang)}", OLD_QUAKE),
    ]


def _counts(community: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Community reports per kecamatan, labelled for the page."""
    geography = resources.geography()
    if geography is None or community.empty:
        return pd.DataFrame()
    counts = per_kecamatan(community, geography)
    return pd.DataFrame(
        {
            t("col_code", lang): counts["kecamatan_code"],
            t("col_kecamatan", lang): counts["kecamatan"],
            t("col_kabupaten", lang): counts["kabupaten"],
            t("col_reports", lang): counts["reports"],
            t("col_max_depth", lang): counts["max_depth_cm"].astype("Int64"),
            t("col_latest", lang): [format_wib(v, lang) for v in counts["latest"]],
        }
    )
