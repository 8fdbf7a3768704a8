"""Report time decides which report counts, not the order reports arrive in: a report older
than the current one of its kecamatan and source is kept as history, and every entry point
says so; a figure only an older report gives never vanishes from what counts. A real store."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from command_center.base.auth import Principal
from command_center.base.db import make_engine
from command_center.base.errors import NeedsConfirmation
from command_center.base.http import make_session
from command_center.base.labels import field_error, t
from command_center.base.models import FetchLog
from command_center.base.settings import ImportLimits, load_settings
from command_center.base.times import WIB, format_wib
from command_center.services import exports, sitrep
from command_center.services.reports import ReportInput, counted, provenance
from command_center.stores import common as store
from command_center.stores import incidents as incident_store
from command_center.stores import reports as report_store
from command_center.stores import sitreps as sitrep_store
from command_center.stores.incidents import NewIncident
from command_center.workers import ingest
from tests.commands import command
from tests.conftest import open_tab
from tests.test_odk import _serve_central

OPERATOR = Principal("Operator Pusdalops", "admin")
CHECKER = Principal("Verifikator Pusdalops", "admin")  # a report is verified by a second person
DAYEUHKOLOT = "32.04.12"
FORM_TIME = datetime(2025, 12, 7, 0, 27, tzinfo=UTC)  # 7 Dec 07:27 WIB


@pytest.fixture
def flood(area_engine) -> int:
    entry = NewIncident(
        hazard="banjir",
        name="Banjir Citarum Kab. Bandung",
        kecamatan=(DAYEUHKOLOT, "32.04.32"),
        started_at=datetime(2025, 12, 5, tzinfo=UTC),
    )
    return incident_store.incident_id(
        area_engine, incident_store.open_incident(area_engine, entry, OPERATOR)
    )


def _report(incident: int, when: str, **values) -> ReportInput:
    fields = {
        "incident_id": incident,
        "kecamatan_code": DAYEUHKOLOT,
        "report_time": when,
        "reporter": "TKSK Dayeuhkolot",
        "source": "TKSK",
        **values,
    }
    return ReportInput.check(fields, None)


def _save(engine, report: ReportInput, **options) -> report_store.Saved:
    return report_store.save_report(engine, report, OPERATOR, **options)


def _counted(engine, incident: int, include_unverified: bool = False):
    versions = report_store.all_versions(engine, incident)
    return counted(versions, include_unverified).set_index("kecamatan_code").loc[DAYEUHKOLOT]


def _form(incident: int) -> ReportInput:
    """The issue's verified form report of Dayeuhkolot, 7 Dec 07:27."""
    return _report(
        incident,
        "2025-12-07 07:27",
        affected_families="1.480",
        affected_people="5.900",
        shelters="6",
        aid_delivered="sembako: 300",
    )


def _message(incident: int) -> ReportInput:
    """The issue's WhatsApp message of 6 Dec 14:00 from the same source."""
    note = "WhatsApp: Kec. Dayeuhkolot 6/12 pkl 14.00: mengungsi 1.250 jiwa"
    return _report(incident, "2025-12-06 14:00", displaced="1.250", notes=note)


@pytest.mark.parametrize("message_last", [True, False], ids=["message last", "message first"])
def test_the_latest_report_by_its_time_counts_whatever_order_they_arrive_in(
    area_engine, geography, flood, message_last: bool
) -> None:
    arrivals = [_form(flood), _message(flood)]
    saved = []
    for report in arrivals if message_last else arrivals[::-1]:
        done = _save(area_engine, report)
        report_store.set_verification(area_engine, done.id, "verified", CHECKER)  # lowers none
        saved.append(done)
    first, second = saved
    row = _counted(area_engine, flood)
    assert (row.affected_families, row.affected_people, row.shelters) == (1480, 5900, 6)
    assert row.report_time == FORM_TIME and row.aid_delivered == [{"item": "sembako", "qty": 300}]
    assert row.displaced == 1250  # only the older message gives it: it is not lost either
    message_id = (second if message_last else first).id
    versions = report_store.all_versions(area_engine, flood)
    where = provenance(versions).set_index("part")
    assert where.loc["displaced", "id"] == message_id  # every figure traceable to its report
    text = sitrep.whatsapp(sitrep_store.gather(area_engine, flood))
    assert "Mengungsi: 1.250 jiwa di 6 titik" in text
    exported = exports.export_table(counted(versions), geography).iloc[0]
    assert (exported["affected_people"], exported["shelters"]) == (5900, 6)
    assert exported["aid_delivered"] == "sembako: 300"
    assert (first.version, second.version) == (1, 2)  # versions number arrivals: history
    assert first.older_than is None
    assert second.older_than == (FORM_TIME if message_last else None)  # said where entered


