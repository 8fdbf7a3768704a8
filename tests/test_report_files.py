"""Other people's report spreadsheets: BNPB's DIBI export, kabupaten totals, files that are not
reports at all. Real files from the shared data, a real store."""

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from command_center.base.auth import SYSTEM
from command_center.base.errors import NotReports
from command_center.base.labels import field_error, field_name
from command_center.base.models import AuditEntry, ImpactReport
from command_center.base.settings import ImportLimits
from command_center.services.gazetteer import gazetteer_of
from command_center.services.report_files import FILE_HEADERS, read_row
from command_center.services.reports import counted, with_kabupaten_level
from command_center.stores import imports
from command_center.stores import incidents as incident_store
from command_center.stores import reports as report_store
from command_center.stores.common import frame
from command_center.stores.incidents import NewIncident
from tests.workbooks import workbook

BNPB = "impacts/bnpb_pantauan_bencana_Data_Bencana_2020.csv"
DIBI = "impacts/dibi_bnpb_agg_2010-2025_rainaimtiyaz-dibi-bnpb-analysis.csv"


@pytest.fixture
def incident(area_engine) -> int:
    entry = NewIncident(
        hazard="banjir",
        name="Banjir dan longsor 2020",
        kecamatan=("36.02", "11.14", "51.03"),
        started_at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    key = incident_store.open_incident(area_engine, entry, SYSTEM)
    return incident_store.incident_id(area_engine, key)


def _import(engine, geography, data: bytes, incident: int, name: str = "f.csv", **options):
    return report_store.import_reports(
        engine, data, name, incident, geography, SYSTEM, ImportLimits(), **options
    )


def _totals(engine) -> dict[str, int]:
    rows = with_kabupaten_level(
        counted(report_store.all_versions(engine), True),
        report_store.all_versions(engine, level="kabupaten"),
        True,
    )
    figures = ["deaths", "missing", "injured_unspecified", "displaced", "houses_heavy"]
    return {f: int(rows[f].fillna(0).sum()) for f in figures}


def test_bnpb_export_lands_every_event_with_its_place_time_and_source(
    area_engine, geography, incident, shared_data: Path
) -> None:
    result = _import(area_engine, geography, (shared_data / BNPB).read_bytes(), incident)
    assert (result.total, result.landed, len(result.problems)) == (34, 32, 2)
    # two events name one kecamatan that is no kecamatan of their kabupaten: they wait with
    # the kecamatan to pick from, not as kabupaten totals
    waiting = {p.number: p.errors[0] for p in result.problems}
    assert {n: (e.field, e.code) for n, e in waiting.items()} == {
        8: ("kecamatan_name", "kecamatan_name_unsure"),
        14: ("kecamatan_name", "kecamatan_name_unsure"),
    }
    assert "Boliyohuto, Kabupaten Gorontalo (75.01.09)" in waiting[8].params["candidates"]
    assert "Mataraman, Kabupaten Banjar (63.03.12)" in waiting[14].params["candidates"]
    held = {w.row_number: w.id for w in imports.quarantine(area_engine, "reports", SYSTEM)}
    picked = {held[8]: {"kecamatan_code": "75.01.09"}, held[14]: {"kecamatan_code": "63.03.12"}}
    assert report_store.resubmit_reports(area_engine, picked, geography, SYSTEM).created == 2
    # BNPB's own totals for this sample (shared data README)
    assert _totals(area_engine) == {
        "deaths": 6,
        "missing": 3,
        "injured_unspecified": 3,
        "displaced": 1816,
        "houses_heavy": 196,
    }
    kecamatan = report_store.all_versions(area_engine).set_index("kecamatan_code")
    aceh = kecamatan.loc["11.14.04"]  # "Kec. Sampoiniet" of ACEH JAYA (BPS 1116)
    assert aceh["report_time"] == datetime(2020, 2, 7, 5, 0, tzinfo=UTC)  # noon WIB
    assert (aceh["source"], aceh["reporter"]) == ("bpbd", "BPBA Prov. Aceh")
    assert "Ibu Henni" in aceh["notes"]  # the contact text is kept, not taken as the source
    # BPS 7206 is TOLI-TOLI; Kemendagri 72.06 is Morowali: the name wins
    assert "72.04.06" in kecamatan.index and not kecamatan.index.str.startswith("72.06").any()
    whole = report_store.all_versions(area_engine, level="kabupaten").set_index("kecamatan_code")
    assert "36.02" in whole.index  # Lebak's event over 20-odd kecamatan: a kabupaten total
    assert "Cigemblong" in whole.loc["36.02", "notes"]
    codes = {(n.number, e.code) for n in result.notes for e in n.errors}
    assert (4, "kabupaten_level") in codes


def test_a_yearly_province_aggregate_is_refused_whole_and_nothing_is_stored(
    area_engine, geography, incident, shared_data: Path
) -> None:
    with pytest.raises(NotReports) as refused:
        _import(area_engine, geography, (shared_data / DIBI).read_bytes(), incident)
    assert refused.value.reason == "province_aggregate"
    assert imports.quarantine(area_engine, report_store.REPORTS, SYSTEM) == []
    assert frame(area_engine, ImpactReport.__table__.select()).empty
    audit = frame(area_engine, AuditEntry.__table__.select())
    assert not (audit["action"] == "import").any()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("kode_kecamatan,pelapor,alamat\n32.04.12,Ani,Jl. Mawar\n", "no_figures"),
        ("keterangan,meninggal,mengungsi\nbanjir,1,20\n", "no_area"),
    ],
)
def test_a_file_with_no_figures_or_no_place_is_refused(
    area_engine, geography, incident, text: str, reason: str
) -> None:
    with pytest.raises(NotReports) as refused:
        _import(area_engine, geography, text.encode(), incident)
    assert refused.value.reason == reason


