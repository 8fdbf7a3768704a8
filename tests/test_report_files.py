"""Other people's report spreadsheets: BNPB's DIBI export, kabupaten totals, files that are not
reports at all. Real files from the shared data, a real store."""

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from command_center import imports, incident_store, report_store
from command_center.auth import SYSTEM
from command_center.errors import NotReports
from command_center.incident_store import NewIncident
from command_center.models import AuditEntry, ImpactReport
from command_center.services.gazetteer import gazetteer_of
from command_center.services.report_files import read_row
from command_center.services.reports import counted, with_kabupaten_level
from command_center.settings import ImportLimits
from command_center.store import frame

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
    assert (result.total, result.landed, len(result.problems)) == (34, 34, 0)
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

    assert place(kabupaten="BANDUNG", kecamatan="Dayeuhkolot") == ("kecamatan", "32.04.12")
    assert place(kabupaten="BANDUNG", kecamatan="Dayeukolot") == ("kecamatan", "32.04.12")
    assert place(kabupaten="KOTA BANDUNG", kecamatan="Dayeuhkolot") == ("kabupaten", "32.73")
    assert place(kabupaten_code="3204", location="Kec. Baleendah\nKec. Bojongsoang") == (
        "kabupaten",
        "32.04",
    )
    assert place(kecamatan="Tidak Ada") == (None, None)


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