def test_a_blank_figure_keeps_the_older_one_and_a_zero_replaces_it(area_engine, flood) -> None:
    _save(area_engine, _report(flood, "2025-12-06 08:00", displaced="900", shelters="4"))
    _save(area_engine, _report(flood, "2025-12-07 08:00", displaced="1.250"))
    row = _counted(area_engine, flood, include_unverified=True)
    assert (row.displaced, row.shelters) == (1250, 4)
    _save(area_engine, _report(flood, "2025-12-08 08:00", shelters="0"))
    rejected = _save(area_engine, _report(flood, "2025-12-09 08:00", displaced="2.000"))
    report_store.set_verification(area_engine, rejected.id, "rejected", CHECKER, "Ganda")
    row = _counted(area_engine, flood, include_unverified=True)
    assert (row.displaced, row.shelters) == (1250, 0)  # the shelters closed; rejected never


def test_the_sharp_drop_check_compares_with_what_the_report_would_replace(
    area_engine, flood
) -> None:
    _save(area_engine, _report(flood, "2025-12-05 08:00", deaths="40", displaced="1.000"))
    _save(area_engine, _report(flood, "2025-12-07 08:00", displaced="1.200"))
    late = _save(area_engine, _report(flood, "2025-12-06 08:00", displaced="3.000"))
    # 1.100 against the current 1.200, not against the history's 3.000
    _save(area_engine, _report(flood, "2025-12-08 08:00", displaced="1.100"))
    assert late.older_than == datetime(2025, 12, 7, 1, 0, tzinfo=UTC)
    # an older report replaces no newer figure: nothing to confirm
    older = _save(area_engine, _report(flood, "2025-12-06 12:00", displaced="100"))
    assert older.older_than == datetime(2025, 12, 8, 1, 0, tzinfo=UTC)
    # ... but its deaths would replace the 40 of 5 Dec, which no newer report gives
    with pytest.raises(NeedsConfirmation) as asked:
        _save(area_engine, _report(flood, "2025-12-06 12:00", deaths="2"))
    assert [(w.field, w.params) for w in asked.value.warnings] == [
        ("deaths", {"old": 40, "value": 2})
    ]


def test_an_imported_row_older_than_the_current_report_lands_as_history(
    area_engine, geography, flood
) -> None:
    _save(area_engine, _form(flood))
    text = (
        "Kode Kecamatan;Waktu Laporan;Pelapor;Sumber;Mengungsi;KK Terdampak\n"
        f"{DAYEUHKOLOT};06/12/2025 14:00;TKSK Dayeuhkolot;TKSK;1.250;200\n"
        "32.04.32;06/12/2025 20:00;Tagana Baleendah;Tagana;800;\n"
        "32.04.32;06/12/2025 09:00;Tagana Baleendah;Tagana;700;\n"
    )
    result = report_store.import_reports(
        area_engine, text.encode(), "posko.csv", flood, geography, OPERATOR, ImportLimits()
    )
    # the 200 families of 6 Dec against 1.480 of 7 Dec is no drop: that report stays current
    assert (result.created, result.problems) == (3, ())
    assert [(n.number, [e.code for e in n.errors]) for n in result.notes] == [
        (2, ["older_than_current"]),
        (4, ["older_than_current"]),
    ]
    (said,) = result.notes[0].errors
    assert "7 Des 2025 07.27 WIB" in field_error(said.field, said.code, said.params, "id")
    assert "7 Dec 2025 07:27 WIB" in field_error(said.field, said.code, said.params, "en")
    assert report_store.stored_as_history(result) == 2
    row = _counted(area_engine, flood, include_unverified=True)
    assert (row.affected_families, row.displaced, row.report_time) == (1480, 1250, FORM_TIME)
    rows = counted(report_store.all_versions(area_engine, flood), True)
    assert rows.set_index("kecamatan_code").loc["32.04.32", "displaced"] == 800


