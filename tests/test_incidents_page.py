"""The incidents page in the real app (AppTest): open a flood, change its area, set tanggap
darurat, close it; filters and the list."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from command_center.base.auth import SYSTEM, Principal
from command_center.base.db import make_engine
from command_center.base.labels import t
from command_center.stores import accounts
from command_center.stores import common as store
from command_center.stores import incidents as incident_store
from command_center.stores.logistics import local_today
from command_center.ui.messages import md
from tests.conftest import area_codes, dawn_in_java, open_tab, shown_column, signed_in, tab_shown

DAYEUHKOLOT, BALEENDAH, BOJONGSOANG = "32.04.12", "32.04.32", "32.04.08"


def _listed(at):
    """The incidents list (the table with a status column)."""
    return next(d.value for d in at.dataframe if t("col_status") in d.value.columns)


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_an_operator_opens_a_flood_changes_its_area_sets_its_phase_and_closes_it(
    open_page, with_demo, database_url
) -> None:
    at = open_tab(open_page("pages/incidents.py"), "incidents_tab", "tab_open_incident")
    at.selectbox(key="open_hazard").set_value("banjir").run()
    at.multiselect(key="open_kabupaten").set_value(["32.04"]).run()
    at.multiselect(key="open_kecamatan").set_value([DAYEUHKOLOT, BALEENDAH]).run()
    name = next(i for i in at.text_input if i.label == t("field_name"))
    assert name.value.startswith("Banjir Kabupaten Bandung ")  # suggested
    at.date_input(key="open_day").set_value(date(2026, 11, 28)).run()
    name = next(i for i in at.text_input if i.label == t("field_name"))
    assert name.value == "Banjir Kabupaten Bandung 28 Nov 2026"  # the start day, not today
    assert any("(WIB)" in d.label for d in at.date_input)
    _button(at, t("open_incident")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert (
        t("incident_opened", name=name.value.replace(" ", " ")).split(" ")[0] in at.success[0].value
    )
    engine = make_engine(database_url)
    flood = next(i for i in store.incidents(engine) if i.kind == "banjir")
    assert flood.kecamatan_codes == (DAYEUHKOLOT, BALEENDAH)
    assert at.subheader[0].value.startswith("Banjir Kabupaten Bandung")

    at.multiselect(key=f"area_add_{flood.id}").set_value([BOJONGSOANG]).run()
    _button(at, t("change_area")).click().run()
    assert t("area_changed", n=3) in at.success[0].value
    assert store.incident_kecamatan(engine, flood.id) == (BOJONGSOANG, DAYEUHKOLOT, BALEENDAH)

    open_tab(at, "incident_tab", "tab_phases")
    next(i for i in at.text_input if i.label == t("field_decree")).input("360/Kep.12-BPBD/2026")
    next(i for i in at.text_input if i.label == t("field_authority")).input("Bupati Bandung")
    _button(at, t("set_phase")).click().run()
    assert t("phase_set") in at.success[0].value
    assert any(m.value.startswith("**Hari ke\\-1 tanggap darurat") for m in at.markdown)

    next(i for i in at.text_area if i.label == t("field_description")).input("Citarum meluap")
    _button(at, t("save")).click().run()
    assert t("incident_saved") in at.success[0].value

    _button(at, t("close_incident")).click().run()
    assert any(flood.id == i.id for i in store.incidents(engine))  # one click only asks
    _button(at, t("confirm_yes")).click().run()
    assert not at.exception
    assert t("incident_closed", number=1) in at.success[0].value
    assert all(i.id != flood.id for i in store.incidents(engine))
    open_tab(at, "incidents_tab", "tab_incident_list")
    at.multiselect(key="incidents_status").set_value(["closed"]).run()  # still listed
    assert list(_listed(at)[t("col_status")]) == [t("status_incident_closed")]
    assert at.get("download_button")  # and exportable


def test_closing_with_teams_deployed_names_them_and_the_list_filters(open_page, with_demo) -> None:
    at = open_tab(open_page("pages/incidents.py"), "incidents_tab", "tab_incident_list")
    table = _listed(at)
    assert list(table[t("field_hazard")]) == ["Gempa bumi"]
    at.multiselect(key="incidents_hazard").set_value(["banjir"]).run()
    assert _listed(at).empty
    at.multiselect(key="incidents_hazard").set_value([]).run()
    at.session_state["incident_chosen"] = int(table.index[0])
    open_tab(at, "incident_tab", "tab_people")
    figures = next(d.value for d in at.dataframe if t("deaths") in d.value.columns)
    assert len(figures) == 15 and "Cugenang" in set(figures[t("col_kecamatan")])  # its reports
    _button(at, t("close_incident")).click().run()
    _button(at, t("confirm_yes")).click().run()
    assert "Tagana Kab\\. Cianjur 1 \\(Latihan\\)" in at.error[0].value


def _coordinator(database_url, username: str, name: str) -> AppTest:
    """The incidents page signed in as a Cianjur coordinator, the training quake open."""
    engine = make_engine(database_url)
    accounts.create_user(engine, SYSTEM, username, "kata-sandi-1", "coordinator", "32.03", name)
    at = signed_in(username, page="pages/incidents.py")
    at.session_state["incident_chosen"] = store.incidents(engine)[0].id
    at = open_tab(at, "incident_tab", "tab_phases")  # where a decree is confirmed
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_a_decree_waits_marked_until_a_second_coordinator_confirms_it(
    with_demo, database_url, monkeypatch
) -> None:
    monkeypatch.setenv("CC_AUTH_MODE", "local")
    engine = make_engine(database_url)
    (quake,) = store.incidents(engine)
    recorder = Principal("Koordinator Cianjur", "coordinator", "32.03")
    decree = ("tanggap_darurat", "360/8717/BPBD/2026", "Bupati Cianjur")
    incident_store.add_phase(engine, quake.id, recorder, *decree, local_today("32.03"))

    at = _coordinator(database_url, "koordinator", recorder.name)
    assert any(m.value.endswith("\\(belum dikonfirmasi\\)**") for m in at.markdown)
    assert t("confirm_decree") not in {b.label for b in at.button}  # not one's own

    at = _coordinator(database_url, "kabid", "Kabid Linjamsos Cianjur")
    _button(at, t("confirm_decree")).click().run()
    assert t("decree_confirmed") in at.success[0].value
    assert store.phases(engine, quake.id)[0].confirmed_by == "Kabid Linjamsos Cianjur"
    assert not any("dikonfirmasi" in m.value for m in at.markdown)


def _floods(database_url: str) -> tuple[int, int]:
    """Two open floods beside the training quake: Dayeuhkolot, then Baleendah."""
    engine = make_engine(database_url)
    started = datetime.now(UTC) - timedelta(hours=3)
    ids = []
    for name, code in (("Banjir Dayeuhkolot", DAYEUHKOLOT), ("Banjir Baleendah", BALEENDAH)):
        entry = incident_store.NewIncident("banjir", name, (code,), started)
        key = incident_store.open_incident(engine, entry, SYSTEM)
        ids.append(incident_store.incident_id(engine, key))
    return ids[0], ids[1]


def test_at_dawn_in_java_the_list_counts_the_phase_day_as_the_incident_does(
    open_page, with_demo, database_url
) -> None:
    """03:00 WIB, still yesterday in UTC: a decree from the Bandung day just begun is in force
    in the list, day 1, as on the incident's own page."""
    dawn = dawn_in_java()
    dayeuhkolot, _ = _floods(database_url)
    decree = ("tanggap_darurat", "360/9/BPBD/2026", "Bupati Bandung")
    with time_machine.travel(dawn, tick=True):
        admin = Principal("Admin Pusdalops", "admin")
        incident_store.add_phase(make_engine(database_url), dayeuhkolot, admin, *decree, None)
        at = open_tab(open_page("pages/incidents.py"), "incidents_tab", "tab_incident_list")
        listed = _listed(at)[t("field_phase")]
        at.session_state["incident_chosen"] = dayeuhkolot
        at.run()
    assert listed[dayeuhkolot] == "Hari ke-1 tanggap darurat"
    assert any(m.value == "**Hari ke\\-1 tanggap darurat**" for m in at.markdown)


