"""Volcano activity levels for the Hazards page (a table by level) and for maps (a triangle
per volcano coloured by level, with its exclusion zone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from command_center.base import resources
from command_center.base.labels import number, t
from command_center.base.models import HazardEvent
from command_center.base.times import format_wib
from command_center.services.volcanoes import (
    LEVEL_COLOURS,
    level_words,
    zone_geojson,
    zone_kecamatan,
    zone_words,
)
from command_center.stores import volcanoes as volcano_store

MAP_MIN_LEVEL = 2  # Normal volcanoes are not drawn: the map is for those that matter now


@dataclass(frozen=True)
class VolcanoOnMap:
    name: str
    level: int
    lat: float
    lon: float
    colour: str
    zone: dict[str, Any] | None  # a GeoJSON geometry
    label: str


def _vona_words(vona: dict[str, Any] | None, lang: str) -> str:
    if not vona:
        return "-"
    height = vona.get("ash_above_summit_m")
    words = vona["colour"]
    if height:
        words += " · " + t("vona_ash", lang, m=number(height, lang))
    return f"{words} ({format_wib(datetime.fromisoformat(vona['issued_utc']), lang)})"


@resources.cached(HazardEvent, ttl=60)
def load_volcano_table(lang: str) -> pd.DataFrame:
    """Every volcano above Normal, highest level first: its level, since when, the zone, the
    kecamatan the zone reaches and the latest VONA."""
    rows = volcano_store.volcanoes(resources.engine(), min_level=2)
    geography = resources.geography()
    reached = []
    for row in rows.itertuples():
        zone = volcano_store.exclusion(row.details)
        if geography is None or pd.isna(row.lat) or pd.isna(row.lon):
            reached.append("-")
            continue
        hit = zone_kecamatan(geography, row.lat, row.lon, zone)
        reached.append(
            ", ".join(f"{k} ({c})" for k, c in zip(hit["kecamatan"], hit["kode_kec"], strict=True))
            or "-"
        )
    return pd.DataFrame(
        {
            t("col_volcano", lang): rows["name"],
            t("col_activity_level", lang): [level_words(v) for v in rows["level"]],
            t("col_level_since", lang): [format_wib(v, lang) for v in rows["changed_at"]],
            t("col_zone", lang): [zone_words(volcano_store.exclusion(d)) for d in rows["details"]],
            t("col_zone_kecamatan", lang): reached,
            t("col_vona", lang): [_vona_words(d.get("vona"), lang) for d in rows["details"]],
            t("col_last_report", lang): [
                format_wib(datetime.fromisoformat(d["report_utc"]), lang) for d in rows["details"]
            ],
        }
    )


def volcanoes_on_map(lang: str) -> tuple[VolcanoOnMap, ...]:
    """Volcanoes above Normal as the maps draw them."""
    rows = volcano_store.volcanoes(resources.engine(), min_level=MAP_MIN_LEVEL)
    return tuple(
        VolcanoOnMap(
            name=row.name,
            level=row.level,
            lat=row.lat,
            lon=row.lon,
            colour=LEVEL_COLOURS[row.level],
            zone=zone_geojson(row.lat, row.lon, volcano_store.exclusion(row.details)),
            label=f"{row.name} · {level_words(row.level)} · "
            f"{zone_words(volcano_store.exclusion(row.details))} · "
            f"{t('col_level_since', lang)} {format_wib(row.changed_at, lang)}",
        )
        for row in rows.itertuples()
        if pd.notna(row.lat) and pd.notna(row.lon)
    )


def volcano_legend(volcanoes: tuple[VolcanoOnMap, ...], lang: str) -> list[tuple[str, str]]:
    """One legend line per level shown, highest first."""
    levels = sorted({v.level for v in volcanoes}, reverse=True)
    return [(t("legend_volcano", lang, level=level_words(lv)), LEVEL_COLOURS[lv]) for lv in levels]
