import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely import box

from command_center.base.errors import BoundariesMissing, InvalidAreaCode
from command_center.base.geography import compact, load_geography, load_kecamatan, normalise_code
from command_center.base.settings import BUNDLED_KECAMATAN


def test_national_layer_has_38_provinces_514_kabupaten_7285_kecamatan(geography) -> None:
    assert len(geography.provinces) == 38
    assert len(geography.kabupaten) == 514
    assert len(geography.kecamatan) == 7285
    assert (geography.kecamatan["kode_prov"] == "32").sum() == 627


def test_cianjur_town_is_in_kecamatan_cianjur(geography) -> None:
    match = geography.locate(-6.8206, 107.1397)
    assert match.code == "32.03.01"
    assert match.method == "inside"
    assert geography.name(match.code) == "Cianjur"


def test_known_points_land_in_their_kecamatan(geography) -> None:
    points = {(-6.1754, 106.8272): "31.71", (-6.9147, 107.6098): "32.73", (-8.65, 115.2167): "51."}
    matches = geography.locate_many([p[0] for p in points], [p[1] for p in points])
    for match, prefix in zip(matches, points.values(), strict=True):
        assert match.code is not None and match.code.startswith(prefix)


def test_point_far_at_sea_has_no_kecamatan_and_says_why(geography) -> None:
    match = geography.locate(-9.5, 106.0)  # Indian Ocean, far south of Java
    assert match.code is None
    assert match.method == "none"
    assert "no kecamatan within 25 km" in match.reason
    assert match.distance_km > 25


def test_point_just_off_the_coast_snaps_to_the_nearest_kecamatan(geography) -> None:
    match = geography.locate(-7.45, 106.40)  # a few km off Sukabumi's south coast
    assert match.method == "nearest"
    assert match.code is not None and match.code.startswith("32.02")
    assert 0 < match.distance_km <= 25


def test_point_in_a_coverage_gap_in_papua_falls_back_to_nearest(geography) -> None:
    match = geography.locate(-3.09, 136.65)
    assert match.method == "nearest"
    assert match.code is not None and match.code[:2] in {"91", "94", "95", "96", "97"}


def test_codes_are_normalised_and_validated(geography) -> None:
    assert geography.validate_code("320301") == "32.03.01"
    assert geography.validate_code(" 32.03 ", "kabupaten") == "32.03"
    assert normalise_code("32", "province") == "32"
    with pytest.raises(InvalidAreaCode, match=re.escape("is not a kecamatan code like 32.03.01")):
        geography.validate_code("32.3.1")
    with pytest.raises(
        InvalidAreaCode, match=re.escape("kode_kec: '32.03.99' is not a known kecamatan")
    ):
        geography.validate_code("32.03.99", field="kode_kec")


def test_kecamatan_roll_up_to_kabupaten_and_province(geography) -> None:
    frame = pd.DataFrame({"kode_kec": ["32.03.01", "32.03.11", "32.01.01"], "deaths": [12, 41, 1]})
    kab = geography.rollup(frame, ["deaths"], "kabupaten").set_index("kode_kab")
    assert kab.loc["32.03", "deaths"] == 53
    assert kab.loc["32.03", "kabupaten"] == "Kabupaten Cianjur"
    prov = geography.rollup(frame, ["deaths"], "province")
    assert prov.to_dict("records") == [{"kode_prov": "32", "provinsi": "Jawa Barat", "deaths": 54}]


def test_levels_nest(geography) -> None:
    assert set(geography.kecamatan["kode_kab"]) == set(geography.kabupaten.index)
    rows = geography.area_rows()
    assert len(rows) == 38 + 514 + 7285
    assert rows[0]["level"] == "province"


def test_missing_file_names_the_path_and_the_way_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(BoundariesMissing) as error:
        load_kecamatan(tmp_path / "kecamatan.geojson", lang="en")
    assert str(tmp_path / "kecamatan.geojson") in str(error.value)
    assert "command-center boundaries download" in str(error.value)
    assert "CC_BOUNDARIES_PATH" in str(error.value)


