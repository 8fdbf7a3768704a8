"""Impact reports: validation, versions, verification, what counts, import, in a real store."""

from datetime import UTC, datetime, timedelta

import pytest

from command_center.base.auth import Principal
from command_center.base.errors import InvalidInput, NeedsConfirmation
from command_center.base.settings import ImportLimits
from command_center.base.times import utcnow
from command_center.services.reports import (
    ReportInput,
    counted,
    daily_totals,
    headline_totals,
    provenance,
)
from command_center.stores import common as store
from command_center.stores import imports
from command_center.stores import reports as report_store

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def admin(name: str) -> Principal:
    """Someone allowed everything (roles and scopes have their own tests)."""
    return Principal(name, "admin")


def _values(**changes) -> dict:
    return {
        "incident_id": 1,
        "kecamatan_code": "32.03.11",
        "report_time": "2026-11-22 08:30",
        "reporter": "TKSK Cugenang",
        "source": "TKSK",
        "deaths": "12",
        "displaced": "1.250",
        "affected_people": "4.000",
        "needs": "tenda: 20; selimut: 1.250",
        **changes,
    }


def test_a_report_as_typed_is_cleaned() -> None:
    report = ReportInput.check(_values(), None, NOW)
    assert report.source == "tksk"
    assert report.report_time == datetime(2026, 11, 22, 1, 30, tzinfo=UTC)  # 08:30 WIB
    assert (report.deaths, report.displaced, report.affected_people) == (12, 1250, 4000)
    assert [(i.item, i.qty, i.unit) for i in report.needs] == [
        ("tenda_keluarga", 20, "buah"),
        ("selimut", 1250, "lembar"),
    ]


@pytest.mark.parametrize(
    ("kecamatan", "typed", "utc"),
    [
        ("32.03.11", "2026-11-22 08:30", "2026-11-22 01:30"),  # Cugenang: WIB
        ("73.71.01", "2026-11-22 08:30", "2026-11-22 00:30"),  # Mariso, Makassar: WITA
        ("91.03.01", "2026-11-22 08:30", "2026-11-21 23:30"),  # Sentani: WIT, the day before
        ("91.03.01", "22/11/2026 08:30 WIB", "2026-11-22 01:30"),  # a zone named wins
        ("32.03.11", "2026-11-22 08:30 wita", "2026-11-22 00:30"),
        ("32.03.11", "2026-11-22T08:30+09:00", "2026-11-21 23:30"),  # and an offset
    ],
)
def test_a_time_without_a_zone_is_read_on_the_kecamatan_s_own_clock(
    kecamatan: str, typed: str, utc: str
) -> None:
    """As the spreadsheet and WhatsApp readers do: 08:30 typed in Sentani is 08:30 WIT."""
    report = ReportInput.check(_values(kecamatan_code=kecamatan, report_time=typed), None, NOW)
    assert report.report_time == datetime.fromisoformat(utc).replace(tzinfo=UTC)


def test_needs_and_aid_as_typed_keep_their_units_in_the_catalogue_s_words() -> None:
    typed = "Air Mineral: 500 dus; beras: 2 ton; Kasur: 10 pcs; terpal: 5 lbr.; genset: 1"
    report = ReportInput.check(
        _values(needs=typed, aid_delivered="air bersih: 480 ltr: 2026-11-21"), None, NOW
    )
    assert [(i.item, i.qty, i.unit) for i in report.needs] == [
        ("air_mineral", 500, "dus"),  # kept in dus: never counted as litres
        ("beras", 2000, "kg"),
        ("matras", 10, "lembar"),
        ("tenda_gulung", 5, "lembar"),
        ("genset", 1, None),  # outside the catalogue, no unit given
    ]
    (aid,) = report.aid_delivered
    assert (aid.item, aid.qty, aid.unit, aid.date) == ("air_mineral", 480, "liter", "2026-11-21")
    drafted = [{"item": "beras (ton)", "qty": 2}, {"item": "air mineral", "qty": 5, "unit": "dus"}]
    listed = ReportInput.check(_values(needs=drafted), None, NOW)  # a WhatsApp draft's list
    assert [(i.item, i.qty, i.unit) for i in listed.needs] == [
        ("beras", 2000, "kg"),
        ("air_mineral", 5, "dus"),
    ]


