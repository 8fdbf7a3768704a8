"""Process-wide resources, built once per server (`st.cache_resource`) and shared by sessions:
settings, the store's engine, boundaries, map layers, the basemap, and the data versions that
key every cached result (`cached`)."""

from __future__ import annotations

import functools
import gc
import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy import Engine

from command_center.base import logs, versions
from command_center.base.assets import install_static_assets
from command_center.base.basemap import install_basemap
from command_center.base.db import make_engine, migrate
from command_center.base.errors import BasemapError, BoundariesMissing
from command_center.base.geography import Geography, load_geography
from command_center.base.labels import t
from command_center.base.pdp import Vault, open_vault
from command_center.base.settings import Settings, load_settings
from command_center.base.static_layers import install_layers, static_url

log = logging.getLogger("command_center")

T = TypeVar("T")
MAX_ENTRIES = 64  # per cached function: results for older versions age out
# the cached functions computing in this thread, outermost first (read by tests/test_layers.py)
READING: ContextVar[tuple[Callable[..., Any], ...]] = ContextVar("reading", default=())


@st.cache_resource
def settings() -> Settings:
    return load_settings()


@st.cache_resource
def logging_configured() -> bool:
    """Log as `CC_LOG_FORMAT` says, once per server."""
    logs.configure(settings().log_format)
    return True


@st.cache_resource
def vault() -> Vault:
    """The personal-data vault, its key checked against the store's (raises KeyMissing,
    uncached, while `CC_PDP_KEY` is unset or not the store's key)."""
    key = settings().pdp_key
    return open_vault(engine(), key.get_secret_value() if key else None)


@st.cache_resource(on_release=Engine.dispose)  # a cleared cache closes its connections
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
        boundaries = load_geography(
            cfg.kecamatan_path, cfg.cache_dir, cfg.nearest_tolerance_km, cfg.language
        )
    except BoundariesMissing:
        return None
    # Hundreds of thousands of long-lived objects: leave them out of every garbage collection
    # (Streamlit collects after each run; walking them cost two thirds of a rerun). Collect
    # first, so that no garbage is frozen with them.
    gc.collect()
    gc.freeze()
    return boundaries


def area_name(code: str | None) -> str | None:
    """An area's name from its code (the code itself without boundaries or for none)."""
    shapes = geography()
    return shapes.name(code) if shapes is not None and code else code


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
    """A store write's result, passed on after this server has read the versions it moved,
    so the writer's next run (and every other session's) sees the change."""
    look_for_changes()
    return result


def geography_problem(lang: str) -> str:
    """Why `geography()` is None, in the user's language."""
    return t("boundaries_missing", lang, path=settings().kecamatan_path)


@st.cache_resource
def _seen() -> dict[str, dict[str, int]]:
    """The data versions this server saw last, shared by its sessions (replaced whole)."""
    return {"versions": {}}


def look_for_changes() -> dict[str, int]:
    """Read the data versions (one small query): called at the start of every run and
    self-refreshing fragment, and after each write, so a change made anywhere (this
    session, another one, another replica, the ingest worker, the CLI) keys new results."""
    latest = versions.read(engine())
    _seen()["versions"] = latest
    return latest


def data_version(*tables: str) -> tuple[int, ...]:
    """The versions of `tables` as last seen (see `look_for_changes`)."""
    seen = _seen()["versions"] or look_for_changes()
    return tuple(seen.get(table, 0) for table in tables)


def cached(
    *models: Any, ttl: float | None = None
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """`st.cache_data` shared by every session and keyed by the data it reads: its arguments
    and the versions of the tables of `models`. A write to one of them is a new key, so
    nothing it replaced is served again; `ttl` only bounds results that also depend on the
    clock (ages, "stale since"). Each table must be named: `tests/test_layers.py` checks that
    a cached function reads no other."""
    tables = tuple(model.__tablename__ for model in models)

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        def compute(version: tuple[int, ...], *args: Any, **kwargs: Any) -> T:
            token = READING.set((*READING.get(), function))
            try:
                return function(*args, **kwargs)
            finally:
                READING.reset(token)

        compute.__module__, compute.__qualname__ = function.__module__, function.__qualname__
        shared = st.cache_data(ttl=ttl, max_entries=MAX_ENTRIES, show_spinner=False)(compute)

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> T:
            return shared(data_version(*tables), *args, **kwargs)

        call.tables = tables  # type: ignore[attr-defined]
        call.clear = shared.clear  # type: ignore[attr-defined]
        return call

    return decorate
