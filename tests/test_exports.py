"""Exports of the counted reports, the national static layers and the choropleth element."""

import csv
import io
import json

import folium
from shapely import unary_union
from shapely.geometry import Point, shape

from command_center.base.labels import t
from command_center.base.static_layers import detail_json, install_layers
from command_center.services import exports, figures
from command_center.services.reports import counted
from command_center.stores import reports as report_store
from command_center.ui import maps


def _table(demo_engine, geography):
    versions = report_store.all_versions(demo_engine)
    return exports.export_table(counted(versions, include_unverified=True), geography)


def test_csv_export_has_one_row_per_kecamatan_with_its_areas(demo_engine, geography) -> None:
    rows = list(
        csv.DictReader(io.StringIO(exports.to_csv(_table(demo_engine, geography)).decode()))
    )
    assert len(rows) == 15
    cugenang = next(r for r in rows if r["kecamatan_code"] == "32.03.11")
    assert (cugenang["kecamatan"], cugenang["kabupaten_code"], cugenang["province_code"]) == (
        "Cugenang",
        "32.03",
        "32",
    )
    assert cugenang["deaths"] == "41" and cugenang["kabupaten"] == "Kabupaten Cianjur"
    assert "Tenda keluarga: 205 buah" in cugenang["needs"]  # words that import back


def test_hxl_export_tags_every_column(demo_engine, geography) -> None:
    lines = list(csv.reader(io.StringIO(exports.to_hxl(_table(demo_engine, geography)).decode())))
    header, tags = lines[0], lines[1]
    assert dict(zip(header, tags, strict=True))["kecamatan_code"] == "#adm3+code"
    assert dict(zip(header, tags, strict=True))["deaths"] == "#affected+killed"
    assert all(tag.startswith("#") for tag in tags)
    assert len(lines) == 2 + 15


def test_geojson_export_carries_each_boundary_with_its_figures(demo_engine, geography) -> None:
    data = json.loads(exports.to_geojson(_table(demo_engine, geography), geography))
    assert len(data["features"]) == 15
    feature = next(f for f in data["features"] if f["properties"]["kecamatan_code"] == "32.03.11")
    assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert feature["properties"]["displaced"] == 8200


def test_exported_text_cannot_become_a_spreadsheet_formula(demo_engine, geography) -> None:
    table = _table(demo_engine, geography)
    table.loc[table.index[0], "reporter"] = '=HYPERLINK("http://x","klik")'
    rows = list(csv.DictReader(io.StringIO(exports.to_csv(table).decode())))
    assert rows[0]["reporter"].startswith("'=")


def test_national_layers_are_compact_and_written_once(geography, tmp_path) -> None:
    paths = install_layers(geography, tmp_path)
    files = {level: tmp_path / path for level, path in paths.items()}
    kecamatan = json.loads(files["kecamatan"].read_text())
    assert len(kecamatan["features"]) == len(geography.kecamatan)
    assert set(kecamatan["features"][0]["properties"]) == {"k", "n"}
    assert sum(f.stat().st_size for f in files.values()) < 8_000_000
    before = {f: f.stat().st_mtime_ns for f in files.values()}
    assert install_layers(geography, tmp_path) == paths
    assert {f: f.stat().st_mtime_ns for f in files.values()} == before
    layers = {level: _shapes(files[level]) for level in files}
    assert len(layers["province"]) == len(geography.provinces)
    assert len(layers["kabupaten"]) == len(geography.kabupaten)
    for kabupaten in ("32.03", "73.71", "93.01"):  # Cianjur, Makassar, Merauke
        _assert_runs_along_kecamatan(layers["kabupaten"][kabupaten], layers["kecamatan"], kabupaten)
    _assert_runs_along_kecamatan(layers["province"]["32"], layers["kecamatan"], "32")


def _shapes(path) -> dict:
    collection = json.loads(path.read_text())
    return {f["properties"]["k"]: shape(f["geometry"]) for f in collection["features"]}


def _assert_runs_along_kecamatan(outline, kecamatan: dict, prefix: str) -> None:
    """Every stretch of an outline is a border of the kecamatan inside it, not a shortcut
    across them (what outlines simplified on their own draw at close zoom)."""
    borders = unary_union([k.boundary for c, k in kecamatan.items() if c.startswith(prefix + ".")])
    stray = outline.boundary.difference(borders.buffer(1e-6))
    assert stray.length < 1e-3 * outline.boundary.length, prefix  # a grid cell or two