def test_a_typed_list_reads_its_quantities_with_the_one_count_reader() -> None:
    typed = "selimut: 1,2 rb; tikar: ± 1.500 lembar; beras: dua karung"
    report = ReportInput.check(_values(needs=typed), None, NOW)
    assert [(i.item, i.qty, i.unit) for i in report.needs] == [
        ("selimut", 1200, "lembar"),
        ("matras", 1500, "lembar"),
        ("beras", 2, "karung"),  # a karung is no exact weight: kept in its own unit
    ]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"needs": "tenda: 1,5"}, "needs", "bad_items"),  # not a whole count: never 15
        ({"deaths": "-1"}, "deaths", "negative"),
        ({"deaths": "2,5"}, "deaths", "not_integer"),
        ({"deaths": "banyak"}, "deaths", "not_integer"),
        ({"kecamatan_code": "3203"}, "kecamatan_code", "bad_code"),
        ({"source": "koran"}, "source", "bad_source"),
        ({"reporter": " "}, "reporter", "missing"),
        ({"report_time": "2026-11-23 12:00"}, "report_time", "in_future"),
        ({"report_time": "kemarin"}, "report_time", "bad_time"),
        ({"needs": "tenda banyak"}, "needs", "bad_items"),
        ({"needs": "beras: 2 ikat"}, "needs", "bad_unit"),
        ({"aid_delivered": "beras: 2 ton besar"}, "aid_delivered", "bad_items"),
        ({"deaths": "3000", "missing": "1500"}, "affected_people", "casualties_exceed"),
        ({"displaced": "5000"}, "displaced", "exceeds_affected"),
    ],
)
def test_each_bad_field_is_named(changes, field, code) -> None:
    with pytest.raises(InvalidInput) as caught:
        ReportInput.check(_values(**changes), None, NOW)
    assert (field, code) in [(e.field, e.code) for e in caught.value.errors]


def test_an_unknown_kecamatan_is_refused(geography) -> None:
    with pytest.raises(InvalidInput) as caught:
        ReportInput.check(_values(kecamatan_code="32.03.99"), geography, NOW)
    assert caught.value.errors[0].code == "unknown_kecamatan"


def _incident(engine) -> int:
    (incident,) = store.incidents(engine)
    return incident.id


def _report(engine, **changes) -> ReportInput:
    values = _values(incident_id=_incident(engine), report_time=utcnow().isoformat(), **changes)
    return ReportInput.check(values, None)


def test_a_new_report_from_a_source_is_the_next_version(demo_engine) -> None:
    first = report_store.save_report(demo_engine, _report(demo_engine, source="bpbd"), admin("Ani"))
    second = report_store.save_report(
        demo_engine, _report(demo_engine, source="bpbd", deaths="14"), admin("Budi")
    )
    assert (first.version, second.version) == (1, 2)
    assert not first.outside_area
    tksk = report_store.save_report(demo_engine, _report(demo_engine), admin("Ani"), confirmed=True)
    assert tksk.version == 3  # the demo holds two TKSK versions for Cugenang
    versions = report_store.all_versions(demo_engine)
    cugenang = versions[versions["kecamatan_code"] == "32.03.11"]
    assert len(cugenang) == 5  # every version is kept


def test_a_sharp_drop_needs_a_confirmation(demo_engine) -> None:
    # the demo's second TKSK report for Cugenang: 41 dead, 8,200 displaced, 24,600 affected
    low = _report(demo_engine, deaths="5", displaced="100", affected_people="24600")
    with pytest.raises(NeedsConfirmation) as caught:
        report_store.save_report(demo_engine, low, admin("Ani"))
    assert {w.field for w in caught.value.warnings} == {"deaths", "displaced"}
    saved = report_store.save_report(demo_engine, low, admin("Ani"), confirmed=True)
    assert saved.version == 3


def test_a_kecamatan_outside_the_incident_is_saved_with_a_warning(demo_engine) -> None:
    saved = report_store.save_report(
        demo_engine, _report(demo_engine, kecamatan_code="32.03.12"), admin("Ani")
    )
    assert saved.outside_area


def test_verified_figures_count_by_default(demo_engine) -> None:
    versions = report_store.all_versions(demo_engine)
    verified = counted(versions)
    everything = counted(versions, include_unverified=True)
    assert len(verified) == len(everything) == 15
    assert everything["version"].eq(2).all()
    # Cugenang's second report (41 dead) is not verified yet: its first (25 dead) counts
    cugenang = verified.set_index("kecamatan_code").loc["32.03.11"]
    assert (cugenang.version, cugenang.deaths) == (1, 25)


