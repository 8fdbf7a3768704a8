"""The real Streamlit app, driven by AppTest: every page, with data and without."""

import re
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.labels import t
from command_center.base.settings import PROJECT_ROOT
from command_center.base.times import utcnow
from command_center.services.incidents import ProposalRules
from command_center.sources.bmkg_forecast import parse_forecast
from command_center.stores import accounts
from command_center.stores import common as store
from command_center.stores import hazards as hazard_store
from command_center.stores import proposals as proposal_store
from command_center.stores import teams as team_store
from command_center.ui.messages import md
from command_center.ui.shell import PAGES
from command_center.workers import ingest
from tests.conftest import open_tab, shown_column, signed_in, tabs_of

APP = str(PROJECT_ROOT / "app.py")


def test_pages_are_files_named_for_their_deep_links() -> None:
    assert [p.url_path for p in PAGES] == [
        "live_map",
        "incidents",
        "hazards",
        "deployments",
        "reports",
        "logistics",
        "households",
        "briefing",
        "notifications",
        "admin",
    ]
    for page in PAGES:
        assert (PROJECT_ROOT / page.file).exists()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.url_path)
def test_every_page_runs_with_the_demo(open_page, with_demo, page) -> None:
    at = open_page(page.file)
    assert at.title[0].value == t(page.label)
    assert not at.error


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.url_path)
def test_every_page_shows_an_honest_empty_state(open_page, app_env, page) -> None:
    at = open_page(page.file)
    notes = " ".join(i.value for i in [*at.info, *at.caption])
    empty = {
        "live_map": "no_incidents",
        "incidents": "choose_incident_view",
        "hazards": "no_hazards",
        "deployments": "no_teams",
        "reports": "no_reports",
        "logistics": "no_open_incidents_aid",
        "households": "no_open_incidents_aid",
        "briefing": "no_briefing",
        "notifications": "alerts_need_account",  # development mode has no account
        "admin": "table_empty",  # the accounts tab, open first: none yet
    }[page.url_path]
    assert t(empty) in notes


def test_demo_data_reaches_the_pages(open_page, with_demo) -> None:
    at = open_page("pages/briefing.py")
    assert {m.label: m.value for m in at.metric}[t("deaths")] == "68"  # verified reports only
    at.toggle(key="briefing_unverified").set_value(True).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("deaths")] == "88"
    assert metrics[t("displaced")] == "27.240"
    assert metrics[t("kecamatan_reporting")] == "15"
    assert any(t("exercise_banner") in w.value for w in at.warning)
    at.switch_page("pages/deployments.py").run()
    counts = {m.label: m.value for m in at.metric}
    assert counts[t("status_on_scene")] == "3"
    assert counts[t("status_unavailable")] == "1"
    at.switch_page("pages/reports.py").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("kecamatan_reporting")] == "15"


def test_english_switch_relabels_and_sticks_across_pages(open_page, with_demo) -> None:
    at = open_page(PAGES[0].file)
    at.sidebar.radio[0].set_value("en").run()
    assert at.title[0].value == "Live map"
    at.switch_page("pages/hazards.py").run()
    assert at.title[0].value == "BMKG hazards"
    assert at.dataframe[0].value.columns[0] == "Time (WIB)"
    assert "WIB" in at.dataframe[0].value.iloc[0, 0]


