"""National boundary layers prepared once as static files, for maps of the whole country.

Inlining the 7,285 kecamatan into every rerun would send tens of megabytes each time. Instead
the kecamatan are simplified as one coverage, kabupaten and provinces dissolved from them (so
every outline runs along the kecamatan borders), coordinates rounded, and written once under
`static/geo/`
(Streamlit serves it, gzip-compressed, at `/app/static/geo/...`; browsers cache it). A
choropleth then only sends the values of the kecamatan that have some.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from command_center.base.assets import STATIC_DIR
from command_center.base.geography import Geography

GEO_DIR = "geo"
LEVELS = ("kecamatan", "kabupaten", "province")
NATIONAL = (0.01, 0.001)  # (simplification tolerance, coordinate grid), in degrees
NAME_COLUMN = {"kecamatan": "kecamatan", "kabupaten": "kabupaten", "province": "provinsi"}


def _coverage(layer: gpd.GeoDataFrame, tolerance: float, grid: float) -> pd.Series:
    """The kecamatan simplified as one coverage: a border two kecamatan share stays one line
    (simplifying each polygon alone moves it differently on each side), snapped to `grid`."""
    shapes = shapely.coverage_simplify(layer.geometry.to_numpy(), tolerance)
    return pd.Series(shapely.set_precision(shapes, grid), index=layer.index)


def _dissolved(kecamatan: pd.Series) -> dict[str, pd.Series]:
    """Kabupaten and provinces as unions of the simplified kecamatan, so that their outlines
    run exactly along the kecamatan borders at every zoom."""
    kabupaten = kecamatan.groupby(kecamatan.index.str[:5]).agg(lambda s: shapely.union_all(s))
    province = kabupaten.groupby(kabupaten.index.str[:2]).agg(lambda s: shapely.union_all(s))
    return {"kecamatan": kecamatan, "kabupaten": kabupaten, "province": province}


def _collection(shapes: pd.Series, names: pd.Series) -> dict:
    """GeoJSON with properties `k` (code) and `n` (name)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"k": code, "n": str(names.get(code, code))},
                "geometry": shapely.geometry.mapping(shape),
            }
            for code, shape in shapes.items()
            if not shape.is_empty
        ],
    }


def national_json(geography: Geography) -> dict[str, str]:
    """Each level's boundaries for the whole country, as compact GeoJSON text."""
    shapes = _dissolved(_coverage(geography.kecamatan, *NATIONAL))
    return {
        level: json.dumps(
            _collection(shapes[level], geography.layer(level)[NAME_COLUMN[level]]),
            separators=(",", ":"),
        )
        for level in LEVELS
    }


DETAIL = (0.0005, 0.0001)  # the kecamatan a map is about, sent with the map
DETAIL_MAX = 400  # beyond this many, the national layer alone is coloured


@lru_cache(maxsize=64)
def _detailed(geography: Geography, kabupaten: tuple[str, ...]) -> dict[str, pd.Series]:
    """These kabupaten's kecamatan and outlines in detail, from one coverage, and the
    stretches of their outlines that are a province's border (coast included); cached."""
    kecamatan = geography.kecamatan[geography.kecamatan["kode_kab"].isin(kabupaten)]
    shapes = _dissolved(_coverage(kecamatan, *DETAIL))
    borders = {}
    for code, outline in shapes["kabupaten"].items():
        others = geography.kabupaten[
            (geography.kabupaten.index.str[:2] == code[:2]) & (geography.kabupaten.index != code)
        ].geometry
        inner = shapely.union_all(others[others.intersects(outline)].to_numpy())
        borders[code] = outline.boundary.difference(inner.buffer(DETAIL[0] * 2))
    return {**shapes, "border": pd.Series(borders)}


def detail_json(geography: Geography, codes: list[str]) -> dict | None:
    """The boundaries of a few kecamatan in detail (for zoomed-in maps), or None if too many:
    `{"kecamatan": ..., "kabupaten": ..., "border": ...}` (GeoJSON), the kabupaten being
    theirs and their neighbours', outlined from the same lines as the kecamatan, and `border`
    the stretches of those outlines that are a province's border."""
    if not codes or len(codes) > DETAIL_MAX:
        return None
    wanted = sorted(set(codes))
    mine = geography.kabupaten.loc[sorted({c[:5] for c in wanted})]
    touching = geography.kabupaten.intersects(shapely.union_all(mine.geometry.to_numpy()))
    shapes = _detailed(geography, tuple(geography.kabupaten.index[touching]))
    return {
        "kecamatan": _collection(shapes["kecamatan"].loc[wanted], geography.kecamatan["kecamatan"]),
        "kabupaten": _collection(shapes["kabupaten"], geography.kabupaten["kabupaten"]),
        "border": _collection(shapes["border"], geography.kabupaten["kabupaten"]),
    }


def _digest(geography: Geography) -> str:
    """Changes when the boundaries or the preparation change."""
    source = geography.kecamatan
    key = f"{len(source)}|{source.total_bounds.round(6).tolist()}|{source.index[-1]}|{NATIONAL}|2"
    return hashlib.sha1(key.encode()).hexdigest()[:10]


def install_layers(geography: Geography, static_dir: Path = STATIC_DIR) -> dict[str, str]:
    """Write each level once (skipped when present); returns level -> path under `static/`."""
    folder = static_dir / GEO_DIR
    folder.mkdir(parents=True, exist_ok=True)
    digest = _digest(geography)
    paths = {level: f"{GEO_DIR}/{level}-{digest}.geojson" for level in LEVELS}
    if all((static_dir / path).exists() for path in paths.values()):
        return paths
    for level, text in national_json(geography).items():
        target = static_dir / paths[level]
        partial = target.with_suffix(".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    return paths


def static_url(path: str, base_url_path: str = "") -> str:
    """The URL Streamlit serves a `static/` file at, under `server.baseUrlPath`."""
    prefix = f"/{base_url_path.strip('/')}" if base_url_path.strip("/") else ""
    return f"{prefix}/app/static/{path}"