def test_a_quarantined_row_keeps_the_columns_we_do_not_read_and_lands_once_fixed(
    area_engine, geography, incident
) -> None:
    text = (
        "kabkot,lokasi,tahun,bulan,tanggal,jam,meninggal,mengungsi,kib,sumber\n"
        'LEBAK,"Kec. Wanasalam\nDs. Ketapang",2020,13,6,14.30,1,40,3602 101,Tagana Lebak\n'
        'LEBAK,"Kec. Wanasalam",2020,12,6,14.30,2,40,3602 102,Tagana Lebak\n'
    )
    result = _import(area_engine, geography, text.encode(), incident)
    assert result.landed == 1
    assert [(p.number, p.errors[0].field) for p in result.problems] == [(2, "report_time")]
    (waiting,) = imports.quarantine(area_engine, report_store.REPORTS, SYSTEM)
    assert waiting.data["~kib"] == "3602 101"  # kept, under its own header
    landed = report_store.all_versions(area_engine).iloc[0]
    assert landed["kecamatan_code"] == "36.02.21"  # Wanasalam, Lebak
    assert landed["report_time"] == datetime(2020, 12, 6, 7, 30, tzinfo=UTC)  # 14.30 WIB
    assert landed["source"] == "tagana"
    again = report_store.resubmit_reports(
        area_engine, {waiting.id: {"report_time": "2020-11-06 14:30"}}, geography, SYSTEM
    )
    assert again.created == 1


def test_kecamatan_names_are_matched_within_the_kabupaten_of_the_file(geography) -> None:
    places = gazetteer_of(geography.points)

    def place(**values: str) -> tuple:
        row = read_row(values, places, "bpbd")
        return row.get("area_level"), row.get("kecamatan_code")

    assert place(kabupaten="BANDUNG", kecamatan_name="Dayeuhkolot") == ("kecamatan", "32.04.12")
    assert place(kabupaten="BANDUNG", kecamatan_name="Dayeukolot") == ("kecamatan", "32.04.12")
    # one kecamatan named but not in that kabupaten: no code yet, the row waits (not a total)
    assert place(kabupaten="KOTA BANDUNG", kecamatan_name="Dayeuhkolot") == ("kecamatan", "")
    assert place(kecamatan_name="Tidak Ada") == ("kecamatan", "")
    # several kecamatan: the kabupaten's total; none named: the kabupaten's report
    assert place(kabupaten_code="3204", location="Kec. Baleendah\nKec. Bojongsoang") == (
        "kabupaten",
        "32.04",
    )
    assert place(kabupaten="BANDUNG", location="Jalan Raya Banjaran") == ("kabupaten", "32.04")