def test_the_command_line_import_says_which_rows_are_history(
    area_engine, flood, tmp_path, database_url, shared_data, boundary_cache
) -> None:
    _save(area_engine, _form(flood))
    posko = tmp_path / "posko.csv"
    posko.write_text(
        "Kode Kecamatan;Waktu Laporan;Pelapor;Sumber;Mengungsi\n"
        f"{DAYEUHKOLOT};06/12/2025 14:00;TKSK Dayeuhkolot;TKSK;1.250\n"
    )
    env = {
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": str(shared_data),
        "CC_CACHE_DIR": str(boundary_cache),
    }
    done = command("reports", "import", str(posko), "--incident", str(flood), **env)
    assert done.returncode == 0, done.stderr
    assert "landed 1 of 1 rows; quarantined 0; noted 1; 1 stored as history" in done.stdout
    assert "row 2: Report time: older than the current report" in done.stdout


REPORTS_PAGE = "pages/reports.py"


def _tksk_versions(database_url: str, code: str):
    versions = report_store.all_versions(make_engine(database_url))
    return versions[(versions["kecamatan_code"] == code) & (versions["source"] == "tksk")]


def test_the_reports_page_says_an_older_report_is_history_and_lists_it_so(
    open_page, with_demo, database_url
) -> None:
    current = _tksk_versions(database_url, "32.03.01").sort_values("version").iloc[-1]
    at = open_tab(open_page(REPORTS_PAGE), "reports_tab", "tab_entry")
    day = current["report_time"].astimezone(WIB).date() - timedelta(days=1)
    next(d for d in at.date_input if d.label == t("report_date")).set_value(day)
    at.number_input(key="fig_deaths").set_value(1)  # the current report said 12: no drop
    next(w for w in at.text_input if w.label == t("reporter")).input("TKSK Cianjur")
    at = next(b for b in at.button if b.label == t("save_report")).click().run()
    history = t("report_history", current=format_wib(current["report_time"]))
    said = " ".join(s.value for s in at.success)
    assert "versi 3" in said and history in said, [e.value for e in at.error]
    assert t("confirm_save") not in [b.label for b in at.button]
    open_tab(at, "reports_tab", "tab_reports")
    versions = next(d.value for d in at.dataframe if t("col_reporter") in d.value.columns)
    mine = versions[versions[t("col_kecamatan")] == "Cianjur"].set_index(t("col_version"))
    assert mine[t("col_standing")].to_dict() == {
        3: t("standing_history"),
        2: t("standing_current"),
        1: t("standing_history"),
    }
    # its only figure is given by the newer report: superseded, never offered to verify
    assert len(at.selectbox(key="verify_report").options) == 5


def test_an_older_report_with_a_figure_of_its_own_waits_for_verification_as_history(
    open_page, with_demo, database_url, geography
) -> None:
    engine = make_engine(database_url)
    current = _tksk_versions(database_url, "32.03.11").sort_values("version").iloc[-1]
    older = current["report_time"] - timedelta(hours=2)
    values = {
        "incident_id": int(current["incident_id"]),
        "kecamatan_code": "32.03.11",
        "report_time": older.isoformat(),
        "reporter": "TKSK Cugenang",
        "source": "tksk",
        "houses_flooded": 30,  # no later TKSK report gives it
    }
    saved = report_store.save_report(engine, ReportInput.check(values, geography), OPERATOR)
    at = open_tab(open_page(REPORTS_PAGE), "reports_tab", "tab_reports")
    choice = at.selectbox(key="verify_report")
    assert [o for o in choice.options if o.startswith("Cugenang · TKSK")] == [  # oldest first
        f"Cugenang · TKSK · versi 3 · {format_wib(older)} · {t('standing_history')}",
        f"Cugenang · TKSK · versi 2 · {format_wib(current['report_time'])}",
    ]
    choice.set_value(saved.id)
    at = next(b for b in at.button if b.label == t("verify")).click().run()
    assert t("verified_ok") in " ".join(s.value for s in at.success)
    cugenang = counted(report_store.all_versions(engine)).set_index("kecamatan_code")
    assert cugenang.loc["32.03.11", "houses_flooded"] == 30  # the rest from the verified v1
    assert cugenang.loc["32.03.11", "deaths"] == 25


