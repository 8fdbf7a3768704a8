"""Process-wide resources, built once per server (`st.cache_resource`) and shared by sessions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TypeVar

import streamlit as st
from sqlalchemy import Engine

from command_center import store
from command_center.assets import install_static_assets
from command_center.basemap import install_basemap
from command_center.db import make_engine, migrate
from command_center.errors import BasemapError, BoundariesMissing
from command_center.geography import Geography, load_geography
from command_center.labels import t
from command_center.settings import Settings, load_settings
from command_center.static_layers import install_layers, static_url

log = logging.getLogger("command_center")

T = TypeVar("T")


@st.cache_resource
def settings() -> Settings:
    return load_settings()


@st.cache_resource
def engine() -> Engine:
    """The store's engine, with the schema brought up to date once per server."""
    eng = make_engine(settings().database_url)
    migrate(eng)
    return eng


@st.cache_resource
def static_assets() -> str:
    """Install the offline map libraries once per server; returns their folder."""
    return str(install_static_assets())


@st.cache_resource(show_spinner=t("loading_boundaries"))
def geography() -> Geography | None:
    """The boundary layers, or None when the file is missing (see `geography_problem`)."""
    cfg = settings()
    try:
        return load_geography(
            cfg.kecamatan_path, cfg.cache_dir, cfg.nearest_tolerance_km, cfg.language
        )
    except BoundariesMissing:
        return None


@st.cache_resource(show_spinner=False)
def _layer_paths() -> dict[str, str]:
    boundaries = geography()
    return install_layers(boundaries) if boundaries is not None else {}


@dataclass(frozen=True)
class Tiles:
    """The basemap every map uses: a tile URL template ("" for none), its credit, and why a
    configured offline basemap is not used (None when all is well)."""

    url: str
    attribution: str
    problem: str | None = None


@st.cache_resource(show_spinner=False)
def _offline_basemap() -> Tiles | None:
    cfg = settings()
    if cfg.basemap_file is None:
        return None
    try:
        basemap = install_basemap(cfg.basemap_file)
    except BasemapError as exc:
        log.error("offline basemap not used: %s", exc)
        return Tiles("", "", str(exc))
    return Tiles(basemap.path, basemap.attribution or cfg.tile_attribution)


def tiles() -> Tiles:
    """The offline basemap file when one is set (unpacked once per server), else `tile_url`."""
    offline = _offline_basemap()
    if offline is None:
        return Tiles(settings().tile_url, settings().tile_attribution)
    if offline.problem:
        return offline
    base = st.get_option("server.baseUrlPath")
    return Tiles(static_url(offline.url, base), offline.attribution)


def map_layers() -> dict[str, str]:
    """Where the national boundary layers are served (level -> URL); {} without boundaries."""
    base = st.get_option("server.baseUrlPath")
    return {level: static_url(path, base) for level, path in _layer_paths().items()}


def written(result: T) -> T:
    """A store write's result, passed on after this server's cached reads are dropped."""
    st.cache_data.clear()
    return result


def geography_problem(lang: str) -> str:
    """Why `geography()` is None, in the user's language."""
    return t("boundaries_missing", lang, path=settings().kecamatan_path)


@st.cache_resource
def _last_seen_change() -> dict[str, int]:
    return {}


def follow_other_writers() -> None:
    """Drop this server's cached query results when the store changed since it last looked.

    A replica clears its cache after its own writes; this catches the others' (another
    replica, the CLI) on the next run instead of when the cached results expire. Called by
    every full run and by the self-refreshing fragments.
    """
    latest, seen = store.last_change(engine()), _last_seen_change()
    if seen.get("audit", latest) != latest:
        st.cache_data.clear()
    seen["audit"] = latest
