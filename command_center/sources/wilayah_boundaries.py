"""Kecamatan boundaries from the public `cahyadsn/wilayah_boundaries` repository (MIT).

It publishes Kemendagri-coded boundaries as MySQL INSERT scripts, one per province:
`db/kec/wilayah_boundaries_kec_NN.sql`, `db/kab/..._kab_NN.sql` and `db/prov/..._prov_N.sql`,
with rows `('32.03.01','Cianjur',lat,lng,'[[[lat,lng],...]]')`. Note the path is *lat first*;
depth 3 is one polygon's rings, depth 4 a multipolygon. These kecamatan polygons are generalised
(about 40 vertices each): good enough for lookups and maps when no better layer is at hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import geopandas as gpd
import requests
from shapely import MultiPolygon, Polygon, make_valid
from shapely.geometry.base import BaseGeometry

from command_center.base.errors import BoundariesDownloadFailed
from command_center.base.geography import KECAMATAN_COLUMNS

PROVINCES = (
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 "
    "71 72 73 74 75 76 81 82 91 92 93 94 95 96"
).split()
PROVINCE_FILES = range(1, 9)
LICENSE = "MIT, (c) 2024 Cahya DSN, github.com/cahyadsn/wilayah_boundaries"

_ROW = re.compile(
    r"\('(?P<code>\d[\d.]*)',\s*'(?P<name>(?:[^']|'')*)',\s*(?P<lat>-?[\d.]+),\s*"
    r"(?P<lng>-?[\d.]+),\s*'(?P<path>[\[\]\d.,\s-]*)'\)"
)


def source_files(provinces: Iterable[str] = PROVINCES) -> list[str]:
    """The script paths (relative to the repository's `db/`) a full layer needs."""
    provinces = list(provinces)
    return (
        [f"kec/wilayah_boundaries_kec_{p}.sql" for p in provinces]
        + [f"kab/wilayah_boundaries_kab_{p}.sql" for p in provinces]
        + [f"prov/wilayah_boundaries_prov_{n}.sql" for n in PROVINCE_FILES]
    )


def fetch_file(session: requests.Session, url: str, timeout_s: float) -> bytes:
    """GET one script.

    Raises:
        BoundariesDownloadFailed: unreachable, or not a 200 answer.
    """
    try:
        response = session.get(url, timeout=timeout_s)
    except requests.RequestException as exc:
        raise BoundariesDownloadFailed(f"could not reach {url}: {exc}") from exc
    if response.status_code != 200:
        raise BoundariesDownloadFailed(f"{url} answered HTTP {response.status_code}")
    return response.content


def parse_rows(sql: bytes) -> list[tuple[str, str, str]]:
    """(code, name, path) of every row of one INSERT script; names unescaped (`''` → `'`)."""
    text = sql.decode("utf-8")
    return [(m["code"], m["name"].replace("''", "'"), m["path"]) for m in _ROW.finditer(text)]


def path_to_geometry(path: str) -> BaseGeometry:
    """The source's lat-first nested `path` as a valid (Multi)Polygon in lon/lat order."""
    nested = json.loads(path)
    polygons = nested if _depth(nested) == 4 else [nested]
    parts = []
    for rings in polygons:
        shells = [[(lng, lat) for lat, lng in ring] for ring in rings if len(ring) >= 4]
        if shells:
            parts.append(Polygon(shells[0], shells[1:]))
    return make_valid(MultiPolygon(parts) if len(parts) > 1 else parts[0])


def _depth(value: object) -> int:
    depth = 0
    while isinstance(value, list) and value:
        value, depth = value[0], depth + 1
    return depth


def build_layer(scripts: dict[str, bytes]) -> gpd.GeoDataFrame:
    """Assemble the kecamatan layer (our six code/name columns) from downloaded scripts."""
    names: dict[str, str] = {}
    kecamatan: list[tuple[str, str, BaseGeometry]] = []
    for name, sql in scripts.items():
        for code, area_name, path in parse_rows(sql):
            if name.startswith("kec/"):
                kecamatan.append((code, area_name, path_to_geometry(path)))
            else:
                names[code] = area_name
    if not kecamatan:
        raise BoundariesDownloadFailed("the downloaded scripts held no kecamatan rows")
    rows = [
        {
            "kode_kec": code,
            "kecamatan": name,
            "kode_kab": code[:5],
            "kabupaten": names.get(code[:5], code[:5]),
            "kode_prov": code[:2],
            "provinsi": names.get(code[:2], code[:2]),
            "geometry": geometry,
        }
        for code, name, geometry in kecamatan
    ]
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    return frame[[*KECAMATAN_COLUMNS, "geometry"]]


def download(
    base_url: str,
    session: requests.Session,
    target: Path,
    timeout_s: float = 60.0,
    provinces: Iterable[str] = PROVINCES,
    progress: Callable[[Iterable[str]], Iterable[str]] = iter,
) -> Path:
    """Fetch every script, build the layer and write it to `target` (a GeoPackage).

    Nothing is written unless every file arrived and parsed; `progress` wraps the file list
    (e.g. with tqdm) to show how far it got.

    Raises:
        BoundariesDownloadFailed: a file could not be fetched or held no usable rows.
    """
    scripts = {
        name: fetch_file(session, f"{base_url.rstrip('/')}/{name}", timeout_s)
        for name in progress(source_files(provinces))
    }
    layer = build_layer(scripts)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial.gpkg")
    layer.to_file(partial, driver="GPKG", layer="kecamatan")
    partial.replace(target)
    return target
