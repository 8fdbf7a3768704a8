"""The briefing page: sitrep in one click, and the wall screen (`?kiosk=1`) in AppTest."""

import os

from streamlit.testing.v1 import AppTest

from command_center.base.auth import SYSTEM, Principal
from command_center.base.db import make_engine
from command_center.base.labels import t
from command_center.base.settings import PROJECT_ROOT
from command_center.base.times import utcnow
from command_center.services.reports import ReportInput
from command_center.stores import accounts
from command_center.stores import common as store
from command_center.stores import reports as report_store
from command_center.stores import teams as team_store
from command_center.ui.messages import md
from tests.conftest import open_tab

PAGE = "pages/briefing.py"


def test_one_click_issues_the_sitrep_and_the_next_one_counts_on(open_page, with_demo) -> None:
    at = open_page(PAGE)
    next(b for b in at.button if b.label == t("make_sitrep")).click().run()
    assert t("sitrep_made", number=1) in at.success[0].value
    text = at.code[0].value
    assert text.startswith("*LAPORAN SITUASI No. 1*")
    assert "Meninggal: 68" in text
    next(b for b in at.button if b.label == t("make_sitrep")).click().run()
    text = at.code[0].value
    assert text.startswith("*LAPORAN SITUASI No. 2*")
    assert "*Perubahan sejak Sitrep No. 1*" in text and "Tidak ada perubahan angka." in text
    issued = " ".join(c.value for c in at.caption if md("No. 1") in c.value)
    assert md(t("anonymous")) in issued
    assert issued.startswith(t("sitreps_issued", list=md("No. 2")))  # the newest, at once


def test_each_headline_figure_says_which_reports_and_sources_it_comes_from(
    open_page, with_demo
) -> None:
    at = open_page(PAGE)
    deaths = next(m for m in at.metric if m.label == t("deaths"))
    assert deaths.value == "68"
    where = deaths.proto.help.replace("\\", "")  # markdown, escaped
    assert where.startswith("Dari 11 laporan: Cugenang 25 (TKSK, versi 1, ")  # 11 with deaths
    assert where.endswith("; dan 7 lainnya")  # four named, the biggest first
    table = at.dataframe[0].value
    rows = table[table[t("col_figure")] == t("deaths")]
    assert sum(int(v.replace(".", "")) for v in rows[t("col_value")]) == 68  # adds up
    assert set(table[t("source")]) <= {t(f"source_{s}") for s in ("tksk", "bpbd", "dinsos")}


def test_the_wall_screen_has_no_menus_and_shows_its_panels(with_demo) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["kiosk"] = "1"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.sidebar.radio) == 0 and len(at.sidebar.text_input) == 0
    titles = [s.value for s in at.subheader]  # both pairs: the browser shows one at a time
    keys = ("kiosk_impact", "kiosk_map", "kiosk_top", "kiosk_bmkg", "kiosk_needs")
    assert titles == [t(k) for k in (*keys, "kiosk_logistics")]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("deaths")] == "68" and metrics[t("teams_deployed")] == "4"
    displaced = next(m for m in at.metric if m.label == t("displaced"))
    assert "di posko: 2.310 jiwa (data posko)" in displaced.proto.help  # both sources
    assert any("cc-ticker" in m.value for m in at.markdown)
    aid = [m.value for m in at.markdown if "cc-aid" in m.value]
    assert any("Stok makanan siap saji cukup" in line for line in aid), aid
    assert any("2.310 jiwa di 2 posko" in line for line in aid), aid


def test_the_wall_screen_shows_a_tsunami_warning_above_everything(tsunami_in_force) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["kiosk"] = "1"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    assert "PERINGATAN DINI TSUNAMI WASPADA" in at.error[0].value


CORRECTED_TO_ZERO = (  # a blank would keep the earlier figure: a correction says 0
    "missing",
    "injured_severe",
    "injured_light",
    "displaced",
    "houses_heavy",
    "houses_moderate",
    "houses_light",
)


def test_the_wall_screen_ticker_says_public_changes_in_sentences(
    with_demo, database_url, geography
) -> None:
    engine = make_engine(database_url)
    accounts.create_token(engine, SYSTEM, "Layar Pusdalops")  # an admin action: never shown
    (incident,) = store.incidents(engine)
    garut = team_store.roster(engine).set_index("name").loc["Tagana Kab. Garut (Latihan)"]
    job = {"incident_id": incident.id, "kecamatan_code": "32.03.03", "task": "Dapur umum"}
    team_store.assign(engine, int(garut["id"]), int(garut["version"]), job, SYSTEM)
    report = ReportInput.check(
        {
            "incident_id": incident.id,
            "kecamatan_code": "32.03.11",
            "report_time": utcnow().isoformat(),
            "reporter": "TKSK Cugenang",
            "source": "tksk",
            "deaths": 41,
            **dict.fromkeys(CORRECTED_TO_ZERO, 0),
        },
        geography,
    )
    saved = report_store.save_report(engine, report, SYSTEM, confirmed=True)
    checker = Principal("Verifikator", "admin")  # not the report's author
    report_store.set_verification(engine, saved.id, "verified", checker, confirmed=True)
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["kiosk"] = "1"
    at.run()
    at.switch_page(PAGE).run()
    ticker = next(m.value for m in at.markdown if m.value.startswith('<div class="cc-ticker'))
    assert "Tagana Kab. Garut (Latihan) ditugaskan ke Cibeber" in ticker
    assert "Laporan Cugenang diperbarui" in ticker
    assert "Angka hilang, luka-luka, mengungsi, rumah rusak dikoreksi turun setelah" in ticker
    assert "kiosk_token" not in ticker and "system" not in ticker and "#" not in ticker


def test_wall_screen_links_are_absolute_on_the_public_address_like_reporters_links(
    open_page, with_demo, monkeypatch
) -> None:
    """The briefing's wall-screen link and a new token's link start with `CC_PUBLIC_URL`, as
    a reporter's link does: each can be sent as it is shown."""
    monkeypatch.setenv("CC_PUBLIC_URL", "https://posko.example.id/cc/")
    at = open_page(PAGE)
    (incident,) = store.incidents(make_engine(os.environ["DATABASE_URL"]))
    wall = f"`https://posko.example.id/cc/briefing?kiosk=1&incident={incident.id}`"
    assert any(wall in c.value for c in at.caption), [c.value for c in at.caption]
    open_tab(at.switch_page("pages/admin.py").run(), "admin_tab", "tab_tokens")
    next(i for i in at.text_input if i.label == t("token_label")).input("Layar Pusdalops")
    next(b for b in at.button if b.label == t("add_token")).click().run()
    made = at.success[0].value
    assert "`https://posko.example.id/cc/briefing?kiosk=1&token=" in made, made
