"""The Tagana page as coordinators use it, in the real app (AppTest) on the demo scenario."""

import json
import re
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from command_center.base.auth import SYSTEM, Principal
from command_center.base.db import make_engine
from command_center.base.labels import status_label, t
from command_center.stores import accounts
from command_center.stores import common as store
from command_center.stores import teams as team_store
from command_center.ui.messages import md
from tests.conftest import area_codes, open_tab, shown_column, signed_in, tab_shown

PAGE = "pages/deployments.py"
GARUT = "Tagana Kab. Garut (Latihan)"
SUKABUMI = "Tagana Kab. Sukabumi (Latihan)"
PACET = "Karang Taruna Kec. Pacet (Latihan)"


def admin(name: str) -> Principal:
    """Someone allowed everything (roles and scopes have their own tests)."""
    return Principal(name, "admin")


def _roster(database_url: str):
    return team_store.roster(make_engine(database_url)).set_index("name")


def _id(database_url: str, name: str) -> int:
    return int(_roster(database_url).loc[name, "id"])


def _messages(at: AppTest) -> str:
    return " | ".join(m.value for kind in (at.success, at.error, at.warning, at.info) for m in kind)


def _click(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def test_the_board_counts_teams_by_status_and_filters_them(open_page, with_demo) -> None:
    at = open_page(PAGE)
    counts = {m.label: m.value for m in at.metric}
    assert counts == {
        status_label("standby"): "4",
        status_label("en_route"): "1",
        status_label("on_scene"): "3",
        status_label("returning"): "1",
        status_label("unavailable"): "1",
    }
    at.selectbox(key="board_kabupaten").set_value("32.03").run()  # Kabupaten Cianjur
    counts = {m.label: m.value for m in at.metric}
    assert counts[status_label("standby")] == "2" and counts[status_label("on_scene")] == "2"
    at.selectbox(key="board_skill").set_value("SAR air").run()
    assert sum(int(m.value) for m in at.metric) == 0
    assert t("no_teams_match") in _messages(at)


def test_a_change_written_elsewhere_shows_on_the_next_run(open_page, with_demo, database_url):
    """Another replica or the CLI writes: this server's cached results give way at once."""
    at = open_page(PAGE)
    assert {m.label: m.value for m in at.metric}[status_label("unavailable")] == "1"
    team = _roster(database_url).loc[GARUT]
    assert team["status"] == "standby"
    engine = make_engine(database_url)  # not the app's engine: as another process would
    team_store.change_status(
        engine, int(team["id"]), int(team["version"]), "unavailable", admin("Lain"), "sakit"
    )
    engine.dispose()
    at.run()
    assert {m.label: m.value for m in at.metric}[status_label("unavailable")] == "2"


def test_teams_on_duty_too_long_are_flagged(
    open_page, with_demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CC_DUTY_DAYS_WARNING", "0")  # every deployed team is past the limit
    at = open_page(PAGE)
    warning = next(w.value for w in at.warning if "rotasi" in w.value)
    assert warning.startswith("4 tim")
    assert md(SUKABUMI) in warning  # escaped for markdown


def test_a_coordinator_assigns_the_nearest_team_with_the_skill(
    open_page, with_demo, database_url
) -> None:
    at = open_tab(open_page(PAGE), "deployments_tab", "tab_assign")
    at.selectbox(key="assign_kec").set_value("32.03.11").run()  # Cugenang
    at.selectbox(key="assign_skill").set_value("dapur umum").run()
    table = next(d.value for d in at.dataframe if t("col_distance_km") in d.value.columns)
    assert table[t("col_team")].tolist() == [PACET, GARUT]  # standby, with the skill, nearest first
    assert table[t("col_distance_km")].is_monotonic_increasing
    assert at.selectbox(key="assign_team").options[0].startswith(PACET)
    at.selectbox(key="assign_team").set_value(_id(database_url, GARUT))
    at.text_input(key="assign_task").input("Dapur umum pengungsian Cugenang")
    _click(at, t("assign"))
    assert md(GARUT) in _messages(at)
    row = _roster(database_url).loc[GARUT]
    assert (row.status, row.assigned_kecamatan_code) == ("en_route", "32.03.11")
    assert row.assigned_by == t("anonymous")
    counts = {m.label: m.value for m in open_tab(at, "deployments_tab", "tab_board").metric}
    assert counts[status_label("en_route")] == "2"  # the board follows at once


def test_a_team_already_deployed_is_refused(open_page, with_demo, database_url) -> None:
    at = open_tab(open_page(PAGE), "deployments_tab", "tab_assign")
    at.selectbox(key="assign_team").set_value(_id(database_url, SUKABUMI))
    at.text_input(key="assign_task").input("Evakuasi")
    _click(at, t("assign"))
    error = " ".join(e.value for e in at.error)
    assert status_label("on_scene") in error and "32.03.10" in error
    assert _roster(database_url).loc[SUKABUMI, "assigned_kecamatan_code"] == "32.03.10"


def test_the_second_of_two_coordinators_is_told_who_changed_the_team(
    open_page, with_demo, database_url
) -> None:
    first, second = open_page(PAGE), open_page(PAGE)
    first.sidebar.text_input(key="_actor_choice").input("Koordinator Ani").run()
    garut = _id(database_url, GARUT)
    for at in (first, second):
        open_tab(at, "deployments_tab", "tab_assign")
        at.selectbox(key="assign_team").set_value(garut)
        at.text_input(key="assign_task").input("Dapur umum")
    _click(first, t("assign"))
    _click(second, t("assign"))  # still based on the roster as it was before Ani's change
    error = " ".join(e.value for e in second.error)
    assert "Koordinator Ani" in error and "WIB" in error
    assert _roster(database_url).loc[GARUT, "assigned_by"] == "Koordinator Ani"


def test_status_changes_follow_the_lifecycle(open_page, with_demo, database_url) -> None:
    at = open_tab(open_page(PAGE), "deployments_tab", "tab_team")
    at.selectbox(key="team_pick").set_value(_id(database_url, GARUT)).run()
    at.selectbox(key="status_target").set_value("on_scene")
    _click(at, t("apply_status"))
    assert t("hint_assign") in " ".join(e.value for e in at.error)
    at.selectbox(key="status_target").set_value("unavailable")
    _click(at, t("apply_status"))
    assert f"{t('field_status_reason')}: {t('err_missing')}" in " ".join(e.value for e in at.error)
    at.selectbox(key="status_target").set_value("unavailable")
    at.text_input(key="status_reason").input("Kendaraan rusak <b>berat</b>")
    _click(at, t("apply_status"))
    assert _roster(database_url).loc[GARUT, "status"] == "unavailable"
    history = next(d.value for d in at.dataframe if t("col_change") in d.value.columns)
    assert "Kendaraan rusak <b>berat</b>" in history.iloc[0][t("col_change")]  # shown as text


def test_stand_down_asks_first_then_ends_the_assignment_on_the_same_team_and_tab(
    open_page, with_demo, database_url
) -> None:
    at = open_tab(open_page(PAGE), "deployments_tab", "tab_team")
    at.selectbox(key="team_pick").set_value(_id(database_url, SUKABUMI)).run()
    assert any(md("32.03.10") in i.value for i in at.info)
    _click(at, t("stand_down"))
    assert _roster(database_url).loc[SUKABUMI].status == "on_scene"  # one click only asks
    assert t("ask_stand_down", team=md(SUKABUMI)) in [w.value for w in at.warning]
    _click(at, t("confirm_yes"))
    row = _roster(database_url).loc[SUKABUMI]
    assert row.status == "returning" and pd.isna(row.assigned_kecamatan_code)
    assert at.selectbox(key="team_pick").value == _id(database_url, SUKABUMI)
    assert tab_shown(at, "deployments_tab") == t("tab_team")  # not back on the first


def test_roster_edits_save_only_changed_rows(open_page, with_demo, database_url) -> None:
    at = open_tab(open_page(PAGE), "deployments_tab", "tab_roster")
    before = _roster(database_url)
    position = list(before.index).index(GARUT)
    at.session_state["roster_editor"] = {
        "edited_rows": {position: {"contact_phone": "0813-2222-3333", "member_count": 20}},
        "added_rows": [],
        "deleted_rows": [],
    }
    _click(at, t("save"))
    assert t("saved_rows", n=1) in _messages(at)
    after = _roster(database_url)
    assert (after.loc[GARUT, "contact_phone"], after.loc[GARUT, "member_count"]) == (
        "0813-2222-3333",
        20,
    )
    unchanged = after.drop(index=GARUT)["version"]
    assert (unchanged == before.drop(index=GARUT)["version"]).all()


def test_a_team_is_added_from_the_form(open_page, with_demo, database_url, geography) -> None:
    at = open_tab(open_page(PAGE), "deployments_tab", "tab_roster")
    home = t("field_home_kecamatan_code")
    assert not [box for box in at.selectbox if box.label == home]  # 7,285 options wait for it
    at.toggle(key="add_team_open").set_value(True).run()
    (name,) = [box for box in at.text_input if box.label == t("field_name")]
    name.set_value("Tagana Kab. Bogor")
    code = next(c for c in geography.kecamatan.index if c.startswith("32.01."))
    next(box for box in at.selectbox if box.label == home).set_value(code)
    _click(at, t("add_team"))
    assert t("team_added", team=md("Tagana Kab. Bogor")) in _messages(at)
    added = _roster(database_url).loc["Tagana Kab. Bogor"]
    assert (added["home_kecamatan_code"], added["status"]) == (code, "standby")


def test_a_hostile_team_name_is_shown_as_text(
    open_page, with_demo, database_url, geography
) -> None:
    from command_center.services.roster import TeamInput

    hostile = "[klik](javascript:alert(1)) <img src=x onerror=alert(1)> **tebal**"
    entry = TeamInput.check({"name": hostile, "home_kecamatan_code": "32.03.01"}, geography)
    team_store.create_team(make_engine(database_url), entry, admin("K"))
    at = open_page(PAGE)
    cards = [m.value for m in at.markdown if "klik" in m.value]
    assert cards == [f"**{md(hostile)}**"]  # every markdown character escaped


def test_a_coordinator_scoped_to_kabupaten_bandung_is_offered_only_its_incidents_and_teams(
    with_every_scenario, database_url, monkeypatch
) -> None:
    monkeypatch.setenv("CC_AUTH_MODE", "local")
    engine = make_engine(database_url)
    back = _roster(database_url).loc["Tagana Kab. Bandung (Latihan)"]  # returning: made ready
    team_store.change_status(engine, int(back["id"]), int(back["version"]), "standby", SYSTEM)
    accounts.create_user(
        engine, SYSTEM, "bandung", "kata-sandi-1", "coordinator", "32.04", "Koordinator Bandung"
    )
    at = open_tab(signed_in("bandung", page=PAGE), "deployments_tab", "tab_assign")
    assert not at.exception, [e.message for e in at.exception]
    flood = next(i for i in store.incidents(engine) if i.kind == "banjir")
    assert at.selectbox(key="assign_incident").options == [flood.name]  # not Cianjur's quake
    kecamatan = area_codes(at.selectbox(key="assign_kec").options)
    assert kecamatan and all(c.startswith("32.04.") for c in kecamatan)
    roster = _roster(database_url)
    ours = set(roster.index[roster["home_kabupaten_code"] == "32.04"])
    nearest = next(d.value for d in at.dataframe if t("col_distance_km") in d.value.columns)
    assert set(nearest[t("col_team")]) == {"Tagana Kab. Bandung (Latihan)"}  # not Bandung Barat
    for key, tab in (
        ("assign_team", "tab_assign"),
        ("team_pick", "tab_team"),
        ("members_team", "tab_roster"),
    ):
        open_tab(at, "deployments_tab", tab)
        offered = {o.split(" · ")[0] for o in at.selectbox(key=key).options}
        assert offered == ours, key


def test_a_teams_history_is_written_in_words(open_page, with_demo, database_url) -> None:
    """Item 9 of #34: no raw codes (`karang_taruna`, `create`), no `None`, no ISO times."""
    engine = make_engine(database_url)
    team_id = _id(database_url, PACET)
    version = int(_roster(database_url).loc[PACET, "version"])
    until = datetime(2026, 12, 19, 7, tzinfo=UTC) + timedelta(days=3650)  # in the future
    team_store.change_status(
        engine, team_id, version, "unavailable", admin("Korlap"), "Banjir", until
    )
    at = open_tab(open_page(PAGE), "deployments_tab", "tab_roster")
    position = list(_roster(database_url).index).index(PACET)
    at.session_state["roster_editor"] = {
        "edited_rows": {position: {"kind": "psm"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    _click(at, t("save"))
    open_tab(at, "deployments_tab", "tab_team")
    at.selectbox(key="team_pick").set_value(team_id).run()
    actions = shown_column(at, t("col_action"))
    assert t("action_status") in actions
    assert set(actions) <= {t(f"action_{a}") for a in ("create", "status", "edit", "assign")}
    changes = " ".join(shown_column(at, t("col_change")))
    assert f"{t('field_status')}: {status_label('standby')} → {status_label('unavailable')}" in (
        changes
    )
    assert f"{t('field_kind')}: {t('kind_karang_taruna')} → {t('kind_psm')}" in changes
    assert f"{t('field_unavailable_until')}: 16 Des 2036 14.00 WIB" in changes
    assert not re.search(r"[a-z]+_[a-z]+|\bNone\b|\d{4}-\d{2}-\d{2}", changes)


def test_a_viewer_reads_the_roster_and_members_in_words(
    with_demo, monkeypatch: pytest.MonkeyPatch, database_url
) -> None:
    """Item 9 of #34: unit types as words (not `karang_taruna`), members under labelled
    headers (not `name/role/phone`)."""
    monkeypatch.setenv("CC_AUTH_MODE", "local")
    engine = make_engine(database_url)
    team_id = _id(database_url, PACET)
    version = int(_roster(database_url).loc[PACET, "version"])
    member = {"name": "Ujang", "role": "Ketua", "phone": "0812-1111-2222"}
    team_store.set_members(engine, team_id, version, [member], admin("Korlap"))
    accounts.create_user(engine, SYSTEM, "pejabat", "kata-sandi-1", "viewer")
    at = open_tab(signed_in("pejabat", page=PAGE), "deployments_tab", "tab_roster")
    at.selectbox(key="members_team").set_value(team_id).run()
    members = next(d.value for d in at.dataframe if t("field_role") in d.value.columns)
    assert list(members.columns) == [t("field_name"), t("field_role"), t("field_phone")]
    roster = next(d for d in at.dataframe if "kind" in d.value.columns)
    options = json.loads(roster.proto.columns)["kind"]["type_config"]["options"]
    assert {"value": "karang_taruna", "label": t("kind_karang_taruna")} in options  # drawn so
