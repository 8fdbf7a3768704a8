"""The incidents page in the real app (AppTest): open a flood, change its area, set tanggap
darurat, close it; filters and the list."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from command_center import accounts, incident_store, store
from command_center.auth import SYSTEM, Principal
from command_center.db import make_engine
from command_center.labels import t
from command_center.logistics_store import local_today
from command_center.ui.messages import md
from tests.conftest import signed_in

DAYEUHKOLOT, BALEENDAH, BOJONGSOANG = "32.04.12", "32.04.32", "32.04.08"


def _listed(at):
    """The incidents list (the table with a status column)."""
    return next(d.value for d in at.dataframe if t("col_status") in d.value.columns)


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_an_operator_opens_a_flood_changes_its_area_sets_its_phase_and_closes_it(
    open_page, with_demo, database_url
) -> None:
    at = open_page("pages/incidents.py")
    at.selectbox(key="open_hazard").set_value("banjir").run()
    at.multiselect(key="open_kabupaten").set_value(["32.04"]).run()
    at.multiselect(key="open_kecamatan").set_value([DAYEUHKOLOT, BALEENDAH]).run()
    name = next(i for i in at.text_input if i.label == t("field_name"))
    assert name.value.startswith("Banjir Kabupaten Bandung ")  # suggested
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

    add = next(i for i in at.text_input if i.label == t("field_add"))
    add.input(BOJONGSOANG)
    _button(at, t("change_area")).click().run()
    assert t("area_changed", n=3) in at.success[0].value
    assert store.incident_kecamatan(engine, flood.id) == (BOJONGSOANG, DAYEUHKOLOT, BALEENDAH)

    next(i for i in at.text_input if i.label == t("field_decree")).input("360/Kep.12-BPBD/2026")
    next(i for i in at.text_input if i.label == t("field_authority")).input("Bupati Bandung")
    _button(at, t("set_phase")).click().run()
    assert t("phase_set") in at.success[0].value
    assert any(m.value.startswith("**Hari ke\\-1 tanggap darurat") for m in at.markdown)

    next(i for i in at.text_area if i.label == t("field_description")).input("Citarum meluap")
    _button(at, t("save")).click().run()
    assert t("incident_saved") in at.success[0].value

    _button(at, t("close_incident")).click().run()
    assert not at.exception
    assert t("incident_closed", number=1) in at.success[0].value
    assert all(i.id != flood.id for i in store.incidents(engine))
    at.multiselect(key="incidents_status").set_value(["closed"]).run()  # still listed
    assert list(_listed(at)[t("col_status")]) == [t("status_incident_closed")]
    assert at.get("download_button")  # and exportable


def test_closing_with_teams_deployed_names_them_and_the_list_filters(open_page, with_demo) -> None:
    at = open_page("pages/incidents.py")
    table = _listed(at)
    assert list(table[t("field_hazard")]) == ["Gempa bumi"]
    at.multiselect(key="incidents_hazard").set_value(["banjir"]).run()
    assert _listed(at).empty
    at.multiselect(key="incidents_hazard").set_value([]).run()
    at.session_state["incident_chosen"] = int(table.index[0])
    at.run()
    figures = next(d.value for d in at.dataframe if t("deaths") in d.value.columns)
    assert len(figures) == 15 and "Cugenang" in set(figures[t("col_kecamatan")])  # its reports
    _button(at, t("close_incident")).click().run()
    assert "Tagana Kab\\. Cianjur 1 \\(Latihan\\)" in at.error[0].value


def _coordinator(database_url, username: str, name: str) -> AppTest:
    """The incidents page signed in as a Cianjur coordinator, the training quake open."""
    engine = make_engine(database_url)
    accounts.create_user(engine, SYSTEM, username, "kata-sandi-1", "coordinator", "32.03", name)
    at = signed_in(username, page="pages/incidents.py")
    at.session_state["incident_chosen"] = store.incidents(engine)[0].id
    at = at.run()
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
