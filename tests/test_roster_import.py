"""Roster import from messy CSV and Excel files, with the quarantine for rows that fail."""

import io

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from command_center.base.auth import Principal
from command_center.base.errors import ImportFileError
from command_center.base.models import QuarantinedRow, Team
from command_center.base.settings import ImportLimits
from command_center.stores import imports
from command_center.stores import teams as team_store

MAX = ImportLimits(max_bytes=5_000_000)

# A Dinsos-style sheet: a title row, semicolons, Indonesian headers in odd case, a blank line,
# thousands separators, decimal commas, and three bad rows among five.
MESSY_CSV = """DATA TAGANA JAWA BARAT 2026;;;;;;
;;;;;;
Nama Tim;Jenis;Kode Kecamatan;Jumlah Anggota;Keahlian;No HP;Lintang;Bujur;Catatan
Tagana Kab. Cianjur 3;Tagana;320304;1.024;SAR air, logistik;0812-3456-7890;;;gudang
Karang Taruna Kec. Cugenang;karang taruna;32.03.11;25;dapur umum;;-6,81;107,08;

TKSK Kec. Cibeber;TKSK;32.03.99;1;pendataan;;;;
;Tagana;32.03.01;10;;;;;
Tagana Kab. Cianjur 3;Tagana;32.03.01;12;;;;;dobel
"""


def admin(name: str) -> Principal:
    """Someone allowed everything (roles and scopes have their own tests)."""
    return Principal(name, "admin")


def _csv(engine, geography, text: str = MESSY_CSV, name: str = "tagana_jabar.csv"):
    return team_store.import_roster(
        engine, text.encode(), name, geography, admin("Koordinator A"), MAX
    )


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_valid_rows_land_and_bad_rows_are_named_by_row_and_field(area_engine, geography) -> None:
    seen = []
    report = team_store.import_roster(
        area_engine, MESSY_CSV.encode(), "tagana_jabar.csv", geography, admin("K"), MAX, seen.append
    )
    assert (report.total, report.created, report.updated) == (5, 2, 0)
    problems = {p.number: [(e.field, e.code) for e in p.errors] for p in report.problems}
    assert problems == {
        7: [("home_kecamatan_code", "unknown_kecamatan")],
        8: [("name", "missing")],
        9: [("name", "duplicate_in_file")],
    }
    assert report.problems[2].errors[0].params == {"row": 4}
    assert seen[-1] == 1.0
    roster = team_store.roster(area_engine).set_index("name")
    cianjur = roster.loc["Tagana Kab. Cianjur 3"]
    assert (cianjur.member_count, cianjur.skills) == (1024, ["SAR air", "logistik"])
    assert cianjur.home_kecamatan_code == "32.03.04"
    cugenang = roster.loc["Karang Taruna Kec. Cugenang"]
    assert (cugenang.kind, cugenang.base_lat, cugenang.base_lon) == ("karang_taruna", -6.81, 107.08)
    assert (cugenang.status, cugenang.updated_by) == ("standby", "K")


def test_bad_rows_wait_in_quarantine_and_land_once_fixed(area_engine, geography) -> None:
    _csv(area_engine, geography)
    waiting = imports.quarantine(area_engine, team_store.ROSTER, admin("K"))
    assert [(q.row_number, q.file_name) for q in waiting] == [
        (7, "tagana_jabar.csv"),
        (8, "tagana_jabar.csv"),
        (9, "tagana_jabar.csv"),
    ]
    assert waiting[0].data["home_kecamatan_code"] == "32.03.99"  # kept as typed
    fixed = {
        waiting[0].id: {"home_kecamatan_code": "32.03.03"},
        waiting[1].id: {"name": ""},  # still wrong
    }
    report = team_store.resubmit_roster(area_engine, fixed, geography, admin("Koordinator B"))
    assert report.created == 1
    assert [(p.number, p.errors[0].code) for p in report.problems] == [(8, "missing")]
    left = imports.quarantine(area_engine, team_store.ROSTER, admin("K"))
    assert [q.row_number for q in left] == [8, 9]
    assert "TKSK Kec. Cibeber" in set(team_store.roster(area_engine)["name"])
    assert imports.discard(area_engine, [left[1].id], admin("Koordinator B")) == 1
    waiting = imports.quarantine(area_engine, team_store.ROSTER, admin("K"))
    assert [q.row_number for q in waiting] == [8]


def test_reimporting_updates_profiles_and_keeps_status(demo_engine, geography) -> None:
    roster = team_store.roster(demo_engine).set_index("name")
    before = roster.loc["Tagana Kab. Sukabumi (Latihan)"]
    text = (
        "nama,kode_kecamatan,anggota,keahlian\n"
        "Tagana Kab. Sukabumi (Latihan),32.02.01,22,SAR air; evakuasi\n"
    )
    report = _csv(demo_engine, geography, text)
    assert (report.created, report.updated) == (0, 1)
    after = team_store.roster(demo_engine).set_index("name").loc["Tagana Kab. Sukabumi (Latihan)"]
    assert after.member_count == 22
    assert after.status == before.status == "on_scene"
    assert after.assigned_kecamatan_code == before.assigned_kecamatan_code


def test_an_excel_roster_with_a_title_row_imports(area_engine, geography) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Daftar Tagana Kabupaten Bogor"])
    sheet.append(["NAMA", "JENIS", "KODE KEC", "ANGGOTA", "TELP"])
    sheet.append(["Tagana Kab. Bogor 2", "Tagana", 320101, 15.0, "0812 1111 2222"])
    sheet.append([None, None, None, None, None])
    sheet.append(["PSM Kec. Cibinong", "PSM", "32.01.01", "=2+2", None])
    buffer = io.BytesIO()
    book.save(buffer)
    report = team_store.import_roster(
        area_engine, buffer.getvalue(), "bogor.xlsx", geography, admin("K"), MAX
    )
    assert report.created == 2 and not report.problems
    roster = team_store.roster(area_engine).set_index("name")
    assert roster.loc["Tagana Kab. Bogor 2"].home_kecamatan_code == "32.01.01"
    # a formula is never evaluated: without a value saved by Excel the cell counts as empty
    assert roster.loc["PSM Kec. Cibinong"].member_count == 0


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"x" * 200, "big.csv", "more than 100 allowed"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old.xls", "old .xls format"),
        (b"PK\x03\x04broken", "broken.xlsx", "not a readable .xlsx"),
        (b"\x00\x01\x02binary", "photo.csv", "not a CSV or .xlsx"),
        (b"a,b,c\n1,2,3\n", "random.csv", "no header row found"),
    ],
)
def test_unreadable_files_are_refused_as_a_whole_and_write_nothing(
    area_engine, geography, data, name, message
) -> None:
    limit = ImportLimits(max_bytes=100) if name == "big.csv" else MAX
    with pytest.raises(ImportFileError, match=message):
        team_store.import_roster(area_engine, data, name, geography, admin("K"), limit)
    assert _count(area_engine, Team) == 0 and _count(area_engine, QuarantinedRow) == 0