def test_a_pasted_message_older_than_the_current_report_is_saved_as_history(
    open_page, with_demo, database_url
) -> None:
    current = _tksk_versions(database_url, "32.03.11").sort_values("version").iloc[-1]
    sent = current["report_time"].astimezone(WIB) - timedelta(hours=3)
    at = open_tab(open_page(REPORTS_PAGE), "reports_tab", "tab_whatsapp")
    message = f"Kec. Cugenang {sent.day}/{sent.month} pkl {sent:%H.%M}: mengungsi 1.250 jiwa"
    at.text_area(key="whatsapp_text").input(message)
    at.text_input(key="whatsapp_reporter").input("TKSK Cugenang")
    at = next(b for b in at.button if b.label == t("whatsapp_read")).click().run()
    at = at.button(key="whatsapp_save_0").click().run()  # 1.250 against 8.200 later: no drop
    history = t("report_history", current=format_wib(current["report_time"]))
    assert any(history in s.value for s in at.success), [e.value for e in at.error]


def _newer_psm_report(engine, geography) -> int:
    """PSM's own report of Cugenang at 18:00, before a pull brings their form of 13:45."""
    (incident,) = store.incidents(engine)
    newer = {
        "incident_id": incident.id,
        "kecamatan_code": "32.03.11",
        "report_time": "2026-11-22 18:00",
        "reporter": "Dedi (PSM Cugenang)",
        "source": "psm",
        "displaced": 700,
    }
    _save(engine, ReportInput.check(newer, geography))
    return incident.id


def test_an_odk_pull_says_which_submissions_are_history(
    demo_engine, geography, httpserver, database_url, shared_data, boundary_cache
) -> None:
    incident = _newer_psm_report(demo_engine, geography)
    _serve_central(httpserver)
    server = {
        "CC_ODK_URL": httpserver.url_for("/"),
        "CC_ODK_PROJECT": "7",
        "CC_ODK_USERNAME": "pusdalops@kemensos.go.id",
        "CC_ODK_PASSWORD": "rahasia",
        "CC_ODK_PAGE_SIZE": "2",
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": str(shared_data),
        "CC_CACHE_DIR": str(boundary_cache),
    }
    pulled = command("odk", "pull", "--incident", str(incident), **server)
    assert pulled.returncode == 0, pulled.stderr
    assert "2 new report versions; quarantined 2; 1 stored as history" in pulled.stdout
    first = "uuid:5f1c8e2a-0b7e-4a43-9c1e-6f0a1d2b3c01"
    assert f"noted {first}: Report time: older than the current report" in pulled.stdout
    psm = report_store.all_versions(demo_engine).query("source == 'psm'")
    cugenang = counted(psm, include_unverified=True).set_index("kecamatan_code")
    assert cugenang.loc["32.03.11", "displaced"] == 700


def test_the_workers_form_pull_counts_the_history_it_stored(
    demo_engine, geography, httpserver, database_url
) -> None:
    _newer_psm_report(demo_engine, geography)
    _serve_central(httpserver)
    settings = load_settings(
        database_url=database_url,
        odk_url=httpserver.url_for("/"),
        odk_project="7",
        odk_username="pusdalops@kemensos.go.id",
        odk_password="rahasia",
        odk_page_size=2,
    )
    feed = ingest.registry(settings)["odk_forms"]
    assert ingest.poll(demo_engine, make_session("test", retries=0), feed, 5) == "ok"
    with Session(demo_engine) as session:
        (detail,) = session.scalars(select(FetchLog.detail).where(FetchLog.feed == feed.key))
    assert detail == ("2 new, 2 quarantined, 1 stored as history (older than the current report)")