def test_a_kabupaten_total_counts_only_beyond_its_kecamatan_reports() -> None:
    def version(code: str, level: str, displaced: int, deaths: float | None) -> dict:
        return {
            "incident_id": 1,
            "kecamatan_code": code,
            "area_level": level,
            "source": "dinsos",
            "version": 1,
            "verification": "verified",
            "report_time": datetime(2026, 12, 1, tzinfo=UTC),
            "displaced": displaced,
            "deaths": deaths,
        }

    kecamatan = pd.DataFrame(
        [version("32.04.12", "kecamatan", 300, 1), version("32.04.08", "kecamatan", 200, None)]
    )
    whole = pd.DataFrame([version("32.04", "kabupaten", 1200, 1)])
    for f in ("missing", "houses_heavy"):
        kecamatan[f], whole[f] = None, None
    kecamatan["id"], whole["id"] = [1, 2], 3  # stored rows: the latest of equal times wins
    rows = with_kabupaten_level(counted(kecamatan), whole.reindex(columns=kecamatan.columns))
    assert rows["displaced"].sum() == 1200  # 500 in kecamatan + 700 not yet broken down
    assert rows["deaths"].sum() == 1  # the kabupaten's one death is the kecamatan's
    # kecamatan reports that outgrow the kabupaten total leave nothing to add
    bigger = kecamatan.assign(displaced=[900, 800])
    assert with_kabupaten_level(counted(bigger), whole)["displaced"].sum() == 1700


@pytest.fixture
def bandung(area_engine) -> int:
    """A flood in Kab. Bandung (32.04)."""
    entry = NewIncident(
        hazard="banjir",
        name="Banjir Kab. Bandung",
        kecamatan=("32.04",),
        started_at=datetime(2026, 12, 1, tzinfo=UTC),
    )
    return incident_store.incident_id(
        area_engine, incident_store.open_incident(area_engine, entry, SYSTEM)
    )


POSKO = "Kecamatan;Kode Kecamatan;Tanggal;Jam;Pelapor;Sumber;Mengungsi;Desa;Kronologi\n"


def _said(problem: imports.RowProblem) -> str:
    return "; ".join(field_error(e.field, e.code, e.params, "en") for e in problem.errors)


def test_a_name_and_a_code_that_disagree_wait_showing_both_until_one_is_fixed(
    area_engine, geography, bandung
) -> None:
    text = POSKO + (
        "Dayeuhkolot;32.04.12;06/12/2026;14.00;Posko A;Tagana;640;Citeureup;banjir\n"
        "Baleendah;32.04.12;06/12/2026;15.00;Posko B;Tagana;1.250;Andir;banjir\n"
        "Cicendo;32.04.12;06/12/2026;15.00;Posko C;Tagana;10;Arjuna;banjir\n"
    )
    result = _import(area_engine, geography, text.encode(), bandung)
    assert (result.landed, [p.number for p in result.problems]) == (1, [3, 4])
    baleendah, cicendo = result.problems
    assert _said(baleendah) == (
        "Kecamatan: code 32.04.12 is Dayeuhkolot, Kabupaten Bandung, but the name given is "
        "“Baleendah” (pointing to: Baleendah, Kabupaten Bandung (32.04.32)); correct the code "
        "or the name"
    )
    assert "pointing to: Cicendo, Kota Bandung (32.73.06)" in _said(cicendo)
    landed = report_store.all_versions(area_engine).set_index("kecamatan_code")
    assert landed["displaced"].to_dict() == {"32.04.12": 640}  # nothing else on Dayeuhkolot
    assert landed.loc["32.04.12", "report_time"] == datetime(2026, 12, 6, 7, tzinfo=UTC)
    held = {w.row_number: w for w in imports.quarantine(area_engine, "reports", SYSTEM)}
    assert held[3].data["kecamatan_name"] == "Baleendah" and held[3].data["~Desa"] == "Andir"
    fixed = {held[3].id: {"kecamatan_code": "32.04.32"}, held[4].id: {"kecamatan_name": "Cicendo"}}
    again = report_store.resubmit_reports(area_engine, fixed, geography, SYSTEM)
    assert (again.created, [p.number for p in again.problems]) == (1, [4])  # still disagree
    baleendah = report_store.all_versions(area_engine).set_index("kecamatan_code").loc["32.04.32"]
    assert baleendah["displaced"] == 1250
    assert baleendah["other_columns"] == {"Desa": "Andir", "Kronologi": "banjir"}


