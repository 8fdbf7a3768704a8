"""The Lapor page as a field reporter meets it: the real app in AppTest opened through a link,
with sign-in on (no account needed, nothing else reachable), and in Chromium at 360 px."""

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from streamlit.testing.v1 import AppTest

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.labels import t
from command_center.base.settings import PROJECT_ROOT
from command_center.base.times import WIB, format_wib, utcnow
from command_center.services.reporters import LINK_PARAM, NewLink
from command_center.stores import common as store
from command_center.stores import households as household_store
from command_center.stores import reporters as reporter_store
from command_center.stores import reports as report_store
from tests.conftest import APP, ARTIFACTS, JAYAPURA, app_env_vars, sentani_link, store_copy
from tests.households import family


@pytest.fixture
def link(with_demo, monkeypatch: pytest.MonkeyPatch, database_url: str, geography) -> str:
    monkeypatch.setenv("CC_AUTH_MODE", "local")  # a signed-out visitor, as in the field
    engine = make_engine(database_url)
    entry = {"name": "Asep (Karang Taruna)", "role": "karang taruna", "kecamatan": "32.03.11"}
    _, token = reporter_store.create_link(engine, SYSTEM, NewLink.check(entry, geography))
    return token


def _open(token: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params[LINK_PARAM] = token
    return at.run()


def _figure(at: AppTest, field: str):
    return next(n for n in at.number_input if n.label == t(f"field_{field}"))


def test_a_reporter_sends_and_then_updates_a_report_through_the_link(
    link: str, database_url: str
) -> None:
    at = _open(link)
    assert not at.exception, [e.message for e in at.exception]
    assert [x.value for x in at.title] == [t("lapor_title")]  # not the sign-in
    assert not at.sidebar.children or not any(at.sidebar.markdown)  # no account, no menu
    _figure(at, "displaced").set_value(350)
    _figure(at, "houses_heavy").set_value(12)
    at.text_area[0].input("tenda: 10; air bersih: 500; air mineral: 20 dus")
    at.text_area[1].input("jalan ke Cugenang putus")
    at.button[0].click().run()
    assert any("terkirim" in s.value for s in at.success), [e.value for e in at.error]
    engine = make_engine(database_url)
    rows = report_store.all_versions(engine)
    mine = rows[rows["source"] == "karang_taruna"]
    assert list(mine["displaced"]) == [350] and list(mine["verification"]) == ["unverified"]
    assert list(mine["needs"]) == [
        [
            {"item": "tenda_keluarga", "qty": 10, "unit": "buah"},
            {"item": "air_mineral", "qty": 500, "unit": "liter"},
            {"item": "air_mineral", "qty": 20, "unit": "dus"},  # never added to the litres
        ]
    ]
    assert "Cugenang" in " ".join(m.value for m in at.markdown)  # listed under their reports
    assert not at.number_input and not at.text_area  # the form gave way to the confirmation
    at = at.button(key="lapor_again").click().run()
    assert at.text_area[1].value == ""  # a fresh form: the notes are not sent twice
    assert _figure(at, "displaced").value == 350  # and it starts from the report just sent
    again = _open(link)  # the update starts from the previous report
    assert _figure(again, "displaced").value == 350
    typed = "Tenda keluarga: 10 buah; Air mineral: 500 liter; Air mineral: 20 dus"
    assert again.text_area[0].value == typed  # in words that read back to the same lines
    assert t("lapor_update") in [c.value for c in again.caption]


def test_a_reporter_in_sentani_types_the_time_of_a_papua_clock(
    with_demo, monkeypatch: pytest.MonkeyPatch, database_url: str, geography
) -> None:
    monkeypatch.setenv("CC_AUTH_MODE", "local")
    incident, token = sentani_link(database_url, geography)
    at = _open(token)
    assert not at.exception, [e.message for e in at.exception]
    (clock,) = at.time_input
    assert clock.label == t("report_time", zone="WIT")
    day = utcnow().astimezone(JAYAPURA).date() - timedelta(days=1)
    at.date_input[0].set_value(day)
    clock.set_value(time(8))
    _figure(at, "displaced").set_value(40)
    at.button[0].click().run()
    assert any("terkirim" in s.value for s in at.success), [e.value for e in at.error]
    (stored,) = report_store.all_versions(make_engine(database_url), incident)["report_time"]
    assert stored == datetime.combine(day, time(8), JAYAPURA)  # 08:00 WIT, not WIB


def test_a_report_older_than_the_reporters_current_one_is_kept_as_history(
    link: str, database_url: str
) -> None:
    at = _open(link)
    _figure(at, "displaced").set_value(350)
    at.button[0].click().run()  # today's report
    engine = make_engine(database_url)
    (today,) = report_store.all_versions(engine).query("source == 'karang_taruna'")["report_time"]
    at = _open(link)
    yesterday = today.astimezone(WIB).date() - timedelta(days=1)
    next(d for d in at.date_input if d.label == t("report_date")).set_value(yesterday)
    _figure(at, "displaced").set_value(20)  # yesterday's figure: no drop from today's 350
    at.button[0].click().run()
    history = t("report_history", current=format_wib(today))
    assert any(history in s.value for s in at.success), [e.value for e in at.error]
    assert _figure(_open(link), "displaced").value == 350  # an update starts from the current


def test_a_link_opens_nothing_else_and_a_revoked_one_opens_nothing(
    link: str, database_url: str
) -> None:
    at = _open(link)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/reports.py").run()
    engine = make_engine(database_url)
    (row,) = reporter_store.links(engine, SYSTEM)
    reporter_store.revoke_link(engine, SYSTEM, row.id)
    gone = _open(link)
    assert [e.value for e in gone.error] == [t("lapor_link_invalid")]
    assert not gone.number_input and not gone.button
    assert [e.value for e in _open("salah").error] == [t("lapor_link_invalid")]


@pytest.mark.browser
def test_the_lapor_page_fits_a_cheap_phone(
    browser: Browser,
    demo_database: str,
    shared_data: Path,
    boundary_cache: Path,
    streamlit_server,
    geography,
) -> None:
    engine = make_engine(demo_database)
    (incident,) = store.incidents(engine)
    entry = {"name": "Tagana Cugenang", "role": "tagana", "kecamatan": "32.03.11"}
    entry["incident_id"] = incident.id
    _, token = reporter_store.create_link(engine, SYSTEM, NewLink.check(entry, geography))
    env = app_env_vars(demo_database, shared_data, boundary_cache, CC_AUTH_MODE="local")
    with streamlit_server(APP, env) as base:
        context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
        tab = context.new_page()
        tab.goto(f"{base}/?{LINK_PARAM}={token}")  # the full page (`/lapor` is the light form)
        expect(tab.locator("h1").first).to_have_text(t("lapor_title"), timeout=60_000)
        expect(tab.get_by_text(t("lapor_send"))).to_be_visible()
        fields = tab.locator('[data-testid="stNumberInputField"]')
        expect(fields).to_have_count(12, timeout=30_000)  # the four groups of figures
        expect(tab.get_by_text("Page not found")).to_have_count(0)
        assert tab.locator('[data-testid="stSidebarNav"]').count() == 0
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page scrolls sideways ({width} px)"
        heights = fields.evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
        assert heights and min(heights) >= 40, heights  # thumb-sized
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=ARTIFACTS / "lapor_360.png", full_page=True)
        context.close()


