"""An offline basemap: the raster tiles of a PMTiles or MBTiles file (an extract of Indonesia,
say), unpacked once under `static/tiles/` and served by Streamlit itself, so that maps have a
basemap with no internet. Vector tiles need a style renderer in the browser and are refused.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pmtiles.reader import MmapSource, Reader, all_tiles
from pmtiles.tile import Compression, TileType

from command_center.base.assets import STATIC_DIR
from command_center.base.errors import BasemapError

TILES_DIR = "tiles"
RASTER = {TileType.PNG: "png", TileType.JPEG: "jpg", TileType.WEBP: "webp"}
MBTILES_FORMATS = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "webp": "webp"}
DONE = "complete"  # written last: a folder without it is unpacked again


@dataclass(frozen=True)
class Basemap:
    """Where the unpacked tiles are, under `static/` (a Leaflet URL template), and whom to
    credit for them."""

    path: str
    attribution: str


def install_basemap(source: Path, static_dir: Path = STATIC_DIR) -> Basemap:
    """Unpack `source` under `static/tiles/` once (again when the file changes).

    Raises:
        BasemapError: no such file, not a PMTiles or MBTiles file, or vector tiles.
    """
    source = Path(source).expanduser()
    if not source.is_file():
        raise BasemapError(f"no basemap file at {source}")
    stat = source.resolve().stat()
    key = f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    folder = static_dir / TILES_DIR / hashlib.sha256(key).hexdigest()[:12]
    with source.open("rb") as handle:
        magic = handle.read(16)
    if magic.startswith(b"PMTiles"):
        extension, attribution, tiles = _pmtiles(source)
    elif magic.startswith(b"SQLite format 3"):
        extension, attribution, tiles = _mbtiles(source)
    else:
        raise BasemapError(f"{source.name} is neither a PMTiles nor an MBTiles file")
    if not (folder / DONE).exists():
        for (z, x, y), data in tiles():
            target = folder / str(z) / str(x) / f"{y}.{extension}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (folder / DONE).write_text(source.name)
    path = f"{TILES_DIR}/{folder.name}/{{z}}/{{x}}/{{y}}.{extension}"
    return Basemap(path, attribution)


def _pmtiles(source: Path):
    with source.open("rb") as handle:
        reader = Reader(MmapSource(handle))
        header, metadata = reader.header(), reader.metadata()
    if header["tile_type"] not in RASTER:
        raise BasemapError(f"{source.name} holds vector tiles; give a raster (PNG/JPEG/WebP) one")
    if header["tile_compression"] not in (Compression.NONE, Compression.UNKNOWN):
        raise BasemapError(f"{source.name}: compressed raster tiles are not supported")

    def tiles() -> Iterator[tuple[tuple[int, int, int], bytes]]:
        with source.open("rb") as handle:
            yield from all_tiles(MmapSource(handle))

    return RASTER[header["tile_type"]], str(metadata.get("attribution") or ""), tiles


def _mbtiles(source: Path):
    def connect() -> sqlite3.Connection:
        return sqlite3.connect(f"file:{source.resolve()}?mode=ro", uri=True)

    try:
        with connect() as db:
            metadata = dict(db.execute("SELECT name, value FROM metadata").fetchall())
    except sqlite3.DatabaseError as exc:
        raise BasemapError(f"{source.name} is not an MBTiles file: {exc}") from exc
    extension = MBTILES_FORMATS.get(str(metadata.get("format", "png")).lower())
    if extension is None:
        raise BasemapError(f"{source.name} holds vector tiles; give a raster (PNG/JPEG/WebP) one")

    def tiles() -> Iterator[tuple[tuple[int, int, int], bytes]]:
        with connect() as db:
            rows = db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
            for z, x, row, data in rows:
                yield (z, x, (1 << z) - 1 - row), data  # MBTiles rows count from the south

    return extension, str(metadata.get("attribution") or ""), tiles