def test_file_without_code_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wrong.geojson"
    gpd.GeoDataFrame({"name": ["x"]}, geometry=[box(0, 0, 1, 1)], crs=4326).to_file(path)
    with pytest.raises(BoundariesMissing, match="missing columns kode_kec"):
        load_kecamatan(path)


def _one_kecamatan(path: Path, name: str) -> None:
    gpd.GeoDataFrame(
        {
            "kode_kec": ["32.03.01"],
            "kecamatan": [name],
            "kode_kab": ["32.03"],
            "kabupaten": ["Kabupaten Cianjur"],
            "kode_prov": ["32"],
            "provinsi": ["Jawa Barat"],
        },
        geometry=[box(107.1, -6.85, 107.2, -6.8)],
        crs=4326,
    ).to_file(path)


def test_first_load_writes_a_geoparquet_cache_that_later_loads_use(tmp_path: Path) -> None:
    """The kecamatan layer and the kabupaten and provinces dissolved from it."""
    path, cache = tmp_path / "kec.geojson", tmp_path / "cache"
    _one_kecamatan(path, "Cianjur")
    load_geography(path, cache)
    for name, column in (
        ("kec", "kecamatan"),
        ("kec-kabupaten", "kabupaten"),
        ("kec-provinsi", "provinsi"),
    ):
        (cached,) = cache.glob(f"{name}-{'?' * 12}.parquet")
        marked = gpd.read_parquet(cached)
        marked[column] = "from cache"
        marked.to_parquet(cached)
    geography = load_geography(path, cache)
    assert [geography.name(code) for code in ("32.03.01", "32.03", "32")] == ["from cache"] * 3


def test_a_changed_source_file_is_read_again(tmp_path: Path) -> None:
    path, cache = tmp_path / "kec.geojson", tmp_path / "cache"
    _one_kecamatan(path, "Cianjur")
    load_geography(path, cache)
    path.unlink()
    _one_kecamatan(path, "Cianjur Baru")
    assert load_geography(path, cache).name("32.03.01") == "Cianjur Baru"


def test_the_shipped_compact_layer_has_every_kecamatan_and_finds_known_places(geography) -> None:
    """A fresh clone's map: the layer in data/ holds the same codes and names as the detailed one,
    nests into 38 provinces and 514 kabupaten, and puts known towns in their kecamatan."""
    shipped = load_geography(BUNDLED_KECAMATAN)
    assert (len(shipped.provinces), len(shipped.kabupaten)) == (38, 514)
    detailed = geography.kecamatan.drop(columns="geometry")
    assert shipped.kecamatan.drop(columns="geometry").sort_index().equals(detailed.sort_index())
    assert shipped.locate(-6.8206, 107.1397).code == "32.03.01"  # Cianjur
    assert shipped.locate(-6.1754, 106.8272).code.startswith("31.71")  # Monas, Jakarta Pusat
    assert BUNDLED_KECAMATAN.stat().st_size < 5_000_000


def test_compacting_keeps_neighbours_sharing_one_edge(geography) -> None:
    bandung = geography.kecamatan[geography.kecamatan["kode_kab"] == "32.04"]
    small = compact(bandung, 0.005)
    vertices = shapely.get_num_coordinates(small.geometry.values).sum()
    assert vertices < shapely.get_num_coordinates(bandung.geometry.values).sum() / 1.5
    union = shapely.coverage_union_all(small.geometry.values)  # refuses mis-noded edges
    assert union.area == pytest.approx(bandung.geometry.union_all().area, rel=0.01)
    overlaps = shapely.area(shapely.intersection(small.geometry.values[0], small.geometry.values))
    assert sorted(overlaps)[-2] < 1e-9  # the first with itself, with no other