def test_missing_boundaries_are_explained_on_the_live_map(
    open_page, with_demo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CC_BOUNDARIES_PATH", str(tmp_path / "kecamatan.geojson"))
    at = open_page(PAGES[0].file)
    assert str(tmp_path / "kecamatan.geojson") in at.error[0].value
    assert "command-center boundaries download" in at.error[0].value


@pytest.fixture
def with_hazards(with_demo, database_url: str, geography, shared_data: Path) -> None:
    engine = make_engine(database_url)
    rules = ProposalRules(max_age_h=None)  # the recorded events are old: propose anyway
    ingest.replay(
        engine,
        shared_data / "bmkg",
        lambda session, result: proposal_store.propose_incidents(
            session, geography, result.changed_ids, rules
        ),
    )
    with Session(engine) as session, session.begin():
        hazard_store.record_fetch(session, "bmkg_autogempa", "error", "server error (HTTP 503)")
    engine.dispose()


def test_operator_confirms_a_proposed_incident_on_the_hazards_page(
    open_page, with_hazards, database_url
):
    at = open_page("pages/hazards.py")
    # the demo quake, 80 BMKG quakes (Flores once), a weather and a tsunami warning
    assert len(at.dataframe[0].value) == 1 + 80 + 1 + 1
    assert any("GAGAL sejak" in e.value and "HTTP 503" in e.value for e in at.error)
    events = hazard_store.latest_events(make_engine(database_url))
    flores = events[events["location_text"] == "113 km BaratLaut LARANTUKA-NTT"].iloc[0]
    choice = at.selectbox(key="hazard_event")
    assert any("M7,4 113 km BaratLaut LARANTUKA" in o for o in choice.options)
    choice.set_value(int(flores["id"])).run()
    assert any("Usulan kejadian otomatis" in w.value for w in at.warning)
    affected = at.dataframe[1].value
    # the 2021 Flores Sea quake hit Kepulauan Selayar hardest (Pasilambena, Kalaotoa)
    assert len(affected) >= 5 and affected.iloc[0, 0].startswith("73.01.")
    assert any(t("estimate_note") in c.value for c in at.caption)  # estimates, said so
    at.button[0].click().run()  # Konfirmasi kejadian
    assert any(t("incident_confirmed") in s.value for s in at.success)
    assert not any("Usulan kejadian otomatis" in w.value for w in at.warning)  # at once
    assert t("confirm_incident") not in [b.label for b in at.button]
    engine = make_engine(database_url)
    opened = [i for i in store.incidents(engine) if i.status == "open"]
    assert any("LARANTUKA" in i.name for i in opened)


def test_proposals_stay_off_the_briefing_and_the_report_picker_until_confirmed(
    open_page, with_hazards, database_url
) -> None:
    engine = make_engine(database_url)
    proposed = [i for i in store.incidents(engine) if i.status == "proposed"]
    assert len(proposed) >= 5  # the replayed feeds proposed several
    briefing = open_page("pages/briefing.py")
    assert [h.value for h in briefing.header] == ["LATIHAN Gempa M5\\,6 Kabupaten Cianjur"]
    standby = {m.label: m.value for m in briefing.metric}[t("teams_standby")]
    roster = team_store.roster(engine)
    in_province = roster[
        (roster["status"].astype(str) == "standby")
        & roster["home_kabupaten_code"].str.startswith("32.")
    ]
    assert standby == str(len(in_province))
    reports = briefing.switch_page("pages/reports.py").run()
    options = reports.selectbox(key="reports_incident").options
    assert not any(p.name in o for p in proposed for o in options)


def test_live_map_runs_with_hazard_data(open_page, with_hazards) -> None:
    at = open_page("pages/live_map.py")
    assert not at.exception
    assert any(t("active_warnings", n=0) in c.value for c in at.caption)


def test_open_incident_shows_the_bmkg_forecast_of_its_kecamatan(
    open_page, with_demo, database_url: str, shared_data: Path
) -> None:
    engine = make_engine(database_url)
    sample = (shared_data / "bmkg").glob("prakiraan-cuaca_*.json")
    forecast = parse_forecast(next(sample).read_bytes())
    slots = tuple(
        replace(s, time_utc=utcnow() + (s.time_utc - forecast.slots[0].time_utc))
        for s in forecast.slots
    )
    with Session(engine) as session, session.begin():
        hazard_store.save_forecast(
            session, replace(forecast, kecamatan_code="32.03.11", slots=slots)
        )
    at = open_page("pages/hazards.py")  # the demo quake is the newest event, shown first
    assert any(
        t("incident_open", name="LATIHAN Gempa M5,6 Kabupaten Cianjur") in s.value
        for s in at.success
    )
    table = at.dataframe[-1].value
    assert set(table[t("col_kecamatan")]) == {"Cugenang"}
    assert "Hujan Ringan" in set(table[t("col_weather")])
    assert any(t("bmkg_credit") in c.value for c in at.caption)


def test_felt_reports_show_beside_the_estimate(open_page, with_hazards, database_url) -> None:
    events = hazard_store.latest_events(make_engine(database_url))
    lombok = events[events["felt"].fillna("").str.startswith("IV-V Mataram")].iloc[0]
    at = open_page("pages/hazards.py")
    at.selectbox(key="hazard_event").set_value(int(lombok["id"])).run()
    felt = at.dataframe[-1].value.set_index(t("col_place"))
    assert felt.loc["Mataram", t("col_reported_mmi")] == "IV-V"
    assert felt.loc["Mataram", t("col_kabupaten")] == "Kota Mataram"
    assert felt.loc["Mataram", t("col_est_mmi")] in {"III", "IV", "V"}  # M5.2 at 92 km depth
    assert felt.loc["Kab. Lombok Tengah", t("col_code")] == "52.02"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.url_path)
