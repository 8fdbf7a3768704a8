"""Match BMKG `Dirasakan` places ("Mataram", "Kab. Lombok Tengah", "Kuta") to kabupaten codes.

A place is looked up among kabupaten/kota names first, then among kecamatan names (whose
kabupaten is taken). Where a name fits several areas (Kabupaten and Kota Bandung, the many
"Kuta"s), the one nearest the epicentre wins; "Kab." or "Kota" in the place narrows the choice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from command_center.services.exposure import haversine_km

_PREFIX = re.compile(r"^(kab\.?|kabupaten|kota|kec\.?|kecamatan)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class FeltPlace:
    place: str
    mmi_min: int
    mmi_max: int
    kode_kab: str | None
    kabupaten: str | None


def normalise(name: str) -> str:
    """Compare names without case, prefixes, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]", "", _PREFIX.sub("", name.strip()).lower())


def match_felt(
    reports: list[tuple[int, int, str]], points: pd.DataFrame, lat: float, lon: float
) -> list[FeltPlace]:
    """Kabupaten for each felt report; `points` is `Geography.points` (one row per kecamatan)."""
    frame = points.assign(
        kode_kab=points["kode_kec"].str[:5],
        kab_key=points["kabupaten"].map(normalise),
        kec_key=points["kecamatan"].map(normalise),
        is_kota=points["kabupaten"].str.startswith("Kota"),
        km=haversine_km(lat, lon, points["lat"].to_numpy(), points["lon"].to_numpy()),
    )
    matches = []
    for mmi_min, mmi_max, place in reports:
        key, lowered = normalise(place), place.strip().lower()
        candidates = frame[frame["kab_key"] == key]
        if lowered.startswith("kab"):
            candidates = candidates[~candidates["is_kota"]]
        elif lowered.startswith("kota"):
            candidates = candidates[candidates["is_kota"]]
        if candidates.empty:
            candidates = frame[frame["kec_key"] == key]
        if candidates.empty:
            matches.append(FeltPlace(place, mmi_min, mmi_max, None, None))
            continue
        nearest = candidates.loc[candidates["km"].idxmin()]
        matches.append(
            FeltPlace(place, mmi_min, mmi_max, str(nearest["kode_kab"]), str(nearest["kabupaten"]))
        )
    return matches