def test_the_choropleth_sends_values_and_detail_not_the_country(geography) -> None:
    hostile = '</script><script>alert("x")</script>'
    detail = detail_json(geography, ["32.03.11", "32.03.01"])
    assert [f["properties"]["k"] for f in detail["kecamatan"]["features"]] == [
        "32.03.01",
        "32.03.11",
    ]
    outlines = {f["properties"]["k"]: shape(f["geometry"]) for f in detail["kabupaten"]["features"]}
    assert {"32.03", "32.02", "32.04"} <= set(outlines)  # Cianjur and its neighbours
    assert not outlines.keys() & {"32.73", "33.01"}  # not the whole province or island
    cianjur = outlines["32.03"].buffer(1e-7)  # outlined from the same detailed lines:
    assert all(cianjur.contains(shape(f["geometry"])) for f in detail["kecamatan"]["features"])
    borders = {f["properties"]["k"]: shape(f["geometry"]) for f in detail["border"]["features"]}
    assert borders["32.03"].length > 0.3  # Cianjur's coast on the Indian Ocean
    assert borders.get("32.04", Point()).length < 0.01  # Kabupaten Bandung: inland
    fmap = maps.base_map("", "")
    maps.Choropleth(
        {"32.03.11": ["#a50f15", hostile]}, {"kecamatan": "/app/static/geo/k.geojson"}, detail
    ).add_to(fmap)
    html = fmap.get_root().render()
    assert "/app/static/geo/k.geojson" in html
    assert hostile not in html and "\\u003c/script\\u003e" in html  # inert inside the script
    assert len(html) < 200_000
    assert detail_json(geography, list(geography.kecamatan.index[:500])) is None
    assert isinstance(fmap, folium.Map)


def test_classes_split_the_positive_values() -> None:
    legend = figures.classes([0, 1, 2, 3, 4, 5, 10, 50, 100, 1000])
    assert [bound for bound, _ in legend] == [2, 4, 10, 100, 1000]
    assert figures.class_colour(0, legend) is None
    assert figures.class_colour(3, legend) == legend[1][1]
    assert figures.classes([0, 0]) == []


def test_the_audit_export_cannot_become_a_spreadsheet_formula(app_env, engine) -> None:
    from command_center.adapters import admin
    from command_center.base.auth import Principal

    owner = Principal('=HYPERLINK("http://x.example","klik")', "admin")  # a name as typed
    admin.add_token(owner, "layar")
    table = admin.load_audit(owner, "id")
    rows = list(csv.reader(io.StringIO(admin.audit_csv(table).decode())))
    cells = [cell for row in rows[1:] for cell in row if "HYPERLINK" in cell]
    assert cells and all(not cell.startswith("=") for cell in cells)


def test_the_ledger_and_distributions_export_as_excel_with_text_kept_text(app_env) -> None:
    """What a BAST file keeps: every row, numbers as numbers, a typed formula as plain text."""
    import openpyxl
    import pandas as pd

    table = pd.DataFrame(
        {"Surat jalan": ["SJ-2026-00001", "SJ-2026-00002"], "Dikirim": [200, 15]}
    ).assign(Penerima=['=HYPERLINK("http://x","klik")', "Kades"])
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(table)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("Surat jalan", "Dikirim", "Penerima")
    assert rows[1] == ("SJ-2026-00001", 200, '\'=HYPERLINK("http://x","klik")')
    assert book.active["C2"].data_type == "s"  # a string, not a formula


def test_the_reports_csv_is_headed_in_words_and_hxl_keeps_its_machine_names(with_demo) -> None:
    """Item 9 of #34: people's CSV under the screen's words (`Kecamatan (kode)`, not
    `kecamatan_code`); the HXL file keeps its names and tags for the systems that read it."""
    from command_center.adapters import reports

    header, *rows = list(csv.reader(io.StringIO(reports.export(None, True, "csv", "id").decode())))
    assert header[:2] == [t("field_kecamatan_code"), t("field_kecamatan")]
    assert t("field_report_time_utc") in header and t("field_displaced") in header
    assert rows and not [h for h in header if "_" in h]
    english = next(csv.reader(io.StringIO(reports.export(None, True, "csv", "en").decode())))
    assert english[:2] == [t("field_kecamatan_code", "en"), t("field_kecamatan", "en")]
    names, tags = list(csv.reader(io.StringIO(reports.export(None, True, "hxl", "id").decode())))[
        :2
    ]
    assert names == exports.COLUMNS and tags[0] == "#adm3+code"