def test_an_incident_across_provinces_is_listed_as_national(
    open_page, with_demo, database_url
) -> None:
    """Banten and West Java at once: no one kabupaten or province, and the list still opens."""
    engine = make_engine(database_url)
    started = datetime.now(UTC) - timedelta(hours=3)
    codes = ("36.01.01", DAYEUHKOLOT)
    entry = incident_store.NewIncident("tsunami", "Tsunami Selat Sunda", codes, started)
    tsunami = incident_store.incident_id(
        engine, incident_store.open_incident(engine, entry, SYSTEM)
    )
    at = open_tab(open_page("pages/incidents.py"), "incidents_tab", "tab_incident_list")
    assert not at.exception, [e.message for e in at.exception]
    assert _listed(at).loc[tsunami, t("col_area")] == t("national")


def _asked(at) -> list[str]:
    return [w.value for w in at.warning if w.value.startswith(("Tutup", "Gabungkan"))]


def test_closing_asks_first_naming_the_incident_and_stays_on_it(
    open_page, with_demo, database_url
) -> None:
    dayeuhkolot, _ = _floods(database_url)
    at = open_tab(open_page("pages/incidents.py"), "incidents_tab", "tab_incident_list")
    at.session_state["incident_tab"] = t("tab_incident_audit")
    row = list(_listed(at).index).index(dayeuhkolot)
    at.session_state["incidents_table"] = {"selection": {"rows": [row], "columns": []}}
    at.run()
    assert at.subheader[0].value == "Banjir Dayeuhkolot"  # picked from the list
    _button(at, t("close_incident")).click().run()
    engine = make_engine(database_url)
    assert dayeuhkolot in {i.id for i in store.incidents(engine)}  # one click closes nothing
    assert _asked(at) == [t("ask_close_incident", name="Banjir Dayeuhkolot")]
    _button(at, t("confirm_no")).click().run()
    assert not _asked(at) and dayeuhkolot in {i.id for i in store.incidents(engine)}
    _button(at, t("close_incident")).click().run()
    _button(at, t("confirm_yes")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert dayeuhkolot not in {i.id for i in store.incidents(engine)}
    assert at.subheader[0].value == "Banjir Dayeuhkolot"  # still the one just closed
    assert tab_shown(at, "incidents_tab") == t("tab_incident_list")  # tabs stay open
    assert tab_shown(at, "incident_tab") == t("tab_incident_audit")
    assert any(f" · {t('status_incident_closed')} · " in c.value for c in at.caption)


def test_merging_has_no_target_picked_asks_first_and_stays_on_the_kept_incident(
    open_page, with_demo, database_url
) -> None:
    dayeuhkolot, baleendah = _floods(database_url)
    at = open_page("pages/incidents.py")
    at.session_state["incident_chosen"] = dayeuhkolot
    at.run()
    picker = next(s for s in at.selectbox if s.label == t("merge_other"))
    assert picker.value is None  # nothing merged by a stray click
    picker.set_value(baleendah)
    _button(at, t("merge_incident")).click().run()
    engine = make_engine(database_url)
    assert baleendah in {i.id for i in store.incidents(engine)}
    question = t("ask_merge_incident", other="Banjir Baleendah", name="Banjir Dayeuhkolot")
    assert _asked(at) == [question]
    _button(at, t("confirm_yes")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert baleendah not in {i.id for i in store.incidents(engine)}
    assert store.incident_kecamatan(engine, dayeuhkolot) == (DAYEUHKOLOT, BALEENDAH)
    assert at.subheader[0].value == "Banjir Dayeuhkolot"
    picker = next(s for s in at.selectbox if s.label == t("merge_other"))
    assert picker.value is None  # the training quake is left, and not pre-filled
    assert len(picker.options) == 1


@pytest.mark.parametrize("role", ["viewer", "logistik", "pendata"])
def test_officials_read_the_incidents_of_their_area_from_an_alerts_link(
    with_demo, database_url, monkeypatch, role
) -> None:
    monkeypatch.setenv("CC_AUTH_MODE", "local")
    engine = make_engine(database_url)
    quake = store.incidents(engine)[0]  # the training quake, Kab. Cianjur
    accounts.create_user(engine, SYSTEM, role, "kata-sandi-1", role, "32.03", role)
    at = signed_in(role, page="pages/incidents.py")
    at.query_params["incident"] = str(quake.id)  # the link in the alert they received
    at = at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.subheader[0].value == md(quake.name)
    assert t("incidents_read_only") in [c.value for c in at.caption]
    assert quake.id in _listed(at).index
    assert not at.main.button  # nothing to open, change or close (form buttons included)
    assert t("tab_open_incident") not in [tab.label for tab in at.tabs]
    accounts.create_user(engine, SYSTEM, "bdg", "kata-sandi-1", role, "32.04", "Bandung")
    elsewhere = signed_in("bdg", page="pages/incidents.py")
    elsewhere.query_params["incident"] = str(quake.id)
    elsewhere = elsewhere.run()
    assert t("no_incident") in [i.value for i in elsewhere.info]  # outside their area
    assert quake.id not in _listed(elsewhere).index


def test_kecamatan_are_added_by_name_from_those_not_yet_in_the_area(
    open_page, with_demo, database_url
) -> None:
    dayeuhkolot, _ = _floods(database_url)
    at = open_page("pages/incidents.py")
    at.session_state["incident_chosen"] = dayeuhkolot
    at.run()
    assert at.multiselect(key=f"area_kabupaten_{dayeuhkolot}").value == ["32.04"]  # its own
    add = at.multiselect(key=f"area_add_{dayeuhkolot}")
    assert "Bojongsoang (32.04.08)" in add.options  # by name, the code beside it
    assert not any(DAYEUHKOLOT in o for o in add.options)  # already in the area
    add.set_value([BOJONGSOANG]).run()
    _button(at, t("change_area")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert t("area_changed", n=2) in at.success[0].value
    engine = make_engine(database_url)
    assert store.incident_kecamatan(engine, dayeuhkolot) == (BOJONGSOANG, DAYEUHKOLOT)
    add = at.multiselect(key=f"area_add_{dayeuhkolot}")
    assert add.value == [] and not any(BOJONGSOANG in o for o in add.options)
    removable = at.multiselect(key=f"area_remove_{dayeuhkolot}").options
    assert removable == ["Bojongsoang (32.04.08)", "Dayeuhkolot (32.04.12)"]


def test_a_user_scoped_to_kabupaten_bandung_is_offered_only_its_areas(
    with_demo, database_url, monkeypatch
) -> None:
    monkeypatch.setenv("CC_AUTH_MODE", "local")
    dayeuhkolot, _ = _floods(database_url)
    engine = make_engine(database_url)
    accounts.create_user(
        engine, SYSTEM, "bandung", "kata-sandi-1", "coordinator", "32.04", "Koordinator Bandung"
    )
    at = open_tab(
        signed_in("bandung", page="pages/incidents.py"), "incidents_tab", "tab_open_incident"
    )
    assert at.multiselect(key="open_kabupaten").options == ["Kabupaten Bandung (32.04)"]
    at.multiselect(key="open_kabupaten").set_value(["32.04"]).run()
    opened = area_codes(at.multiselect(key="open_kecamatan").options)
    assert len(opened) > 20 and all(c.startswith("32.04.") for c in opened)
    at.session_state["incident_chosen"] = dayeuhkolot
    at.run()
    assert at.multiselect(key=f"area_kabupaten_{dayeuhkolot}").options == [
        "Kabupaten Bandung (32.04)"
    ]
    added = area_codes(at.multiselect(key=f"area_add_{dayeuhkolot}").options)
    assert added and all(c.startswith("32.04.") for c in added)
    (quake,) = (i for i in store.incidents(engine) if i.kind != "banjir")
    at.session_state["incident_chosen"] = quake.id  # Cianjur's: not theirs to see or change
    at.run()
    assert t("no_incident") in [i.value for i in at.info]
    assert not any((m.key or "").startswith("area_") for m in at.multiselect)


def test_an_incidents_history_is_written_in_words(open_page, with_demo, database_url) -> None:
    """Item 9 of #34: actions and what they changed in words, not `open`/`area`/`banjir`."""
    dayeuhkolot, _ = _floods(database_url)
    incident_store.change_area(make_engine(database_url), dayeuhkolot, SYSTEM, add=[BOJONGSOANG])
    at = open_tab(open_page("pages/incidents.py"), "incidents_tab", "tab_incident_list")
    at.session_state["incident_tab"] = t("tab_incident_audit")
    row = list(_listed(at).index).index(dayeuhkolot)
    at.session_state["incidents_table"] = {"selection": {"rows": [row], "columns": []}}
    at.run()
    assert shown_column(at, t("col_action")) == [t("action_area"), t("action_open")]
    changes = " ".join(shown_column(at, t("col_change")))
    assert f"{t('field_hazard')}: {t('hazard_banjir')}" in changes
    assert not re.search(r"\b(open|area|None)\b|[a-z]+_[a-z]+", changes)
