"""Live map page: open incidents, their affected kecamatan and team positions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from command_center import store
from command_center.store import IncidentRecord
from command_center.ui import resources


@dataclass(frozen=True)
class TeamPosition:
    name: str
    status: str
    lat: float
    lon: float


@dataclass(frozen=True)
class LiveMapView:
    incidents: list[IncidentRecord]
    affected: dict[str, Any]
    teams: list[TeamPosition]
    centre: tuple[float, float]
    zoom: int
    problem: str | None


@st.cache_data(ttl=30, show_spinner=False)
def load_live_map(lang: str) -> LiveMapView:
    """Everything the live map draws; `problem` says what is missing when boundaries are."""
    engine = resources.engine()
    incidents = store.incidents(engine)
    geography = resources.geography()
    codes = sorted({c for i in incidents for c in i.kecamatan_codes})
    affected: dict[str, Any] = {"type": "FeatureCollection", "features": []}
    if geography is not None and codes:
        layer = geography.kecamatan.loc[codes, ["kode_kec", "kecamatan", "kabupaten", "geometry"]]
        affected = json.loads(layer.to_json(drop_id=True))
    roster = store.teams(engine)
    known = roster["last_lat"].notna()
    lats = roster["last_lat"].where(known, roster["base_lat"])
    lons = roster["last_lon"].where(known, roster["base_lon"])
    teams = [
        TeamPosition(str(name), str(status), float(lat), float(lon))
        for name, status, lat, lon in zip(roster["name"], roster["status"], lats, lons, strict=True)
        if pd.notna(lat)
    ]
    first = next((i for i in incidents if i.lat is not None), None)
    centre = (first.lat, first.lon) if first else (-2.5, 118.0)
    return LiveMapView(
        incidents=incidents,
        affected=affected,
        teams=teams,
        centre=centre,
        zoom=9 if first else 5,
        problem=None if geography is not None else resources.geography_problem(lang),
    )
