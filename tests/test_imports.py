"""The import machinery itself: hostile and oversized files, and a quarantine that belongs to the
area of whoever imported it (no one else reads, corrects or discards its rows)."""

from __future__ import annotations

import io
import re
import time
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from command_center.base import tables
from command_center.base.auth import Principal
from command_center.base.errors import Forbidden, ImportFileError, InvalidInput
from command_center.base.models import AuditEntry, ImpactReport
from command_center.base.settings import ImportLimits
from command_center.base.tables import CELL
from command_center.base.times import utcnow
from command_center.services import report_files
from command_center.services.validation import NOTE
from command_center.stores import common as store
from command_center.stores import imports
from command_center.stores import reports as report_store
from command_center.stores import teams as team_store
from tests.workbooks import shared_strings_bomb, workbook

CIANJUR_OPERATOR = Principal("Operator Cianjur", "operator", "32.03")
JATIM_OPERATOR = Principal("Operator Jatim", "operator", "35")


def _rewrite_sheet(data: bytes, edit) -> bytes:
    """The workbook with its first sheet's XML changed by `edit(text) -> text`."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                part = edit(part.decode()).encode()
            target.writestr(item, part)
    return out.getvalue()


ROSTER = [["Nama Tim", "Jenis", "Kode Kecamatan"], ["Tagana A", "Tagana", "32.03.01"]]


def _far_cell(text: str) -> str:
    text = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', text)
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return text.replace("</sheetData>", far + "</sheetData>")


def _many_far_rows(text: str) -> str:
    rows = "".join(
        f'<row r="{n}"><c r="XFD{n}" t="inlineStr"><is><t>x</t></is></c></row>'
        for n in range(3, 3000)
    )
    return text.replace("</sheetData>", rows + "</sheetData>")


def _read(data: bytes, limits: ImportLimits = ImportLimits()) -> imports.Table:  # noqa: B008
    return imports.read_table(data, "bom.xlsx", team_store.TEAM_HEADERS, limits)


def test_a_sheet_declaring_a_million_rows_is_refused_quickly() -> None:
    bomb = _rewrite_sheet(workbook(ROSTER), _far_cell)
    assert len(bomb) < 10_000
    started = time.monotonic()
    with pytest.raises(ImportFileError, match="more than 100,000 rows"):
        _read(bomb)
    assert time.monotonic() - started < 30  # it used to run out of memory after 36 s


def test_cells_far_to_the_right_are_not_padded_out() -> None:
    table = _read(_rewrite_sheet(workbook(ROSTER), _many_far_rows), ImportLimits(max_rows=5000))
    assert [r.values["name"] for r in table.rows] == ["Tagana A"]  # 2,997 far cells dropped


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_reading() -> None:
    big = workbook([*ROSTER, *[["x" * 1000, "Tagana", "32.03.01"]] * 2000])
    with pytest.raises(ImportFileError, match="unpacks to"):
        _read(big, ImportLimits(max_unpacked_bytes=1_000_000))


def test_a_csv_row_with_absurdly_many_columns_is_refused() -> None:
    data = b"Nama Tim,Jenis,Kode Kecamatan\n" + b"," * 5000 + b"\n"
    with pytest.raises(ImportFileError, match="row 2 has more than 200 columns"):
        imports.read_table(data, "x.csv", team_store.TEAM_HEADERS, ImportLimits())


@pytest.mark.parametrize("length", [CELL + 1, 200_000])  # past Excel's cell, past csv's own
def test_a_cell_longer_than_an_excel_cell_refuses_the_file_naming_where_it_is(length) -> None:
    data = f"Nama Tim,Jenis,Kode Kecamatan,Peralatan\nTagana A,Tagana,32.03.01,{'x' * length}\n"
    with pytest.raises(ImportFileError, match=r"row 2, column 4|line 2"):
        imports.read_table(data.encode(), "x.csv", team_store.TEAM_HEADERS, ImportLimits())
    sheet = workbook([ROSTER[0], ["Tagana A", "Tagana", "32.03.01"]])
    longer = _rewrite_sheet(sheet, lambda text: text.replace(">Tagana A<", f">{'x' * length}<"))
    with pytest.raises(ImportFileError, match="row 2, column 1 holds"):
        _read(longer)


def test_a_workbook_whose_sheet_breaks_the_parser_is_refused_as_unreadable() -> None:
    broken = _rewrite_sheet(workbook(ROSTER), lambda text: text.replace("</sheetData>", "<"))
    with pytest.raises(ImportFileError, match=r"bom.xlsx: not a readable file \(\w+"):
        _read(broken)


def test_no_file_is_parsed_for_someone_who_may_not_import_it() -> None:
    viewer = Principal("Pejabat", "viewer")
    with pytest.raises(Forbidden):
        imports.preview(b"x", "x.csv", "roster", team_store.TEAM_HEADERS, viewer, ImportLimits())
    with pytest.raises(Forbidden):
        imports.preview(b"x", "x.csv", "reports", report_files.FILE_HEADERS, viewer, ImportLimits())


def _quarantined_by_cianjur(engine, geography) -> tuple[int, int]:
    (incident,) = store.incidents(engine)
    stamp = (utcnow() - timedelta(hours=1)).strftime("%d/%m/%Y %H:%M")
    text = f"Kode Kecamatan,Waktu Laporan,Pelapor,Sumber,Meninggal\n32.03.11,{stamp},TKSK,tksk,-1\n"
    result = report_store.import_reports(
        engine,
        text.encode(),
        "cianjur.csv",
        incident.id,
        geography,
        CIANJUR_OPERATOR,
        ImportLimits(),
    )
    assert len(result.problems) == 1
    (row,) = imports.quarantine(engine, report_store.REPORTS, CIANJUR_OPERATOR)
    return incident.id, row.id


def _audit_count(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def test_another_areas_quarantine_is_neither_seen_nor_touched(demo_engine, geography) -> None:
    _, row_id = _quarantined_by_cianjur(demo_engine, geography)
    before, audited = (
        imports.quarantine(demo_engine, "reports", CIANJUR_OPERATOR),
        _audit_count(demo_engine),
    )
    assert imports.quarantine(demo_engine, "reports", JATIM_OPERATOR) == []
    tampered = {row_id: {"deaths": "999", "reporter": "TAMPERED"}}
    with pytest.raises(Forbidden):
        report_store.resubmit_reports(demo_engine, tampered, geography, JATIM_OPERATOR)
    with pytest.raises(Forbidden):
        imports.discard(demo_engine, [row_id], JATIM_OPERATOR)
    (after,) = imports.quarantine(demo_engine, "reports", CIANJUR_OPERATOR)
    assert after.data == before[0].data and after.resolved_at is None
    assert _audit_count(demo_engine) == audited
    with Session(demo_engine) as session:
        assert not session.scalar(select(ImpactReport).where(ImpactReport.deaths == 999))


def test_every_change_to_a_quarantined_row_is_audited(demo_engine, geography) -> None:
    _, row_id = _quarantined_by_cianjur(demo_engine, geography)
    still_bad = {row_id: {"deaths": "-2"}}
    report_store.resubmit_reports(demo_engine, still_bad, geography, CIANJUR_OPERATOR)
    audit = store.audit_entries(demo_engine, 5)
    correction = audit[audit["action"] == "correct"].iloc[0]
    assert (correction["before"]["deaths"], correction["after"]["deaths"]) == ("-1", "-2")
    assert imports.discard(demo_engine, [row_id], CIANJUR_OPERATOR) == 1
    assert store.audit_entries(demo_engine, 1).iloc[0]["action"] == "discard"


def test_a_correction_longer_than_any_field_is_refused_by_row_and_changes_nothing(
    demo_engine, geography
) -> None:
    (incident,) = store.incidents(demo_engine)
    stamp = (utcnow() - timedelta(hours=1)).strftime("%d/%m/%Y %H:%M")
    story = "banjir " * 500  # a column we do not read, longer than any field: kept as it was
    text = "Kode Kecamatan,Waktu Laporan,Pelapor,Sumber,Meninggal,Kronologi\n"
    text += f"32.03.11,{stamp},TKSK,tksk,-1,{story}\n"
    limits = ImportLimits()
    report_store.import_reports(
        demo_engine, text.encode(), "c.csv", incident.id, geography, CIANJUR_OPERATOR, limits
    )
    (row,) = imports.quarantine(demo_engine, "reports", CIANJUR_OPERATOR)
    longer = {row.id: {**row.data, "deaths": "-2", "notes": "x" * (NOTE + 1)}}
    with pytest.raises(InvalidInput) as refused:
        report_store.resubmit_reports(demo_engine, longer, geography, CIANJUR_OPERATOR)
    [error] = refused.value.errors
    assert (error.field, error.code) == ("row[1].notes", "too_long")  # "Baris 2 · Catatan"
    (same,) = imports.quarantine(demo_engine, "reports", CIANJUR_OPERATOR)
    assert same.data == row.data
    still_bad = {row.id: {**row.data, "deaths": "-2"}}  # the whole row, as the editor sends it
    report_store.resubmit_reports(demo_engine, still_bad, geography, CIANJUR_OPERATOR)
    (kept,) = imports.quarantine(demo_engine, "reports", CIANJUR_OPERATOR)
    assert (kept.data["deaths"], kept.data["~Kronologi"]) == ("-2", story.strip())


# Issue 32, item 5: the shared strings bounded before openpyxl reads them, and every file read
# in a child process within limits of memory and time

BEYOND_1000 = r"more than 1,000 shared strings \(distinct texts\); split the file"


@pytest.mark.parametrize(
    ("part", "prefix", "limits", "refusal"),
    [
        ("xl/sharedStrings.xml", "", ImportLimits(max_shared_strings=1000), BEYOND_1000),
        ("xl/teks.xml", "x:", ImportLimits(max_shared_strings=1000), BEYOND_1000),
        (
            "xl/sharedStrings.xml",
            "",
            ImportLimits(max_shared_strings_bytes=50_000),
            r"shared strings \(the distinct texts\) unpack to 85,\d{3} bytes, more than 50,000",
        ),
    ],
)
def test_a_shared_strings_bomb_is_refused_before_openpyxl_opens_it(
    part, prefix, limits, refusal
) -> None:
    # 5,000 texts declaring a count of 1, in the usual part or another one, namespace-prefixed.
    # It has no workbook part: had openpyxl opened it, it would be "not a readable workbook".
    bomb = shared_strings_bomb(ROSTER, 5000, part, prefix, without="xl/workbook.xml")
    with pytest.raises(ImportFileError, match=refusal):
        _read(bomb, limits)


def test_a_shared_strings_table_within_the_limits_is_read() -> None:
    table = _read(shared_strings_bomb(ROSTER, 5000, "xl/teks.xml", "x:"), ImportLimits())
    assert [r.values["name"] for r in table.rows] == ["Tagana A"]


def test_a_file_needing_more_memory_than_allowed_is_refused_by_its_reader() -> None:
    # past every static check: 30 MB of blank lines, a quarter of a gigabyte as a list of lines
    blank = b"Nama Tim,Jenis,Kode Kecamatan\n" + b"\n" * 30_000_000
    limits = ImportLimits(max_bytes=50_000_000, parse_memory_bytes=250_000_000)
    with pytest.raises(ImportFileError, match=r"more than 250 MB of memory.*CC_IMPORT_PARSE_MB"):
        imports.read_table(blank, "kosong.csv", team_store.TEAM_HEADERS, limits)


def test_a_file_taking_longer_than_allowed_is_stopped_while_this_process_goes_on() -> None:
    # past the shared-strings check (raised here): openpyxl takes seconds over 300,000 texts
    bomb = shared_strings_bomb(ROSTER, 300_000)
    limits = ImportLimits(max_shared_strings=1_000_000, parse_seconds=0.5)
    started, cpu = time.monotonic(), time.process_time()
    with pytest.raises(ImportFileError, match=r"not read within 0.5 s.*CC_IMPORT_PARSE_S"):
        _read(bomb, limits)
    assert time.monotonic() - started < 5  # stopped at its limit, not when done
    assert time.process_time() - cpu < 0.3  # the reading cost another process, not this one


def test_a_table_read_in_the_child_is_the_table_read_here() -> None:
    rows = [
        ["Daftar Tim Tagana", None, None],
        ["Nama Tim", "Jenis", "Kode Kecamatan", "Catatan", "Kosong"],
        ["Tagana A", "Tagana", "32.03.01", "siaga", None],
        [None, None, None],
        ["Tagana B", "TKSK", 3203020, None, "x"],
    ]
    for data in (
        workbook(rows),
        "\n".join(",".join(str(c or "") for c in r) for r in rows).encode(),
    ):
        here = tables.read(data, "tim", team_store.TEAM_HEADERS, ImportLimits())
        assert _read(data) == here
        assert here.ignored == ["Catatan", "Kosong"] and len(here.rows) == 2