def test_every_page_handles_an_earthquake_and_a_flood_at_once(
    open_page, with_every_scenario, page
) -> None:
    at = open_page(page.file)
    assert at.title[0].value == t(page.label)
    assert not at.error


def test_the_briefing_shows_each_incident_with_its_hazard_and_phase(
    open_page, with_every_scenario
) -> None:
    at = open_page("pages/briefing.py")
    headers = [h.value for h in at.header]
    assert headers == [  # as markdown-escaped text
        "LATIHAN Gempa M5\\,6 Kabupaten Cianjur",
        "LATIHAN Banjir Citarum Kabupaten Bandung",
    ]
    captions = " ".join(c.value for c in at.caption)
    assert "Gempa bumi · " in captions and "Banjir · " in captions
    assert any(
        m.value.startswith("**Hari ke\\-3 tanggap darurat\\, s\\.d\\. ") for m in at.markdown
    )
    reports = at.switch_page("pages/reports.py").run()
    options = reports.selectbox(key="reports_incident").options
    assert any("Banjir Citarum" in o for o in options) and any("Gempa" in o for o in options)


def test_a_tsunami_warning_in_force_tops_the_live_map(open_page, tsunami_in_force) -> None:
    at = open_page("pages/live_map.py")
    banner = at.error[0].value
    assert "PERINGATAN DINI TSUNAMI WASPADA" in banner and md("M7,3") in banner
    assert md("WASPADA NIAS-SELATAN PULAU TANABALA (SUMUT)") in banner


def test_the_hazards_page_shows_a_tsunami_warning_by_area_and_level(
    open_page, tsunami_in_force, database_url
) -> None:
    at = open_page("pages/hazards.py")
    table = at.dataframe[0].value
    assert t("kind_tsunami_warning") in set(table[t("col_kind")])
    events = hazard_store.latest_events(make_engine(database_url), kind="tsunami_warning")
    at.selectbox(key="hazard_event").set_value(int(events["id"].iloc[0])).run()
    areas = at.dataframe[1].value
    assert list(areas[t("col_level")]) == ["WASPADA"]
    assert list(areas[t("col_kabupaten")]) == ["Kabupaten Nias Selatan"]


