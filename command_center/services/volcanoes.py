"""Volcano activity levels: the exclusion zone around a crater, the kecamatan it reaches, and
what a level proposes. Pure functions on plain data.

The zone is drawn on a flat local projection around the crater (a few tens of km at most,
where the error is under 0.1 %): a circle of the recommended radius, and a sector of its own
distance swept clockwise between the bearings PVMBG names, widened by half a compass point on
each side so that "arah tenggara" covers the south-east octant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from shapely import Polygon
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from command_center.base.geography import Geography
from command_center.sources.magma import LEVEL_WORDS, Exclusion

KM_PER_DEGREE = 111.32
HALF_OCTANT = 22.5  # degrees added on each side of a named direction
PROPOSING_LEVEL = 3  # Siaga and Awas propose an erupsi incident
CRITICAL_LEVEL = 4  # Awas alerts as critical
# PVMBG's colours for the four levels (green, yellow, orange, red), in shades no other map
# key uses (teams are green, yellow and red too): a legend line names one thing
LEVEL_COLOURS = {
    1: "#9ccc65",
    2: "#ffeb3b",
    3: "#fb8c00",
    4: "#8b0000",
}
ARC_STEP = 5.0  # degrees between the points of a drawn arc


def _offset(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """(lon, lat) `km` away from (lat, lon) towards `bearing`, on the local flat projection."""
    rad = math.radians(bearing)
    dlat = km * math.cos(rad) / KM_PER_DEGREE
    dlon = km * math.sin(rad) / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def _arc(lat: float, lon: float, km: float, start: float, end: float) -> list[tuple[float, float]]:
    sweep = (end - start) % 360 or 360.0
    steps = max(2, math.ceil(sweep / ARC_STEP))
    return [_offset(lat, lon, km, start + sweep * i / steps) for i in range(steps + 1)]


def exclusion_zone(lat: float, lon: float, exclusion: Exclusion) -> BaseGeometry | None:
    """The area people are told to leave (lon/lat): the radius's circle and the sector's
    wedge together; None when the recommendation names neither."""
    parts = []
    if exclusion.radius_km:
        parts.append(Polygon(_arc(lat, lon, exclusion.radius_km, 0.0, 360.0)))
    if exclusion.sector_km and exclusion.sector_from is not None:
        start = exclusion.sector_from - HALF_OCTANT
        end = (exclusion.sector_to if exclusion.sector_to is not None else start) + HALF_OCTANT
        parts.append(Polygon([(lon, lat), *_arc(lat, lon, exclusion.sector_km, start, end)]))
    return unary_union(parts) if parts else None


def zone_kecamatan(
    geography: Geography, lat: float, lon: float, exclusion: Exclusion
) -> pd.DataFrame:
    """Kecamatan whose area the zone reaches (`kode_kec, kecamatan, kabupaten, provinsi`), with
    `penduduk` where the boundary layer has a population; none without a zone."""
    zone = exclusion_zone(lat, lon, exclusion)
    if zone is None:
        return pd.DataFrame(columns=["kode_kec", "kecamatan", "kabupaten", "provinsi"])
    hit = geography.intersecting(zone)
    if "penduduk" in geography.kecamatan.columns:
        hit["penduduk"] = hit["kode_kec"].map(geography.kecamatan["penduduk"])
    return hit


def zone_geojson(lat: float, lon: float, exclusion: Exclusion) -> dict | None:
    """The zone as a GeoJSON geometry (for maps), rounded to about 10 m."""
    zone = exclusion_zone(lat, lon, exclusion)
    if zone is None:
        return None
    return mapping(zone.simplify(0.0001)) if not zone.is_empty else None


def level_words(level: int) -> str:
    """ "Level IV (Awas)", as PVMBG writes it."""
    roman = {1: "I", 2: "II", 3: "III", 4: "IV"}[level]
    return f"Level {roman} ({LEVEL_WORDS[level]})"


def zone_words(exclusion: Exclusion) -> str:
    """The zone in a few words: "radius 7 km; sektoral 9 km (225°-315°)"."""
    parts = []
    if exclusion.radius_km:
        parts.append(f"radius {exclusion.radius_km:g} km")
    if exclusion.sector_km and exclusion.sector_from is not None:
        span = f"{exclusion.sector_from:g}°-{(exclusion.sector_to or exclusion.sector_from):g}°"
        parts.append(f"sektoral {exclusion.sector_km:g} km ({span})")
    return "; ".join(parts) or "-"


@dataclass(frozen=True)
class LevelChange:
    """A volcano's level before and after one report (`before` None: first seen)."""

    before: int | None
    after: int

    @property
    def raised(self) -> bool:
        return self.before is None or self.after > self.before

    @property
    def lowered(self) -> bool:
        return self.before is not None and self.after < self.before


def crater_kecamatan(geography: Geography, lat: float, lon: float) -> tuple[str, ...]:
    """The kecamatan the crater lies in (or the nearest within tolerance)."""
    code = geography.locate(lat, lon).code
    return (code,) if code else ()