def test_rejection_needs_a_reason_and_takes_the_report_out(demo_engine) -> None:
    versions = report_store.all_versions(demo_engine)
    newest = versions[(versions["kecamatan_code"] == "32.03.01") & (versions["version"] == 2)]
    report_id = int(newest["id"].iloc[0])
    with pytest.raises(InvalidInput):
        report_store.set_verification(demo_engine, report_id, "rejected", admin("Operator"))
    with pytest.raises(NeedsConfirmation):  # it takes published figures down: asked first
        report_store.set_verification(
            demo_engine, report_id, "rejected", admin("Operator"), "Angka ganda"
        )
    report_store.set_verification(
        demo_engine, report_id, "rejected", admin("Operator"), "Angka ganda", confirmed=True
    )
    after = counted(report_store.all_versions(demo_engine), include_unverified=True)
    assert after.set_index("kecamatan_code").loc["32.03.01", "version"] == 1


def test_a_verification_lowering_a_published_figure_waits_for_confirmation(demo_engine) -> None:
    before = headline_totals(counted(report_store.all_versions(demo_engine)))
    blank = {"deaths": "", "displaced": "", "affected_people": "", "needs": ""}
    partial = _report(demo_engine, source="dinsos", injured_light="12", **blank)  # one figure
    saved = report_store.save_report(demo_engine, partial, admin("Dinsos Cianjur"))
    with pytest.raises(NeedsConfirmation) as asked:
        report_store.set_verification(demo_engine, saved.id, "verified", admin("Operator"))
    [lowered] = asked.value.warnings  # only "injured" falls: Cugenang's light injuries
    assert lowered.field == "injured" and lowered.code == "lowers_published"
    assert lowered.params["old"] == before["injured"] > lowered.params["value"]
    assert headline_totals(counted(report_store.all_versions(demo_engine))) == before  # untouched
    report_store.set_verification(
        demo_engine, saved.id, "verified", admin("Operator"), confirmed=True
    )
    after = headline_totals(counted(report_store.all_versions(demo_engine)))
    assert after["injured"] == lowered.params["value"] and after["deaths"] == before["deaths"]
    entry = store.audit_entries(demo_engine, 1).iloc[0]
    assert entry["after"]["lowered"] == {"injured": [before["injured"], after["injured"]]}
    where = provenance(report_store.all_versions(demo_engine)).set_index(["kecamatan_code", "part"])
    assert where.loc[("32.03.11", "injured_light"), "source"] == "dinsos"  # it says where from
    assert where.loc[("32.03.11", "deaths"), "source"] == "tksk"


def test_the_most_recent_source_wins_and_others_stay_side_by_side(demo_engine) -> None:
    report = _report(demo_engine, source="bpbd", deaths="45", displaced="3000")
    saved = report_store.save_report(demo_engine, report, admin("BPBD Cianjur"))
    operator = admin("Operator")
    report_store.set_verification(demo_engine, saved.id, "verified", operator, confirmed=True)
    versions = report_store.all_versions(demo_engine)
    wins = counted(versions).set_index("kecamatan_code").loc["32.03.11"]
    assert (wins.source, wins.deaths) == ("bpbd", 45)
    assert set(versions[versions["kecamatan_code"] == "32.03.11"]["source"]) == {"tksk", "bpbd"}


def test_daily_totals_show_the_change_per_day(demo_engine) -> None:
    versions = report_store.all_versions(demo_engine)
    series = daily_totals(versions, ["deaths"], include_unverified=True, now=utcnow())
    assert series["deaths"].iloc[-1] == 88
    assert series["deaths_change"].sum() == 88


REPORTS_CSV = """Laporan Dampak Gempa Cianjur (Latihan)

Kode Kecamatan,Waktu Laporan,Pelapor,Sumber,Meninggal,Hilang,Mengungsi,Jiwa Terdampak,Kebutuhan
32.03.12,{t},TKSK Campaka,TKSK,2,0,"1.200",3000,tenda: 10; air mineral: 500 dus; beras: 2 ton
32.03.99,{t},TKSK X,TKSK,1,0,10,100,
32.03.14,{t},Dinsos Cianjur,Dinsos,-4,0,10,100,
32.03.15,{t},,Dinsos,0,0,10,100,
"""


