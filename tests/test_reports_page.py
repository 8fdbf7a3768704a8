"""The kecamatan reports page in the real app (AppTest) on the demo scenario."""

import json
from datetime import datetime, time, timedelta

from streamlit.testing.v1 import AppTest

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.labels import t
from command_center.base.times import utcnow
from command_center.services.reports import ReportInput, lowered_by
from command_center.stores import accounts, imports
from command_center.stores import common as store
from command_center.stores import reporters as reporter_store
from command_center.stores import reports as report_store
from command_center.ui.messages import md
from tests.conftest import (
    JAYAPURA,
    SENTANI,
    area_codes,
    open_tab,
    sentani_link,
    signed_in,
    tab_shown,
)

PAGE = "pages/reports.py"


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _click(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def test_verified_figures_count_unless_unverified_ones_are_included(open_page, with_demo) -> None:
    at = open_page(PAGE)
    verified = _metrics(at)
    assert verified[t("fig_deaths")] == "68"  # five newest reports are not verified yet
    assert t("verified_only") in " ".join(c.value for c in at.caption)
    at.toggle(key="include_unverified").set_value(True).run()
    everything = _metrics(at)
    assert everything[t("fig_deaths")] == "88" and everything[t("fig_displaced")] == "27.240"
    assert any(t("unverified_marked", n=5) in w.value for w in at.warning)
    assert everything[t("kecamatan_reporting")] == "15"


def test_an_operator_enters_a_report_and_it_becomes_the_next_version(
    open_page, with_demo, database_url
) -> None:
    at = open_tab(open_page(PAGE), "reports_tab", "tab_entry")
    form = at.selectbox(key="report_kecamatan")  # the incident's own kecamatan come first
    assert form.value == "32.03.01"
    at.number_input(key="fig_deaths").set_value(13)
    at.number_input(key="fig_displaced").set_value(5600)
    at.text_area(key="report_notes").input('<img src=x onerror="alert(1)"> catatan')
    at.text_input(key="report_needs").input("Air mineral: 500 dus; beras: 2 ton")
    text_inputs = [w for w in at.text_input if w.label == t("reporter")]
    text_inputs[0].input("TKSK Cianjur")
    _click(at, t("save_report"))
    assert any("versi 3" in s.value for s in at.success), [e.value for e in at.error]
    versions = report_store.all_versions(make_engine(database_url))
    mine = versions[(versions["kecamatan_code"] == "32.03.01") & (versions["version"] == 3)]
    assert mine["deaths"].tolist() == [13] and mine["created_by"].tolist() == [t("anonymous")]
    assert mine["verification"].tolist() == ["unverified"]
    assert mine["needs"].tolist() == [
        [
            {"item": "air_mineral", "qty": 500, "unit": "dus"},
            {"item": "beras", "qty": 2000, "unit": "kg"},
        ]
    ]


def test_a_report_for_sentani_is_entered_on_a_papua_clock(
    open_page, with_demo, database_url, geography
) -> None:
    incident, _ = sentani_link(database_url, geography)
    at = open_page(PAGE)
    at.selectbox(key="reports_incident").set_value(incident).run()
    at = open_tab(at, "reports_tab", "tab_entry")
    assert at.selectbox(key="report_kecamatan").value == SENTANI
    (clock,) = at.time_input
    assert clock.label == t("report_time", zone="WIT")
    day = utcnow().astimezone(JAYAPURA).date() - timedelta(days=1)
    at.date_input[0].set_value(day)
    clock.set_value(time(8))
    at.number_input(key="fig_displaced").set_value(40)
    next(w for w in at.text_input if w.label == t("reporter")).input("TKSK Sentani")
    _click(at, t("save_report"))
    assert any("versi 1" in s.value for s in at.success), [e.value for e in at.error]
    (stored,) = report_store.all_versions(make_engine(database_url), incident)["report_time"]
    assert stored == datetime.combine(day, time(8), JAYAPURA)  # 08:00 WIT, not WIB


def test_a_sharp_drop_is_saved_only_after_confirmation(open_page, with_demo, database_url) -> None:
    at = open_tab(open_page(PAGE), "reports_tab", "tab_entry")
    at.number_input(key="fig_deaths").set_value(1)  # Cianjur's last report said 12
    next(w for w in at.text_input if w.label == t("reporter")).input("TKSK Cianjur")
    _click(at, t("save_report"))
    assert any(t("err_sharp_drop", old=12, value=1) in w.value for w in at.warning)
    engine = make_engine(database_url)
    assert len(report_store.all_versions(engine)) == 30  # nothing saved yet
    _click(at, t("confirm_save"))
    assert len(report_store.all_versions(engine)) == 31


def test_an_operator_verifies_and_rejects_reports(open_page, with_demo, database_url) -> None:
    at = open_tab(open_page(PAGE), "reports_tab", "tab_reports")
    choice = at.selectbox(key="verify_report")
    assert len(choice.options) == 5  # the newest version of each waiting report, no older one
    cugenang = next(o for o in choice.options if o.startswith("Cugenang · TKSK"))
    assert " · versi 2 · " in cugenang and " WIB" in cugenang
    versions = report_store.all_versions(make_engine(database_url))
    newest = versions[(versions["kecamatan_code"] == "32.03.11") & (versions["source"] == "tksk")]
    choice.set_value(int(newest.sort_values("version")["id"].iloc[-1]))
    _click(at, t("verify"))
    assert t("verified_ok") in " ".join(s.value for s in at.success)
    remaining = at.selectbox(key="verify_report").options
    assert len(remaining) == 4 and not any(o.startswith("Cugenang") for o in remaining)
    _click(at, t("reject"))  # no reason given
    assert t("err_missing") in " ".join(e.value for e in at.error)
    versions = report_store.all_versions(make_engine(database_url))
    cugenang = versions[versions["kecamatan_code"] == "32.03.11"].set_index("version")
    assert cugenang.loc[2, "verification"] == "verified"
    assert cugenang.loc[2, "verified_by"] == t("anonymous")


def test_versions_filter_by_source_and_verification(open_page, with_demo) -> None:
    at = open_tab(open_page(PAGE), "reports_tab", "tab_reports")
    versions = next(d for d in at.dataframe if t("col_reporter") in d.value.columns)
    assert len(versions.value) == 30
    at.multiselect(key="versions_statuses").set_value(["unverified"]).run()
    versions = next(d for d in at.dataframe if t("col_reporter") in d.value.columns)
    assert len(versions.value) == 5
    at.multiselect(key="versions_sources").set_value(["bpbd"]).run()
    assert not [d for d in at.dataframe if t("col_reporter") in d.value.columns]
    assert t("table_empty") in [c.value for c in at.caption]  # in words, not Streamlit's "empty"


def test_a_coordinator_issues_a_reporters_link_and_revokes_it(
    open_page, with_demo, database_url
) -> None:
    at = open_tab(open_page(PAGE), "reports_tab", "tab_reporters")
    at.text_input(key="link_name").input("Siti (PSM)")
    at.selectbox(key="link_role").set_value("psm")
    at.multiselect(key="link_kec").set_value(["32.03.11"])
    at = _click(at, t("link_issue"))
    assert not at.exception and not at.error, [e.value for e in at.error]
    (shown,) = [c.value for c in at.code]
    assert "/lapor?kunci=" in shown  # the light form, what a phone on a weak signal opens
    token = shown.split("kunci=")[1]
    engine = make_engine(database_url)
    assert reporter_store.reporter_for(engine, token).name == "Siti (PSM)"
    assert "Siti (PSM)" in at.dataframe[-1].value.to_string()
    at = _click(at, t("link_revoke"))
    assert reporter_store.reporter_for(engine, token) is not None  # one click only asks
    assert t("ask_revoke_link", id=1, name=md("Siti (PSM)")) in [w.value for w in at.warning]
    at = _click(at, t("confirm_yes"))
    assert reporter_store.reporter_for(engine, token) is None
    assert t("link_revoked_done", id=1) in [s.value for s in at.success]
    assert tab_shown(at, "reports_tab") == t("tab_reporters")


def test_a_kabupaten_total_is_entered_and_counted_only_beyond_its_kecamatan(
    open_page, with_demo, database_url
) -> None:
    at = open_page(PAGE)
    at.toggle(key="include_unverified").set_value(True).run()
    before = _metrics(at)[t("fig_displaced")]
    open_tab(at, "reports_tab", "tab_entry")
    at.selectbox(key="report_kecamatan").set_value("32.03")  # Dinsos knows only the total
    at.number_input(key="fig_displaced").set_value(40000)
    next(w for w in at.text_input if w.label == t("reporter")).input("Dinsos Kab. Cianjur")
    at = _click(at, t("save_report"))
    assert any("seluruh kabupaten" in s.value for s in at.success), [e.value for e in at.error]
    open_tab(at, "reports_tab", "tab_summary")
    assert before == "27.240" and _metrics(at)[t("fig_displaced")] == "40.000"  # not 67.240
    assert _metrics(at)[t("kecamatan_reporting")] == "15"
    table = at.dataframe[0].value.to_string()
    assert t("not_broken_down").strip() in table


def test_a_verification_that_lowers_a_published_figure_asks_first(
    open_page, with_demo, database_url, geography
) -> None:
    engine = make_engine(database_url)
    incident_id = int(report_store.all_versions(engine)["incident_id"].iloc[0])
    partial = ReportInput.check(
        {
            "incident_id": incident_id,
            "kecamatan_code": "32.03.11",
            "report_time": utcnow().isoformat(),
            "source": "dinsos",
            "reporter": "Dinsos Kab. Cianjur",
            "injured_light": 12,
        },
        geography,
    )
    saved = report_store.save_report(engine, partial, SYSTEM)
    at = open_tab(open_page(PAGE), "reports_tab", "tab_reports")
    at.selectbox(key="verify_report").set_value(saved.id)
    _click(at, t("verify"))
    warning = " ".join(w.value for w in at.warning)
    old, new = lowered_by(report_store.all_versions(engine), saved.id, "verified")["injured"]
    assert f"Luka-luka: angka yang sudah tampil di briefing turun dari {old} ke {new}" in warning
    assert old == 806 > new
    assert not at.success  # nothing decided yet
    assert report_store.all_versions(engine).set_index("id").loc[saved.id, "verification"] == (
        "unverified"
    )
    _click(at, t("confirm_decision"))
    assert t("verified_ok") in " ".join(s.value for s in at.success)
    assert report_store.all_versions(engine).set_index("id").loc[saved.id, "verification"] == (
        "verified"
    )


def posko_file() -> bytes:
    """A posko recap as Dinsos keeps it: a title row, `;`, a kecamatan's name beside its code,
    the date and the hour apart, thousands with a dot, and a column that is none of ours."""
    day = (utcnow() + timedelta(hours=7) - timedelta(days=1)).strftime("%d/%m/%Y")
    return (
        "Rekap Posko Gempa Cianjur\n"
        "Kecamatan;Kode Kecamatan;Tanggal;Jam;Pelapor;Sumber;Meninggal;Mengungsi;Desa\n"
        f"Cugenang;32.03.11;{day};14.00;Posko Cugenang;Tagana;3;1.250;Sarampad\n"
        f"Pacet;32.03.10;{day};15.30;Posko Pacet;Tagana;0;640;Ciherang\n"
    ).encode()


def _upload_posko_with_a_wrong_code(at: AppTest) -> None:
    """Upload the posko file plus a row naming Cibeber with Cugenang's code (Cibeber is
    32.03.03): that row goes to quarantine when imported."""
    day = posko_file().decode().splitlines()[2].split(";")[2]
    wrong = f"Cibeber;32.03.11;{day};16.00;Posko Cibeber;Tagana;1;20;Cibeber\n"
    upload = ("posko.csv", posko_file() + wrong.encode(), "text/csv")
    at.file_uploader(key="reports_upload").set_value(upload).run()


def test_a_file_with_kecamatan_names_previews_and_lands(open_page, with_demo, database_url) -> None:
    at = open_tab(open_page(PAGE), "reports_tab", "tab_import")
    _upload_posko_with_a_wrong_code(at)
    assert not at.exception, [e.message for e in at.exception]
    preview = next(d.value for d in at.dataframe if t("field_kecamatan_name") in d.value.columns)
    assert preview[t("field_kecamatan_name")].tolist() == ["Cugenang", "Pacet", "Cibeber"]
    at = _click(at, t("run_import"))
    assert not at.exception, [e.message for e in at.exception]
    result = t("import_result", total=3, created=2, updated=0, quarantined=1)
    assert any(result in s.value for s in at.success), [e.value for e in at.error]
    versions = report_store.all_versions(make_engine(database_url))
    tagana = versions[versions["source"] == "tagana"].set_index("kecamatan_code")
    assert tagana["displaced"].to_dict() == {"32.03.10": 640, "32.03.11": 1250}
    assert tagana.loc["32.03.11", "report_time"].strftime("%H:%M") == "07:00"  # 14.00 WIB
    assert tagana.loc["32.03.11", "other_columns"] == {"Desa": "Sarampad"}
    # the quarantine names the row, both places and where the name points; fixed, it lands
    *_, held = (d.value for d in at.dataframe if t("col_problem") in d.value.columns)
    assert held[t("col_row")].tolist() == ["posko.csv:5"]
    problem = held[t("col_problem")].iloc[0]
    assert "32.03.11 adalah Cugenang, Kabupaten Cianjur" in problem
    assert "«Cibeber» (menunjuk ke: Cibeber, Kabupaten Cianjur (32.03.03))" in problem
    at.session_state["reports_quarantine_editor"] = {
        "edited_rows": {0: {"kecamatan_code": "32.03.03"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at = _click(at, t("resubmit"))
    versions = report_store.all_versions(make_engine(database_url))
    fixed = versions[(versions["source"] == "tagana") & (versions["kecamatan_code"] == "32.03.03")]
    assert fixed["displaced"].tolist() == [20]


def test_discarding_quarantined_rows_asks_first_naming_them(
    open_page, with_demo, database_url
) -> None:
    at = open_tab(open_page(PAGE), "reports_tab", "tab_import")
    _upload_posko_with_a_wrong_code(at)
    at = _click(at, t("run_import"))
    engine = make_engine(database_url)
    assert len(imports.quarantine(engine, report_store.REPORTS, SYSTEM)) == 1
    at.session_state["reports_quarantine_editor"] = {
        "edited_rows": {0: {t("discard_confirm"): True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at = _click(at, t("discard"))
    assert len(imports.quarantine(engine, report_store.REPORTS, SYSTEM)) == 1  # only asked
    assert t("ask_discard", rows=md("posko.csv:5")) in [w.value for w in at.warning]
    at = _click(at, t("confirm_yes"))
    assert not at.exception, [e.message for e in at.exception]
    assert t("discarded", n=1) in at.success[0].value
    assert imports.quarantine(engine, report_store.REPORTS, SYSTEM) == []


def test_an_operator_scoped_to_kabupaten_bandung_reports_only_for_its_areas(
    with_every_scenario, database_url, monkeypatch
) -> None:
    monkeypatch.setenv("CC_AUTH_MODE", "local")
    engine = make_engine(database_url)
    accounts.create_user(
        engine, SYSTEM, "bandung", "kata-sandi-1", "operator", "32.04", "Operator Bandung"
    )
    at = signed_in("bandung", page=PAGE)
    flood = next(i for i in store.incidents(engine) if i.kind == "banjir")
    at.selectbox(key="reports_incident").set_value(flood.id).run()
    open_tab(at, "reports_tab", "tab_entry")
    offered = area_codes(at.selectbox(key="report_kecamatan").options)
    assert "32.04" in offered and all(c == "32.04" or c.startswith("32.04.") for c in offered)
    quake = next(i for i in store.incidents(engine) if i.kind != "banjir")
    at.selectbox(key="reports_incident").set_value(quake.id).run()  # Cianjur's: read only
    assert not [s for s in at.selectbox if s.key == "report_kecamatan"]
    assert t("no_area_in_scope") in [i.value for i in at.info]


def test_the_quarantine_editor_labels_its_columns_in_words(
    open_page, with_demo, database_url
) -> None:
    """Item 9 of #34: `Kecamatan (kode)`, not `kecamatan_code, report_time, hour`."""
    at = open_tab(open_page(PAGE), "reports_tab", "tab_import")
    _upload_posko_with_a_wrong_code(at)
    at = _click(at, t("run_import"))
    editor = next(d for d in at.dataframe if "kecamatan_code" in d.value.columns)
    labels = {k: c.get("label") for k, c in json.loads(editor.proto.columns).items()}
    for field in ("kecamatan_code", "report_time", "hour", "incident_id"):
        if field in editor.value.columns:
            assert labels[field] == t(f"field_{field}"), field
    assert not [c for c in editor.value.columns if "_" in c and labels.get(c) in (None, c)]
