"""Satellite hotspots as plain data: counts per kecamatan per day, the kecamatan where a fire
persists, the kabupaten it makes an incident of, and the density drawn on maps.

A single detection is often a flare or a one-off burn; a fire that persists for days in one
kecamatan is what Kemensos acts on (haze shelters, the sick and elderly evacuated). Days are
WIB days: a night pass at 18:00 UTC counts for the next morning's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from command_center.base.times import WIB

MAP_HOURS = 48  # hotspots drawn on the live map and wall screen: the last two days
CELL_DEG = 0.1  # density cells on maps (about 11 km): hundreds of circles, never thousands
# Density classes on maps: (fewest hotspots in a cell, colour), most first; none of the
# incident colours (services.figures.HAZARD_COLOURS), so legends never confuse the two.
DENSITY_COLOURS = ((20, "#b71c1c"), (5, "#f4511e"), (1, "#ffb300"))


@dataclass(frozen=True)
class FireRules:
    """When hotspots propose a forest and land fire (settings `hotspot_*`)."""

    min_high: int = 5  # high-confidence hotspots in a kecamatan on one day
    days: int = 3  # consecutive days at or above `min_high`


@dataclass(frozen=True)
class FireArea:
    """One kabupaten's persistent fire: where it persists and every kecamatan it touches."""

    kode_kab: str
    persistent: tuple[str, ...]  # kecamatan at `min_high` or more for `days` days in a row
    affected: tuple[str, ...]  # kecamatan of the kabupaten with high-confidence hotspots then
    first_day: date
    last_day: date


def wib_day(times: pd.Series) -> pd.Series:
    """The WIB date of each UTC time."""
    return pd.to_datetime(times, utc=True).dt.tz_convert(WIB).dt.date


def daily_counts(located: pd.DataFrame) -> pd.DataFrame:
    """Hotspots per kecamatan per WIB day, from `kode_kec, time_utc, confidence` rows:
    `kode_kec, day, hotspots, high` (high: high-confidence only), by code and day."""
    columns = ["kode_kec", "day", "hotspots", "high"]
    if located.empty:
        return pd.DataFrame(columns=columns)
    frame = located.assign(
        day=wib_day(located["time_utc"]), high=located["confidence"].eq("high").astype(int)
    )
    counts = frame.groupby(["kode_kec", "day"], as_index=False).agg(
        hotspots=("high", "size"), high=("high", "sum")
    )
    return counts[columns].sort_values(["kode_kec", "day"], ignore_index=True)


def persistent_runs(counts: pd.DataFrame, rules: FireRules) -> pd.DataFrame:
    """Runs of at least `rules.days` consecutive days with `rules.min_high` or more
    high-confidence hotspots: `kode_kec, first_day, last_day`, one row per run."""
    hot = counts[counts["high"] >= rules.min_high]
    runs = []
    for code, days in hot.groupby("kode_kec")["day"]:
        ordered = sorted(days)
        start = previous = ordered[0]
        for day in [*ordered[1:], None]:
            if day is not None and day - previous == timedelta(days=1):
                previous = day
                continue
            if (previous - start).days + 1 >= rules.days:
                runs.append((code, start, previous))
            start = previous = day
    return pd.DataFrame(runs, columns=["kode_kec", "first_day", "last_day"])


def fire_areas(counts: pd.DataFrame, rules: FireRules) -> list[FireArea]:
    """Each kabupaten's persistent fires: runs in one kabupaten a day or less apart are one
    fire; its area is every kecamatan of the kabupaten with a high-confidence hotspot on
    those days, the persistent ones first."""
    runs = persistent_runs(counts, rules).assign(
        kode_kab=lambda r: r["kode_kec"].str.rsplit(".", n=1).str[0]
    )
    counts = counts.assign(kode_kab=counts["kode_kec"].str.rsplit(".", n=1).str[0])
    areas = []
    for kode_kab, group in runs.groupby("kode_kab"):
        for first, last, codes in _merged(group):
            window = counts[
                (counts["kode_kab"] == kode_kab)
                & counts["day"].between(first, last)
                & (counts["high"] > 0)
            ]
            touched = sorted(set(window["kode_kec"]) - set(codes))
            areas.append(
                FireArea(
                    str(kode_kab),
                    tuple(sorted(codes)),
                    tuple(sorted(codes)) + tuple(touched),
                    first,
                    last,
                )
            )
    return areas


def _merged(runs: pd.DataFrame) -> list[tuple[date, date, set[str]]]:
    """Runs a day or less apart joined: (first day, last day, kecamatan)."""
    merged: list[tuple[date, date, set[str]]] = []
    for run in runs.sort_values("first_day").itertuples():
        if merged and run.first_day - merged[-1][1] <= timedelta(days=1):
            first, last, codes = merged[-1]
            merged[-1] = (first, max(last, run.last_day), codes | {run.kode_kec})
        else:
            merged.append((run.first_day, run.last_day, {run.kode_kec}))
    return merged


def density(hotspots: pd.DataFrame, cell_deg: float = CELL_DEG) -> pd.DataFrame:
    """Hotspots counted per grid cell of `cell_deg` degrees, from `lat, lon, confidence` rows:
    `lat, lon` (the cell's centre), `hotspots`, `high`, most hotspots first."""
    columns = ["lat", "lon", "hotspots", "high"]
    if hotspots.empty:
        return pd.DataFrame(columns=columns)

    def centre(degrees: pd.Series) -> pd.Series:
        # rounded first: 114.5 / 0.1 is 1144.999... in floating point, and belongs to 1145
        return (np.floor((degrees / cell_deg).round(6)) + 0.5) * cell_deg

    cells = hotspots.assign(
        lat=centre(hotspots["lat"]),
        lon=centre(hotspots["lon"]),
        high=hotspots["confidence"].eq("high").astype(int),
    )
    counted = cells.groupby(["lat", "lon"], as_index=False).agg(
        hotspots=("high", "size"), high=("high", "sum")
    )
    counted[["lat", "lon"]] = counted[["lat", "lon"]].round(4)
    return counted[columns].sort_values("hotspots", ascending=False, ignore_index=True)


def density_colour(hotspots: int) -> str:
    """The colour of a density cell with this many hotspots."""
    return next(colour for least, colour in DENSITY_COLOURS if hotspots >= least)


def judged_days(days: tuple[date, ...], rules: FireRules) -> tuple[date, date]:
    """The first and last day to read to judge persistence through `days`: a run through
    them may begin or end `rules.days` away (files do not come in date order), and one more
    day joins a neighbouring run."""
    reach = timedelta(days=rules.days + 1)
    return min(days) - reach, max(days) + reach