def test_an_unknown_kecamatan_waits_with_the_closest_to_pick_from_and_a_bare_kabupaten_does_not(
    area_engine, geography, bandung
) -> None:
    text = (
        "kabkot,lokasi,tahun,bulan,tanggal,jam,mengungsi,sumber\n"
        "BANDUNG,Kec. Cibeber,2026,12,6,09.00,40,BPBD Kab. Bandung\n"  # Cianjur's, Lebak's...
        "BANDUNG,Kec. Xyzzy,2026,12,6,09.00,50,BPBD Kab. Bandung\n"  # nothing anywhere near
        "BANDUNG,Jalan Raya Banjaran,2026,12,6,09.00,60,BPBD Kab. Bandung\n"  # no kecamatan
    )
    result = _import(area_engine, geography, text.encode(), bandung)
    assert (result.landed, [p.number for p in result.problems]) == (1, [2, 3])
    cibeber, xyzzy = result.problems
    assert _said(cibeber) == (
        "Kecamatan name: “Cibeber” is not one certain kecamatan in Kabupaten Bandung; pick one "
        "of: Cibeber, Kabupaten Cianjur (32.03.03); Cibeber, Kabupaten Lebak (36.02.19); "
        "Cibeber, Kota Cilegon (36.72.01); Beber, Kabupaten Cirebon (32.09.13); Cilebar, "
        "Kabupaten Karawang (32.15.30), and enter its kecamatan code"
    )
    assert _said(xyzzy) == (
        "Kecamatan name: no kecamatan is named “Xyzzy”, or anything close, in Kabupaten Bandung "
        "or elsewhere; enter its kecamatan code"
    )
    whole = report_store.all_versions(area_engine, level="kabupaten")
    assert whole[["kecamatan_code", "displaced"]].values.tolist() == [["32.04", 60]]
    held = {w.row_number: w.id for w in imports.quarantine(area_engine, "reports", SYSTEM)}
    picked = {held[2]: {"kecamatan_code": "32.03.03"}}  # a candidate: the name fits it
    assert report_store.resubmit_reports(area_engine, picked, geography, SYSTEM).created == 1


def test_a_close_misspelling_inside_the_kabupaten_is_taken_and_shown(
    area_engine, geography, bandung
) -> None:
    """Decided: a file's name forgiven by the gazetteer (clearly the closest in the kabupaten)
    lands, as BNPB's spellings differ routinely; the match is in the preview and the notes."""
    text = POSKO + "Dayeukolot;;06/12/2026;14.00;Posko A;Tagana;640;Citeureup;\n"
    table = report_store.read_file(
        text.encode(), "f.csv", geography, SYSTEM, ImportLimits(), within=["32.04"]
    )
    (row,) = table.rows
    assert row.values["area_match"] == "Dayeukolot → Dayeuhkolot, Kabupaten Bandung (32.04.12)"
    assert _import(area_engine, geography, text.encode(), bandung).created == 1
    landed = report_store.all_versions(area_engine).iloc[0]
    assert landed["kecamatan_code"] == "32.04.12"
    assert "Kecamatan tertulis: Dayeukolot" in landed["notes"]


def test_bnpb_people_affected_read_thousands_with_a_dot(area_engine, geography, bandung) -> None:
    text = (
        "kabkot,lokasi,tahun,bulan,tanggal,menderita,mengungsi,sumber\n"
        'BANDUNG,"Kec. Dayeuhkolot\nDs. Citeureup",2026,12,6,2.000,1.250,BPBD Kab. Bandung\n'
    )
    assert _import(area_engine, geography, text.encode(), bandung).created == 1
    landed = report_store.all_versions(area_engine).iloc[0]
    assert (landed["affected_people"], landed["displaced"]) == (3250, 1250)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_columns_that_are_none_of_ours_are_kept_with_the_report(
    area_engine, geography, bandung, kind: str
) -> None:
    rows = [
        ["Kode Kecamatan", "Waktu Laporan", "Pelapor", "Sumber", "Mengungsi", "Desa", "Kronologi"],
        ["32.04.12", "2026-12-06 14:00", "Posko A", "tagana", "640", "Citeureup", "air naik 1 m"],
    ]
    data = workbook(rows) if kind == "xlsx" else "\n".join(",".join(r) for r in rows).encode()
    assert _import(area_engine, geography, data, bandung, name=f"f.{kind}").created == 1
    landed = report_store.all_versions(area_engine).iloc[0]
    assert landed["other_columns"] == {"Desa": "Citeureup", "Kronologi": "air naik 1 m"}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_column_a_report_file_preview_shows_has_words_of_its_own(lang: str) -> None:
    """The preview names its columns in words: two of our fields with the same words (a
    kecamatan's name and its code were both "Kecamatan") broke it."""
    shown = [*FILE_HEADERS, "area_level", "area_match"]
    words = [field_name(f, lang) for f in shown]
    assert len(set(words)) == len(words), sorted(w for w in words if words.count(w) > 1)