def test_an_import_lands_valid_rows_and_keeps_the_rest_for_correction(
    demo_engine, geography
) -> None:
    stamp = (utcnow() - timedelta(hours=1)).strftime("%d/%m/%Y %H:%M")
    text = REPORTS_CSV.format(t=stamp)
    incident = _incident(demo_engine)
    progress = []
    result = report_store.import_reports(
        demo_engine,
        text.encode(),
        "dampak.csv",
        incident,
        geography,
        admin("Ani"),
        ImportLimits(),
        False,
        progress.append,
    )
    assert (result.total, result.created) == (4, 1)
    assert [(p.number, p.errors[0].field, p.errors[0].code) for p in result.problems] == [
        (5, "kecamatan_code", "unknown_kecamatan"),
        (6, "deaths", "negative"),
        (7, "reporter", "missing"),
    ]
    waiting = imports.quarantine(demo_engine, report_store.REPORTS, admin("Ani"))
    assert all(w.data["incident_id"] == incident for w in waiting)
    fix = {waiting[1].id: {"deaths": "4"}, waiting[2].id: {"reporter": "Dinsos Cianjur"}}
    again = report_store.resubmit_reports(demo_engine, fix, geography, admin("Budi"))
    assert again.created == 2 and not again.problems
    versions = report_store.all_versions(demo_engine)
    assert set(versions["kecamatan_code"]) >= {"32.03.12", "32.03.14", "32.03.15"}
    assert progress[-1] == 1.0
    (campaka,) = versions[versions["reporter"] == "TKSK Campaka"]["needs"]
    assert campaka == [
        {"item": "tenda_keluarga", "qty": 10, "unit": "buah"},
        {"item": "air_mineral", "qty": 500, "unit": "dus"},
        {"item": "beras", "qty": 2000, "unit": "kg"},
    ]


def test_an_imported_row_outside_the_incident_area_lands_with_a_note(
    demo_engine, geography
) -> None:
    incident = _incident(demo_engine)
    inside = set(store.incident_kecamatan(demo_engine, incident))
    outside = next(c for c in geography.kecamatan.index if c.startswith("32.73"))
    assert "32.03.11" in inside and outside not in inside
    stamp = (utcnow() - timedelta(hours=1)).strftime("%d/%m/%Y %H:%M")
    text = f"""Kode Kecamatan,Waktu Laporan,Pelapor,Sumber,Mengungsi
32.03.11,{stamp},Tagana Cianjur,Tagana,8300
{outside},{stamp},Tagana Kota,Tagana,40
"""
    result = report_store.import_reports(
        demo_engine, text.encode(), "dampak.csv", incident, geography, admin("Ani"), ImportLimits()
    )
    assert result.created == 2 and not result.problems
    assert [(n.number, n.errors[0].code) for n in result.notes] == [(3, "outside_incident_area")]
    assert outside in set(report_store.all_versions(demo_engine)["kecamatan_code"])


def test_a_corrected_row_outside_the_incident_area_lands_with_a_note(
    demo_engine, geography
) -> None:
    incident = _incident(demo_engine)
    outside = next(c for c in geography.kecamatan.index if c.startswith("32.73"))
    stamp = (utcnow() - timedelta(hours=1)).strftime("%d/%m/%Y %H:%M")
    text = f"Kode Kecamatan,Waktu Laporan,Pelapor,Sumber,Meninggal\n{outside},{stamp},X,Tagana,-1\n"
    first = report_store.import_reports(
        demo_engine, text.encode(), "dampak.csv", incident, geography, admin("Ani"), ImportLimits()
    )
    assert first.created == 0 and len(first.problems) == 1
    (waiting,) = imports.quarantine(demo_engine, report_store.REPORTS, admin("Ani"))
    again = report_store.resubmit_reports(
        demo_engine, {waiting.id: {"deaths": "1"}}, geography, admin("Budi")
    )
    assert again.created == 1
    assert [(n.number, n.errors[0].code) for n in again.notes] == [(2, "outside_incident_area")]


def test_a_report_is_verified_by_someone_other_than_its_author(demo_engine) -> None:
    ani = Principal("Ani", "operator", "32.03", "ani")
    saved = report_store.save_report(demo_engine, _report(demo_engine, deaths="30"), ani, True)
    for status, reason in (("verified", None), ("rejected", "Ganda")):
        with pytest.raises(InvalidInput) as refused:
            report_store.set_verification(demo_engine, saved.id, status, ani, reason, True)
        assert [(e.field, e.code) for e in refused.value.errors] == [("verification", "four_eyes")]
    versions = report_store.all_versions(demo_engine)
    assert versions.set_index("id").loc[saved.id, "verification"] == "unverified"  # untouched
    budi = Principal("Budi", "operator", "32.03", "budi")
    report_store.set_verification(demo_engine, saved.id, "verified", budi, confirmed=True)
    versions = report_store.all_versions(demo_engine).set_index("id")
    assert tuple(versions.loc[saved.id, ["verification", "verified_by"]]) == ("verified", "Budi")
