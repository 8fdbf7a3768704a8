"""Satellite hotspots for the screens: the density layer of the live map and wall screen, and
the Hazards page's counts per kecamatan per day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pandas as pd

from command_center.base import resources
from command_center.base.geography import Geography
from command_center.base.labels import t
from command_center.base.models import Hotspot
from command_center.base.times import WIB, format_day, utcnow
from command_center.services.hotspots import (
    DENSITY_COLOURS,
    MAP_HOURS,
    daily_counts,
    density,
    density_colour,
)
from command_center.stores import hotspots as hotspot_store

TABLE_DAYS = 7  # the Hazards page's hotspot counts: the last week


def density_layer(hotspots: pd.DataFrame, lang: str) -> dict[str, Any]:
    """Hotspots as a GeoJSON FeatureCollection of density cells (one point per cell, a few
    hundred at most however many hotspots), each with its colour, radius and label."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [cell.lon, cell.lat]},
            "properties": {
                "colour": density_colour(cell.hotspots),
                "radius": round(4 + 2.5 * min(cell.hotspots, 60) ** 0.5, 1),
                "label": t("hotspot_cell", lang, n=cell.hotspots, high=cell.high, hours=MAP_HOURS),
            },
        }
        for cell in density(hotspots).itertuples()
    ]
    return {"type": "FeatureCollection", "features": features}


def density_legend(layer: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """The density classes the layer shows, most hotspots first."""
    shown = {f["properties"]["colour"] for f in layer["features"]}
    bounds = [least for least, _ in DENSITY_COLOURS]
    words = [f"≥ {bounds[0]}"] + [f"{low}-{high - 1}" for high, low in pairwise(bounds)]
    return [
        (t("legend_hotspots", lang, hours=MAP_HOURS, range=range_words), colour)
        for range_words, (_, colour) in zip(words, DENSITY_COLOURS, strict=True)
        if colour in shown
    ]


def map_hotspots(now: datetime) -> pd.DataFrame:
    """The hotspots the maps draw: the last `MAP_HOURS` hours."""
    return hotspot_store.recent(resources.engine(), now - timedelta(hours=MAP_HOURS))


@resources.cached(Hotspot, ttl=300)
def load_hotspot_table(lang: str, days: int = TABLE_DAYS) -> pd.DataFrame:
    """High-confidence hotspots per kecamatan per WIB day over the last `days` days (every
    kecamatan with a hotspot), most first; labelled for the page."""
    geography = resources.geography()
    first = utcnow().astimezone(WIB).date() - timedelta(days=days - 1)
    spots = hotspot_store.recent(resources.engine(), hotspot_store.day_start(first))
    if geography is None or spots.empty:
        return pd.DataFrame()
    counts = daily_counts(hotspot_store.located(spots, geography))
    return _table(counts, geography, [first + timedelta(days=n) for n in range(days)], lang)


def _table(counts: pd.DataFrame, geography: Geography, days: list[date], lang: str) -> pd.DataFrame:
    if counts.empty:
        return pd.DataFrame()
    high = counts.pivot_table(index="kode_kec", columns="day", values="high", aggfunc="sum")
    high = high.reindex(columns=days, fill_value=0).fillna(0).astype(int)
    total = counts.groupby("kode_kec")["hotspots"].sum()
    rank = pd.DataFrame({"high": high.sum(axis=1), "all": total})
    order = rank.sort_values(["high", "all"], ascending=False).index
    places = geography.kecamatan.loc[order]
    table = pd.DataFrame(
        {
            t("col_code", lang): list(order),
            t("col_kecamatan", lang): list(places["kecamatan"]),
            t("col_kabupaten", lang): list(places["kabupaten"]),
        }
    )
    for day in days:
        table[format_day(day, lang, year=False)] = list(high.loc[order, day])
    table[t("col_hotspots_all", lang)] = list(total[order])
    return table
