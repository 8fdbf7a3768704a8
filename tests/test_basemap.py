"""The offline basemap: a PMTiles or MBTiles raster file unpacked once as static tiles."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write

from command_center.base.basemap import install_basemap
from command_center.base.errors import BasemapError

PNG = bytes.fromhex(  # a 1x1 grey PNG
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763686868000003040181a0b3a30000000049454e44ae426082"
)
TILES = {(0, 0, 0): PNG, (5, 26, 16): PNG + b"a", (6, 52, 33): PNG + b"b"}  # over Indonesia


def pmtiles_file(path: Path, tile_type: TileType = TileType.PNG) -> Path:
    with write(str(path)) as writer:
        for (z, x, y), data in sorted(TILES.items(), key=lambda i: zxy_to_tileid(*i[0])):
            writer.write_tile(zxy_to_tileid(z, x, y), data)
        header = {
            "tile_type": tile_type,
            "tile_compression": Compression.NONE,
            "min_lon_e7": 950000000,
            "min_lat_e7": -110000000,
            "max_lon_e7": 1410000000,
            "max_lat_e7": 60000000,
            "center_zoom": 5,
            "center_lon_e7": 1180000000,
            "center_lat_e7": -25000000,
        }
        writer.finalize(header, {"attribution": "© Peta uji PMTiles"})
    return path


def mbtiles_file(path: Path, fmt: str = "png") -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute("CREATE TABLE tiles (zoom_level, tile_column, tile_row, tile_data BLOB)")
        db.executemany(
            "INSERT INTO metadata VALUES (?, ?)",
            [("format", fmt), ("attribution", "© Peta uji MBTiles")],
        )
        db.executemany(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)",
            [(z, x, (1 << z) - 1 - y, data) for (z, x, y), data in TILES.items()],  # TMS rows
        )
    return path


@pytest.mark.parametrize("make", [pmtiles_file, mbtiles_file])
def test_a_raster_file_is_unpacked_once_as_xyz_tiles(tmp_path, make) -> None:
    source = make(tmp_path / f"indonesia.{make.__name__.split('_')[0]}")
    static = tmp_path / "static"
    basemap = install_basemap(source, static)
    assert basemap.path.endswith("/{z}/{x}/{y}.png") and "Peta uji" in basemap.attribution
    for (z, x, y), data in TILES.items():  # rows as Leaflet counts them, from the north
        tile = static / basemap.path.format(z=z, x=x, y=y)
        assert tile.read_bytes() == data
    stamp = (static / basemap.path.format(z=5, x=26, y=16)).stat().st_mtime_ns
    assert install_basemap(source, static) == basemap  # already there: nothing rewritten
    assert (static / basemap.path.format(z=5, x=26, y=16)).stat().st_mtime_ns == stamp


def test_unusable_files_are_refused_with_the_reason(tmp_path) -> None:
    with pytest.raises(BasemapError, match="no basemap file"):
        install_basemap(tmp_path / "tidak-ada.pmtiles", tmp_path)
    with pytest.raises(BasemapError, match="vector tiles"):
        install_basemap(pmtiles_file(tmp_path / "v.pmtiles", TileType.MVT), tmp_path)
    with pytest.raises(BasemapError, match="vector tiles"):
        install_basemap(mbtiles_file(tmp_path / "v.mbtiles", "pbf"), tmp_path)
    (tmp_path / "peta.png").write_bytes(PNG)
    with pytest.raises(BasemapError, match="neither a PMTiles nor an MBTiles"):
        install_basemap(tmp_path / "peta.png", tmp_path)
    assert not (tmp_path / "tiles").exists() or not any((tmp_path / "tiles").rglob("*.png"))
