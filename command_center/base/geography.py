"""Kecamatan, kabupaten and province boundaries keyed by Kemendagri codes, and lookups on them.

The kecamatan layer is read from a GeoJSON, GeoPackage or GeoParquet file; kabupaten and
province layers are dissolved from it so all three levels nest exactly. The first load of a
GeoJSON or GeoPackage writes a GeoParquet copy to the cache directory; later loads read that.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import Point
from shapely.geometry.base import BaseGeometry

from command_center.base.errors import BoundariesMissing, InvalidAreaCode
from command_center.base.labels import t

KECAMATAN_COLUMNS = ("kode_kec", "kecamatan", "kode_kab", "kabupaten", "kode_prov", "provinsi")
KM_PER_DEGREE = 111.32
COMPACT_TOLERANCE_DEG = 0.005  # the layer shipped in data/: edges within about 550 m (3.7 MB)
CODE_FORMATS = {
    "province": re.compile(r"\d{2}"),
    "kabupaten": re.compile(r"\d{2}\.\d{2}"),
    "kecamatan": re.compile(r"\d{2}\.\d{2}\.\d{2}"),
}
Level = Literal["province", "kabupaten", "kecamatan"]


def normalise_code(raw: object, level: Level = "kecamatan", field: str = "kode") -> str:
    """Return the dotted Kemendagri code for `raw` (`"320301"` or `" 32.03.01 "` → `"32.03.01"`).

    Raises:
        InvalidAreaCode: `raw` is not a code of that level.
    """
    text = str(raw).strip() if raw is not None else ""
    if text.isdigit() and len(text) in (2, 4, 6):
        text = ".".join(text[i : i + 2] for i in range(0, len(text), 2))
    if not CODE_FORMATS[level].fullmatch(text):
        example = {"province": "32", "kabupaten": "32.03", "kecamatan": "32.03.01"}[level]
        raise InvalidAreaCode(raw, f"is not a {level} code like {example}", field)
    return text


def parent_code(code: str) -> str:
    """The code one level up: kecamatan → kabupaten → province."""
    return code.rsplit(".", 1)[0]


@dataclass(frozen=True)
class PointMatch:
    """Where a point falls: inside a kecamatan, the nearest one within tolerance, or none."""

    code: str | None
    method: Literal["inside", "nearest", "none"]
    distance_km: float
    reason: str = ""


class Geography:
    """The three boundary levels, indexed by code, with validation and spatial lookups."""

    def __init__(
        self,
        kecamatan: gpd.GeoDataFrame,
        tolerance_km: float = 25.0,
        dissolved: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None = None,
    ):
        """`dissolved`: the kabupaten and province layers, when already dissolved from
        `kecamatan` (read from the cache); otherwise dissolved here."""
        self.kecamatan = kecamatan.set_index("kode_kec", drop=False).sort_index()
        self.kabupaten, self.provinces = dissolved or (
            _dissolve(self.kecamatan, "kode_kab", ["kabupaten", "kode_prov", "provinsi"]),
            _dissolve(self.kecamatan, "kode_prov", ["provinsi"]),
        )
        self.tolerance_km = tolerance_km

    @cached_property
    def points(self) -> pd.DataFrame:
        """One representative point (inside the polygon) per kecamatan, for distances."""
        centre = self.kecamatan.geometry.representative_point()
        frame = pd.DataFrame(self.kecamatan[["kode_kec", "kecamatan", "kabupaten", "provinsi"]])
        return frame.assign(lat=centre.y.to_numpy(), lon=centre.x.to_numpy()).reset_index(drop=True)

    def layer(self, level: Level) -> gpd.GeoDataFrame:
        return {"province": self.provinces, "kabupaten": self.kabupaten}.get(level, self.kecamatan)

    def validate_code(self, raw: object, level: Level = "kecamatan", field: str = "kode") -> str:
        """Normalise `raw` and check the area exists.

        Raises:
            InvalidAreaCode: wrong format, or no such area in the boundary layer.
        """
        code = normalise_code(raw, level, field)
        if code not in self.layer(level).index:
            raise InvalidAreaCode(raw, f"is not a known {level} code", field)
        return code

    def name(self, code: str) -> str:
        """The area's name as the source spells it (join on codes, never on names)."""
        level: Level = ("province", "kabupaten", "kecamatan")[code.count(".")]
        column = {"province": "provinsi", "kabupaten": "kabupaten", "kecamatan": "kecamatan"}
        return str(self.layer(level).at[code, column[level]])

    def locate(self, lat: float, lon: float) -> PointMatch:
        """The kecamatan containing (lat, lon), else the nearest within the tolerance."""
        return self.locate_many([lat], [lon])[0]

    def locate_many(self, lats: list[float], lons: list[float]) -> list[PointMatch]:
        """Vectorised `locate` over many points (one spatial-index query for all)."""
        points = gpd.GeoSeries(gpd.points_from_xy(lons, lats), crs=self.kecamatan.crs)
        codes = self.kecamatan["kode_kec"].to_numpy()
        matches: list[PointMatch | None] = [None] * len(points)
        point_idx, poly_idx = self.kecamatan.sindex.query(points, predicate="intersects")
        for p, k in zip(point_idx, poly_idx, strict=True):
            matches[p] = matches[p] or PointMatch(str(codes[k]), "inside", 0.0)
        missing = [i for i, m in enumerate(matches) if m is None]
        if missing:
            (near_pt, near_poly), degrees = self.kecamatan.sindex.nearest(
                points.iloc[missing], return_distance=True
            )
            for p, k, d in zip(near_pt, near_poly, degrees, strict=True):
                i, km = missing[p], float(d) * KM_PER_DEGREE
                if matches[i] is not None:
                    continue
                if km <= self.tolerance_km:
                    matches[i] = PointMatch(str(codes[k]), "nearest", round(km, 2))
                else:
                    reason = (
                        f"no kecamatan within {self.tolerance_km:g} km; nearest is "
                        f"{codes[k]} at {km:.0f} km"
                    )
                    matches[i] = PointMatch(None, "none", round(km, 2), reason)
        return [m for m in matches if m is not None]

    def intersecting(self, shape: BaseGeometry) -> pd.DataFrame:
        """Kecamatan whose polygon intersects `shape` (lon/lat), in code order."""
        hits = self.kecamatan.sindex.query(shape, predicate="intersects")
        columns = ["kode_kec", "kecamatan", "kabupaten", "provinsi"]
        return pd.DataFrame(self.kecamatan.iloc[sorted(hits)][columns]).reset_index(drop=True)

    def covered(
        self, shape: BaseGeometry, min_share: float, min_part_share: float = 0.5
    ) -> pd.DataFrame:
        """Kecamatan a warning polygon covers: at least `min_share` of the kecamatan's area, or
        holding at least `min_part_share` of one polygon (so a small polygon inside a large
        kecamatan still names it). Columns `kode_kec, kecamatan, kabupaten, provinsi, share`,
        largest share first."""
        columns = ["kode_kec", "kecamatan", "kabupaten", "provinsi", "share"]
        parts = list(getattr(shape, "geoms", [shape]))
        hits = sorted(set(self.kecamatan.sindex.query(shape, predicate="intersects")))
        if not hits:
            return pd.DataFrame(columns=columns)
        chosen = self.kecamatan.iloc[hits]
        geoms = chosen.geometry.to_numpy()
        share = shapely.area(shapely.intersection(geoms, shape)) / shapely.area(geoms)
        holds_part = [
            any(
                part.area > 0 and geom.intersection(part).area / part.area >= min_part_share
                for part in parts
            )
            for geom in geoms
        ]
        keep = (share >= min_share) | np.array(holds_part, dtype=bool)
        frame = pd.DataFrame(chosen[columns[:-1]]).assign(share=share.round(3))[keep]
        return frame.sort_values("share", ascending=False).reset_index(drop=True)

    @cached_property
    def coastal(self) -> frozenset[str]:
        """Codes of kecamatan on the coast (or a land border): those whose boundary touches
        the outline of the whole layer. Computed once per layer."""
        outline = self.provinces.geometry.union_all(method="coverage").boundary
        hits = self.kecamatan.sindex.query(outline, predicate="intersects")
        return frozenset(self.kecamatan["kode_kec"].to_numpy()[hits])

    def within_km(self, lat: float, lon: float, km: float) -> pd.DataFrame:
        """Kecamatan whose polygon comes within `km` of a point (`kode_kec ...` in code order)."""
        circle = Point(lon, lat).buffer(km / KM_PER_DEGREE)
        return self.intersecting(circle)

    def rollup(self, frame: pd.DataFrame, values: list[str], level: Level) -> pd.DataFrame:
        """Sum kecamatan figures (`frame` has `kode_kec`) up to kabupaten or province.

        Returns a frame with the level's code and name and the summed `values`.
        """
        if level == "kecamatan":
            keys = frame["kode_kec"]
        else:
            keys = frame["kode_kec"].str[: 5 if level == "kabupaten" else 2]
        code_col = {"kecamatan": "kode_kec", "kabupaten": "kode_kab", "province": "kode_prov"}[
            level
        ]
        name_col = {"kecamatan": "kecamatan", "kabupaten": "kabupaten", "province": "provinsi"}[
            level
        ]
        summed = frame[values].groupby(keys.rename(code_col)).sum(min_count=1).reset_index()
        names = self.layer(level)[name_col]
        summed.insert(1, name_col, summed[code_col].map(names))
        return summed

    def area_rows(self) -> list[dict[str, object]]:
        """Every area as a row for the store's `areas` table, parents before children."""
        rows: list[dict[str, object]] = []
        for level, name_col in (
            ("province", "provinsi"),
            ("kabupaten", "kabupaten"),
            ("kecamatan", "kecamatan"),
        ):
            layer = self.layer(level)  # type: ignore[arg-type]
            centre = layer.geometry.representative_point()
            for code, name, pt in zip(layer.index, layer[name_col], centre, strict=True):
                parent = parent_code(code) if level != "province" else None
                rows.append(
                    {
                        "code": code,
                        "level": level,
                        "name": name,
                        "parent_code": parent,
                        "lat": round(pt.y, 5),
                        "lon": round(pt.x, 5),
                    }
                )
        return rows

    def centre(self, code: str) -> Point:
        """A point inside the area (for labels, markers and distances)."""
        level: Level = ("province", "kabupaten", "kecamatan")[code.count(".")]
        return self.layer(level).geometry[code].representative_point()


