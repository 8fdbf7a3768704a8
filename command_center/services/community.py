"""Community flood reports (PetaBencana.id) as plain data: the marker each shows on the live
map and the count per kecamatan. They are residents' reports: every label says unverified, and
they are never added to the official figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from command_center.base.geography import Geography
from command_center.base.labels import t
from command_center.base.times import format_wib

UNKNOWN_DEPTH = "#9e9e9e"
DEPTHS = ((70, "#90caf9"), (150, "#1e88e5"), (None, "#0d47a1"))  # PetaBencana's own classes
TEXT_SHOWN = 140


@dataclass(frozen=True)
class CommunityMarker:
    lat: float
    lon: float
    colour: str
    label: str  # plain text; shown only through `maps.TextTooltip`


def depth_colour(depth_cm: int | None) -> str:
    """Light to dark blue by flood depth (≤ 70 cm, ≤ 150 cm, deeper); grey when not given."""
    if depth_cm is None or pd.isna(depth_cm):
        return UNKNOWN_DEPTH
    return next(colour for limit, colour in DEPTHS if limit is None or depth_cm <= limit)


def depth_legend(lang: str) -> list[tuple[str, str]]:
    """The legend lines of the community layer."""
    words = [t("depth_upto", lang, cm=70), t("depth_upto", lang, cm=150), t("depth_more", lang)]
    return [
        *(
            (f"{t('community_short', lang)}: {w}", c)
            for w, (_, c) in zip(words, DEPTHS, strict=True)
        ),
        (f"{t('community_short', lang)}: {t('depth_unknown', lang)}", UNKNOWN_DEPTH),
    ]


def community_markers(reports: Iterable[Any], lang: str) -> list[CommunityMarker]:
    """One marker per report (records or frame rows with app, created_at, lat, lon, depth_cm,
    text)."""
    markers = []
    for r in reports:
        known = r.depth_cm is not None and not pd.isna(r.depth_cm)
        depth = f"{int(r.depth_cm)} cm" if known else t("depth_unknown", lang)
        text = " ".join(str(r.text or "").split())[:TEXT_SHOWN]
        label = (
            f"{t('community_label', lang)} · {r.app} · {depth} · {format_wib(r.created_at, lang)}"
        )
        markers.append(
            CommunityMarker(r.lat, r.lon, depth_colour(r.depth_cm), f"{label} · {text}".strip(" ·"))
        )
    return markers


def per_kecamatan(reports: pd.DataFrame, geography: Geography) -> pd.DataFrame:
    """Reports per kecamatan they lie in (most first): code, names, count, deepest, latest.
    Reports outside every kecamatan (at sea, beyond the snapping distance) are left out."""
    columns = ["kecamatan_code", "kecamatan", "kabupaten", "reports", "max_depth_cm", "latest"]
    if reports.empty:
        return pd.DataFrame(columns=columns)
    places = geography.locate_many(reports["lat"].tolist(), reports["lon"].tolist())
    located = reports.assign(kecamatan_code=[p.code for p in places]).dropna(
        subset=["kecamatan_code"]
    )
    counts = (
        located.groupby("kecamatan_code")
        .agg(
            reports=("id", "size"),
            max_depth_cm=("depth_cm", "max"),
            latest=("created_at", "max"),
        )
        .reset_index()
    )
    names = geography.kecamatan.loc[counts["kecamatan_code"], ["kecamatan", "kabupaten"]]
    counts["kecamatan"] = names["kecamatan"].to_numpy()
    counts["kabupaten"] = names["kabupaten"].to_numpy()
    return counts[columns].sort_values(["reports", "latest"], ascending=False, ignore_index=True)