def test_proposals_wait_in_their_own_list_and_leave_it_at_once(
    open_page, with_hazards, database_url
) -> None:
    engine = make_engine(database_url)
    waiting = [i for i in store.incidents(engine) if i.status == "proposed"]
    at = open_page("pages/incidents.py")
    assert at.tabs[0].label == t("tab_proposals", n=len(waiting))
    listed = at.dataframe[0].value
    assert len(listed) == len(waiting)
    open_tab(at, "incidents_tab", "tab_incident_list")
    listing = next(d.value for d in at.dataframe if t("col_incident") in d.value.columns)
    names = set(listing[t("col_incident")])  # the incident list: confirmed ones only
    assert not names & {i.name for i in waiting}
    open_tab(at, "incidents_tab", "tab_proposals")
    first = at.selectbox(key="proposal").value
    at.button(key="proposal_dismiss").click().run()
    assert any(t("incident_dismissed") in s.value for s in at.success)
    assert at.tabs[0].label == t("tab_proposals", n=len(waiting) - 1)
    assert first not in at.selectbox(key="proposal").options


def test_a_scoped_operator_decides_only_the_proposals_of_their_area(
    with_hazards, database_url, monkeypatch
) -> None:
    monkeypatch.setenv("CC_AUTH_MODE", "local")
    engine = make_engine(database_url)
    waiting = [i for i in store.incidents(engine) if i.status == "proposed"]
    ntb = [i.id for i in waiting if all(c.startswith("52.") for c in i.kecamatan_codes)]
    assert ntb and len(ntb) < len(waiting)  # Lombok's quake, among others elsewhere
    accounts.create_user(engine, SYSTEM, "ntb", "kata-sandi-1", "operator", "52", "NTB")
    at = signed_in("ntb", page="pages/incidents.py")
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.dataframe[0].value) == len(waiting)  # all listed, to read
    names = {i.id: i.name for i in waiting}
    offered = at.selectbox(key="proposal").options
    assert sorted(offered) == sorted(names[i] for i in ntb)  # only theirs to decide


def test_magnitudes_and_intensities_are_written_with_a_decimal_comma(open_page, with_demo) -> None:
    """Item 9 of #34: "M5,6" and "VII (6,7)" as the incident name writes them, not "M5.6"."""
    at = open_page("pages/hazards.py")  # the demo quake is the newest event, shown first
    picker = at.selectbox(key="hazard_event")
    assert "M5,6" in picker.options[0]
    assert not [o for o in picker.options if re.search(r"\bM\d\.\d", o)]
    estimates = shown_column(at, t("col_est_mmi"))
    assert estimates[0] == "VII (6,7)"
    assert [e for e in estimates if not re.fullmatch(r"[IVX]+( \(\d+,\d\))?", e)] == []


def test_a_replayed_feed_is_named_as_people_know_it(open_page, with_demo, database_url) -> None:
    """Item 9 of #34: "BMKG prakiraan cuaca (rekaman)", never `replay:forecast`."""
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        hazard_store.record_fetch(session, "replay:forecast", "ok", "prakiraan-cuaca_1.json")
    at = open_page("pages/live_map.py")
    said = [m.value for kind in (at.caption, at.warning, at.error) for m in kind]
    assert any(t("feed_replayed", feed=t("feed_forecast")) in s for s in said), said
    assert not [s for s in said if "replay:" in s]


@pytest.mark.parametrize(
    ("page", "key", "query"),
    [
        ("pages/deployments.py", "deployments_tab", {}),
        ("pages/reports.py", "reports_tab", {}),
        ("pages/incidents.py", "incidents_tab", {}),
        ("pages/incidents.py", "incident_tab", {"incident": "1"}),  # one incident's tabs
        ("pages/admin.py", "admin_tab", {}),
    ],
)
def test_only_the_open_tab_runs(open_page, with_demo, page: str, key: str, query) -> None:
    """Each tab's panel runs (and draws) only while it is open: a closed tab costs nothing."""
    at = open_page(page)
    at.query_params.update(query)
    labels = [tab.label for tab in tabs_of(at.run(), key)]
    assert len(labels) > 1
    for label in labels:
        at.session_state[key] = label
        at.run()
        assert not at.exception, (label, [e.message for e in at.exception])
        assert [tab.label for tab in tabs_of(at, key) if tab.children] == [label]