def _dissolve(kecamatan: gpd.GeoDataFrame, by: str, keep: list[str]) -> gpd.GeoDataFrame:
    """Union kecamatan into a coarser level (a coverage union: they share exact edges)."""
    dissolved = kecamatan[[by, *keep, "geometry"]].dissolve(by=by, method="coverage")
    dissolved.insert(0, by, dissolved.index)
    return dissolved.sort_index()


def load_kecamatan(path: Path, cache_dir: Path | None = None, lang: str = "id") -> gpd.GeoDataFrame:
    """Read the kecamatan layer from `path`, through a GeoParquet cache in `cache_dir`.

    Raises:
        BoundariesMissing: the file does not exist, or lacks the Kemendagri code columns.
    """
    if not path.exists():
        raise BoundariesMissing(t("boundaries_missing", lang, path=path))
    cached = _cache_file(path, cache_dir) if cache_dir and path.suffix != ".parquet" else None
    if cached is not None and cached.exists():
        return gpd.read_parquet(cached)
    frame = gpd.read_parquet(path) if path.suffix == ".parquet" else gpd.read_file(path)
    missing = [c for c in KECAMATAN_COLUMNS if c not in frame.columns]
    if missing:
        raise BoundariesMissing(f"{path}: missing columns {', '.join(missing)}")
    frame = frame[[*KECAMATAN_COLUMNS, "geometry"]].to_crs(4326)
    frame["kode_kec"] = frame["kode_kec"].astype(str)
    if cached is not None:
        _write_cache(frame, cached)
    return frame