def test_a_reporter_registers_a_family_person_by_person(link: str, database_url: str) -> None:
    at = _open(link)
    values = family()
    at.text_input(key="lapor_family_kk").input(values["kk"])
    at.text_input(key="lapor_family_desa").input("Sarampad")
    for person in values["members"][:2]:
        at.text_input(key="lapor_family_member_nik").input(person["nik"])
        at.text_input(key="lapor_family_member_name").input(person["name"])
        at.radio(key="lapor_family_member_sex").set_value(person["sex"])
        at.date_input(key="lapor_family_member_born").set_value(person["birth_date"])
        relation = "kepala_keluarga" if person["relation"] == "kepala keluarga" else "istri"
        at.selectbox(key="lapor_family_member_relation").set_value(relation)
        at = at.button(key="lapor_family_member_add").click().run()
    at = at.button(key="lapor_family_save").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert t("lapor_family_saved") in [s.value for s in at.success], [e.value for e in at.error]
    engine = make_engine(database_url)
    (incident,) = store.incidents(engine)
    families = household_store.households(engine, incident.id)
    assert list(families["kecamatan_code"]) == ["32.03.11"]
    assert list(families["updated_by"]) == ["Asep (Karang Taruna) (lapor #1)"]


@pytest.mark.browser
def test_a_report_typed_as_the_network_drops_is_kept_on_the_phone_and_stored_once(
    browser: Browser,
    demo_database: str,
    shared_data: Path,
    boundary_cache: Path,
    streamlit_server,
    geography,
    tmp_path: Path,
) -> None:
    """Typed, then the page is lost: the phone gives it back. Sent with no network: the page
    says at once that it is not sent; closed before the signal returned and sent again, it is
    stored once; left open, it goes out when the signal returns. Chromium, 360 px."""
    database = store_copy(demo_database, tmp_path)
    engine = make_engine(database)
    (incident,) = store.incidents(engine)
    entry = {"name": "Tagana Cugenang", "role": "tagana", "kecamatan": "32.03.11"}
    entry["incident_id"] = incident.id
    _, token = reporter_store.create_link(engine, SYSTEM, NewLink.check(entry, geography))
    displaced = f'input[aria-label="{t("field_displaced")}"]'
    notes = f'textarea[aria-label="{t("notes")}"]'
    send, again = t("lapor_send"), t("lapor_again")

    def stored(field: str) -> list:
        return list(report_store.all_versions(engine).query("source == 'tagana'")[field])

    env = app_env_vars(database, shared_data, boundary_cache, CC_AUTH_MODE="local")
    with streamlit_server(APP, env) as base:
        context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)

        def open_link():
            tab = context.new_page()
            tab.goto(f"{base}/?{LINK_PARAM}={token}")  # the full page, a fresh server
            tab.get_by_role("button", name=send).wait_for(timeout=60_000)
            return tab

        tab = open_link()
        tab.locator(displaced).fill("350")
        tab.locator(notes).fill("jalan ke Cugenang putus")
        tab.close()  # the phone dropped the page before anything was sent
        tab = open_link()
        expect(tab.locator("#cc-lapor-restored")).to_have_text(t("lapor_restored"))
        expect(tab.locator(displaced)).to_have_value("350")
        expect(tab.locator(notes)).to_have_value("jalan ke Cugenang putus")
        assert stored("notes") == []
        tab.get_by_role("button", name=send).click()
        expect(tab.get_by_role("button", name=again)).to_be_visible(timeout=60_000)
        expect(tab.locator("#cc-lapor-restored")).to_have_count(0)
        assert stored("displaced") == [350] and stored("notes") == ["jalan ke Cugenang putus"]

        tab.get_by_role("button", name=again).click()
        tab.locator(notes).fill("jembatan Cibeber roboh")
        context.set_offline(True)  # the signal drops between typing and pressing send
        tab.get_by_role("button", name=send).click()
        expect(tab.locator("#cc-lapor-unsent")).to_have_text(t("lapor_unsent"))
        tab.close()  # closed before the signal returns: did the press get out? the phone
        context.set_offline(False)  # cannot know, so it offers the report again
        tab = open_link()
        expect(tab.locator(notes)).to_have_value("jembatan Cibeber roboh")
        tab.get_by_role("button", name=send).click()
        expect(tab.get_by_role("button", name=again)).to_be_visible(timeout=60_000)
        assert stored("notes") == ["jalan ke Cugenang putus", "jembatan Cibeber roboh"]  # once

        tab.get_by_role("button", name=again).click()  # this time the page stays open
        tab.locator(notes).fill("air bersih habis")
        context.set_offline(True)
        tab.get_by_role("button", name=send).click()
        expect(tab.locator("#cc-lapor-unsent")).to_have_text(t("lapor_unsent"))
        context.set_offline(False)
        expect(tab.get_by_role("button", name=again)).to_be_visible(timeout=60_000)
        expect(tab.locator("#cc-lapor-unsent")).to_have_count(0)  # the receipt replaced it
        assert stored("notes")[-1:] == ["air bersih habis"] and len(stored("notes")) == 3
        tab.reload()  # sent: the phone forgot it
        expect(tab.locator(notes)).to_have_value("", timeout=60_000)
        expect(tab.locator("#cc-lapor-restored")).to_have_count(0)
        context.close()
