"""National boundary layers prepared once as static files, for maps of the whole country.

Inlining the 7,285 kecamatan into every rerun would send tens of megabytes each time. Instead
each level is simplified, its coordinates rounded, and written once under `static/geo/`
(Streamlit serves it, gzip-compressed, at `/app/static/geo/...`; browsers cache it). A
choropleth then only sends the values of the kecamatan that have some.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import shapely

from command_center.assets import STATIC_DIR
from command_center.geography import Geography

GEO_DIR = "geo"
LEVELS = {  # level: (simplification tolerance, coordinate grid), in degrees
    "kecamatan": (0.01, 0.001),
    "kabupaten": (0.02, 0.001),
    "province": (0.03, 0.001),
}


def _collection(layer, name_column: str, tolerance: float, grid: float) -> dict:
    """A layer simplified and snapped to `grid` as GeoJSON: properties `k` (code), `n` (name)."""
    shapes = shapely.simplify(layer.geometry.to_numpy(), tolerance, preserve_topology=True)
    shapes = shapely.set_precision(shapes, grid)  # snaps to the grid, drops repeated points
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"k": code, "n": label},
                "geometry": shapely.geometry.mapping(shape),
            }
            for code, label, shape in zip(layer.index, layer[name_column], shapes, strict=True)
            if not shape.is_empty
        ],
    }


def layer_json(geography: Geography, level: str) -> str:
    """The level's boundaries as compact GeoJSON text."""
    name = {"kecamatan": "kecamatan", "kabupaten": "kabupaten", "province": "provinsi"}[level]
    collection = _collection(geography.layer(level), name, *LEVELS[level])
    return json.dumps(collection, separators=(",", ":"))


DETAIL = (0.0005, 0.0001)  # the kecamatan a map is about, sent with the map
DETAIL_MAX = 400  # beyond this many, the national layer alone is coloured


def detail_json(geography: Geography, codes: list[str]) -> dict | None:
    """The boundaries of a few kecamatan in detail (for zoomed-in maps), or None if too many."""
    if not codes or len(codes) > DETAIL_MAX:
        return None
    return _collection(geography.kecamatan.loc[sorted(codes)], "kecamatan", *DETAIL)


def _digest(geography: Geography) -> str:
    """Changes when the boundaries or the preparation change."""
    source = geography.kecamatan
    key = f"{len(source)}|{source.total_bounds.round(6).tolist()}|{source.index[-1]}|{LEVELS}"
    return hashlib.sha1(key.encode()).hexdigest()[:10]


def install_layers(geography: Geography, static_dir: Path = STATIC_DIR) -> dict[str, str]:
    """Write each level once (skipped when present); returns level -> path under `static/`."""
    folder = static_dir / GEO_DIR
    folder.mkdir(parents=True, exist_ok=True)
    digest = _digest(geography)
    paths = {}
    for level in LEVELS:
        name = f"{level}-{digest}.geojson"
        target = folder / name
        if not target.exists():
            partial = target.with_suffix(".partial")
            partial.write_text(layer_json(geography, level), encoding="utf-8")
            partial.replace(target)
        paths[level] = f"{GEO_DIR}/{name}"
    return paths


def static_url(path: str, base_url_path: str = "") -> str:
    """The URL Streamlit serves a `static/` file at, under `server.baseUrlPath`."""
    prefix = f"/{base_url_path.strip('/')}" if base_url_path.strip("/") else ""
    return f"{prefix}/app/static/{path}"