def _write_cache(frame: gpd.GeoDataFrame, file: Path) -> None:
    """Write a cache file whole or not at all (another process may be reading it)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_suffix(".partial")
    frame.to_parquet(partial)
    partial.replace(file)


def compact(kecamatan: gpd.GeoDataFrame, tolerance_deg: float) -> gpd.GeoDataFrame:
    """A smaller copy of a kecamatan coverage, simplified together so that neighbours keep one
    shared edge (no gaps, no overlaps) and the coarser levels still dissolve from it."""
    return kecamatan.set_geometry(
        shapely.coverage_simplify(kecamatan.geometry.values, tolerance_deg)
    )


def _cache_file(path: Path, cache_dir: Path, level: str = "") -> Path:
    """The cache name changes whenever the source file changes (path, size, mtime)."""
    stat = path.resolve().stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    name = "-".join(filter(None, (path.stem, level, hashlib.sha256(key).hexdigest()[:12])))
    return cache_dir / f"{name}.parquet"


def load_geography(
    path: Path, cache_dir: Path | None = None, tolerance_km: float = 25.0, lang: str = "id"
) -> Geography:
    """Load the boundaries at `path` (see `load_kecamatan`) into a `Geography`, its kabupaten
    and provinces read from the cache in `cache_dir` (dissolving them takes most of a second at
    every start of the app, the worker and each command)."""
    kecamatan = load_kecamatan(path, cache_dir, lang)
    if cache_dir is None:
        return Geography(kecamatan, tolerance_km)
    files = (_cache_file(path, cache_dir, "kabupaten"), _cache_file(path, cache_dir, "provinsi"))
    if all(file.exists() for file in files):
        kabupaten, provinces = (gpd.read_parquet(file) for file in files)
        return Geography(kecamatan, tolerance_km, (kabupaten, provinces))
    geography = Geography(kecamatan, tolerance_km)
    for layer, file in zip((geography.kabupaten, geography.provinces), files, strict=True):
        _write_cache(layer, file)
    return geography
