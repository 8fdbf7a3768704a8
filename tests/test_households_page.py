"""Data KK Terdampak in the real app (AppTest): closed without a key, masked for operators,
opened with a reason for data officers (and audited), the form with its duplicate offer, and
the count panel of the incident view."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from command_center.adapters import households as households_adapter
from command_center.base import pdp
from command_center.base.auth import SYSTEM, Principal
from command_center.base.db import make_engine
from command_center.base.errors import Forbidden
from command_center.base.labels import t
from command_center.base.models import AuditEntry
from command_center.base.pdp import Vault
from command_center.services.households import HouseholdInput
from command_center.services.reports import counted
from command_center.stores import accounts
from command_center.stores import common as store
from command_center.stores import households as household_store
from command_center.stores import reports as report_store
from tests.conftest import open_tab, signed_in
from tests.households import KEY, family

PAGE = "pages/households.py"
QUAKE = "LATIHAN Gempa M5,6 Kabupaten Cianjur"


def _quake(database_url: str) -> int:
    return next(i.id for i in store.incidents(make_engine(database_url)) if i.name == QUAKE)


@pytest.fixture
def families(with_demo, database_url) -> list[dict]:
    """Two families of the earthquake in Cugenang, registered by a TKSK."""
    engine = make_engine(database_url)
    registered = [family(), family(serial=2, desa="Benjot")]
    for values in registered:
        household_store.save_household(
            engine, Vault(KEY), _quake(database_url), HouseholdInput.check(values), SYSTEM
        )
    engine.dispose()
    return registered


def _everything(at: AppTest) -> str:
    """All the page shows: text, tables, metrics, messages."""
    parts = [
        e.value
        for kind in (at.markdown, at.caption, at.success, at.error, at.warning, at.info)
        for e in kind
    ]
    parts += [e.value.to_csv() for e in at.dataframe]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(map(str, parts))


def _signed_in(database_url, monkeypatch, role: str, scope: str | None = "32.03") -> AppTest:
    monkeypatch.setenv("CC_AUTH_MODE", "local")
    engine = make_engine(database_url)
    accounts.create_user(engine, SYSTEM, role, "kata-sandi-1", role, scope, f"Petugas {role}")
    at = signed_in(role, page=PAGE)
    at.selectbox(key="households_incident").set_value(_quake(database_url))
    at = at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_without_a_key_the_page_says_what_is_missing_and_how_to_make_one(
    open_page, with_demo, monkeypatch
) -> None:
    monkeypatch.delenv("CC_PDP_KEY")
    at = open_page(PAGE)
    assert "CC_PDP_KEY" in at.error[0].value
    assert "command-center households key" in at.code[0].value
    assert not at.selectbox  # nothing of the module runs


def test_with_another_key_than_the_stores_the_page_stays_closed_and_names_both(
    open_page, families, monkeypatch
) -> None:
    other = pdp.new_key()
    monkeypatch.setenv("CC_PDP_KEY", other)
    at = open_page(PAGE)
    assert Vault(KEY).check_value in at.error[0].value
    assert Vault(other).check_value in at.error[0].value
    assert not at.selectbox  # nothing of the module runs: nothing is sealed with that key


def test_an_operator_sees_counts_and_masked_families_never_a_nik_or_name(
    families, database_url, monkeypatch
) -> None:
    at = _signed_in(database_url, monkeypatch, "operator")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("count_families")] == "2" and metrics[t("count_deaths")] == "2"
    at.selectbox(key="households_pick").set_value(at.selectbox(key="households_pick").options[1])
    at = at.run()
    shown = _everything(at)
    assert "•" * 13 in shown  # the last three digits only: no region, no birth date
    for values in families:
        assert values["kk"] not in shown and values["kk"][:6] not in shown
        for person in values["members"]:
            assert person["nik"] not in shown and person["name"] not in shown
            assert person["birth_date"].isoformat() not in shown  # an age band instead
    assert t("col_age") in shown and "18-59" in shown
    assert t("masked_for_you") in shown
    assert not [b for b in at.button if b.label == t("reveal")]


@pytest.mark.parametrize("role", ["viewer", "coordinator", "logistik"])
def test_roles_that_see_counts_get_counts_and_no_list(
    families, database_url, monkeypatch, role
) -> None:
    at = _signed_in(database_url, monkeypatch, role)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("count_families")] == "2"
    tabs = {tab.label for tab in at.tabs}
    assert t("tab_register") not in tabs and t("tab_household_form") not in tabs
    assert t("tab_review") not in tabs
    for tab in tabs:
        at.session_state["households_tab"] = tab
        at = at.run()
        assert not at.exception, (tab, [e.message for e in at.exception])
        shown = _everything(at)
        assert "•" * 13 not in shown and "A••• S•••" not in shown  # no masked list either
    with pytest.raises(Forbidden):
        households_adapter.load_members(_quake(database_url), 1, Principal("x", role), "id")


def test_a_data_officer_opens_a_family_with_a_reason_and_it_is_audited(
    families, database_url, monkeypatch
) -> None:
    at = _signed_in(database_url, monkeypatch, "pendata")
    picker = at.selectbox(key="households_pick")
    at = picker.set_value(picker.options[1]).run()
    reason = next(ti for ti in at.text_input if ti.label == t("why_open"))
    reason.input("verifikasi ahli waris")
    at = next(b for b in at.button if b.label == t("reveal")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    shown = _everything(at)
    opened = families[1]  # the register is sorted by kecamatan and desa: Benjot first
    assert opened["members"][1]["nik"] in shown and "Euis Komariah" in shown
    with Session(make_engine(database_url)) as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "view_pii")).one()
    assert (audit.actor, audit.after["why"]) == ("Petugas pendata", "verifikasi ahli waris")


def test_the_form_registers_a_family_person_by_person_and_offers_to_merge_a_duplicate(
    open_page, with_demo, database_url
) -> None:
    at = open_page(PAGE)
    at.selectbox(key="households_incident").set_value(_quake(database_url))
    at.session_state["households_tab"] = t("tab_household_form")
    at = at.run()
    values = family()
    at.text_input(key="household_kk").input(values["kk"])
    at.selectbox(key="household_kecamatan").set_value("32.03.11")
    at.text_input(key="household_desa").input("Sarampad")
    at.selectbox(key="household_damage").set_value("berat")
    for person in values["members"][:2]:
        at.text_input(key="household_member_nik").input(person["nik"])
        at.text_input(key="household_member_name").input(person["name"])
        at.radio(key="household_member_sex").set_value(person["sex"])
        at.date_input(key="household_member_born").set_value(person["birth_date"])
        relation = "kepala_keluarga" if person["relation"] == "kepala keluarga" else "istri"
        at.selectbox(key="household_member_relation").set_value(relation)
        at = at.button(key="household_member_add").click().run()
    at = at.button(key="household_save").click().run()
    assert not at.exception, [e.message for e in at.exception]
    engine = make_engine(database_url)
    assert len(household_store.members(engine, _quake(database_url))) == 2
    # the same KK again (another reporter): refused, named, and offered for merging
    at.text_input(key="household_kk").input(values["kk"])
    at.text_input(key="household_desa").input("Sarampad")
    child = values["members"][2]
    at.text_input(key="household_member_nik").input(child["nik"])
    at.text_input(key="household_member_name").input(child["name"])
    at.radio(key="household_member_sex").set_value("P")
    at.date_input(key="household_member_born").set_value(child["birth_date"])
    at.selectbox(key="household_member_relation").set_value("kepala_keluarga")
    at = at.button(key="household_member_add").click().run()
    at = at.button(key="household_save").click().run()
    assert t("merge_household") in {b.label for b in at.button}
    assert any("sudah didata" in w.value for w in at.warning)
    at = at.button(key="household_merge_button").click().run()
    assert not at.exception, [e.message for e in at.exception]
    # a person more changes what the family is paid: it waits for a second person
    assert t("household_waiting") in [s.value for s in at.success]
    assert len(household_store.members(engine, _quake(database_url))) == 2
    assert len(household_store.households(engine, _quake(database_url))) == 1


def test_a_data_officer_reviews_a_waiting_change_side_by_side_and_accepts_it(
    families, database_url, monkeypatch
) -> None:
    engine = make_engine(database_url)
    moved = family(payout="BANK LAIN 9999-0000-1111")
    tksk = Principal("TKSK Cugenang", "operator", "32.03")
    entry = HouseholdInput.check(moved)
    saved = household_store.save_household(engine, Vault(KEY), _quake(database_url), entry, tksk)
    assert saved.household_id is None and saved.waiting  # an operator's duplicate
    at = _signed_in(database_url, monkeypatch, "pendata")
    assert t("changes_waiting", n=1) in _everything(at)
    at.session_state["households_tab"] = t("tab_review")
    at = at.run()
    queue = at.dataframe[0].value
    assert queue[t("col_kk")].tolist() == ["•" * 13 + moved["kk"][-3:]]
    assert queue[t("col_proposed_by")].tolist() == ["TKSK Cugenang"]
    at = at.selectbox(key="households_change").set_value(saved.waiting).run()
    assert "BANK LAIN" not in _everything(at)  # in clear only once opened (audited)
    at = at.button(key="households_change_open").click().run()
    rows = at.dataframe[1].value.set_index(t("col_field"))
    payout = rows.loc[t("field_payout")]
    assert (payout[t("col_before")], payout[t("col_after")]) == (
        family()["payout"],
        "BANK LAIN 9999-0000-1111",
    )
    assert payout[t("col_payment_relevant")] == t("yes")
    at = next(b for b in at.button if b.label == t("accept_change")).click().run()
    assert t("check_first") in [e.value for e in at.error]  # not on one click
    at.checkbox[0].check()
    at = next(b for b in at.button if b.label == t("accept_change")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert t("change_accepted") in [s.value for s in at.success]
    clear = household_store.reveal(engine, Vault(KEY), 1, SYSTEM, "cek hasil tinjauan")
    assert clear["payout"] == "BANK LAIN 9999-0000-1111"


def test_a_bad_nik_in_the_form_is_named_in_words(open_page, with_demo, database_url) -> None:
    at = open_page(PAGE)
    at.selectbox(key="households_incident").set_value(_quake(database_url))
    at.session_state["households_tab"] = t("tab_household_form")
    at = at.run()
    values = family()
    at.text_input(key="household_kk").input(values["kk"])
    at.text_input(key="household_desa").input("Sarampad")
    head = values["members"][0]
    at.text_input(key="household_member_nik").input(head["nik"])
    at.text_input(key="household_member_name").input(head["name"])
    at.radio(key="household_member_sex").set_value("P")  # the NIK says a man
    at.date_input(key="household_member_born").set_value(head["birth_date"])
    at = at.button(key="household_member_add").click().run()
    at = at.button(key="household_save").click().run()
    assert f"{t('field_members')} 1 · NIK" in at.error[0].value
    assert "jenis kelamin" in at.error[0].value


def test_the_incident_view_shows_household_counts_only(open_page, families, database_url) -> None:
    at = open_page("pages/incidents.py")
    at.session_state["incident_chosen"] = _quake(database_url)
    at = open_tab(at, "incident_tab", "tab_people")  # families counted are with its people
    assert not at.exception, [e.message for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics[t("count_families")], metrics[t("count_people")]) == ("2", "6")
    for tab in ("tab_area", "tab_phases", "tab_people", "tab_incident_audit"):
        shown = _everything(open_tab(at, "incident_tab", tab))
        for person in families[0]["members"]:
            assert person["name"] not in shown and person["nik"] not in shown, tab


def test_assistance_registry_import_and_the_reports_comparison_tabs(
    open_page, families, database_url
) -> None:
    at = open_page(PAGE)
    at.selectbox(key="households_incident").set_value(_quake(database_url))
    at.session_state["households_tab"] = t("tab_assistance")
    at = at.run()
    at = next(b for b in at.button if b.label == t("propose_payments")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    payments = at.dataframe[1].value
    assert len(payments) == 8  # 2 dead, 2 injured, jadup and a family kit per family
    assert "Rp15.000.000" in set(payments[t("col_amount")])
    kks = {family["kk"][-3:] for family in families}
    assert {kk[-3:] for kk in payments[t("col_kk")]} == kks  # each payment's own family
    at.session_state["households_tab"] = t("tab_consistency")
    at = at.run()
    table = at.dataframe[0].value.set_index([t("col_kecamatan"), t("col_figure")])
    row = table.loc[("Cugenang", t("count_deaths"))]
    versions = report_store.all_versions(make_engine(database_url))
    reported = counted(versions[versions["incident_id"] == _quake(database_url)])
    said = int(reported.set_index("kecamatan_code").loc["32.03.11", "deaths"])  # verified
    assert (row[t("col_households_count")], row[t("col_reported")]) == (2, said)
    assert row[t("col_difference")] == said - 2  # the report is ahead of the household list
    for tab in ("tab_registry", "tab_household_import", "tab_register"):
        at.session_state["households_tab"] = t(tab)
        at = at.run()
        assert not at.exception, (tab, [e.message for e in at.exception])


def test_a_hostile_name_opened_in_clear_stays_text(with_demo, database_url, monkeypatch) -> None:
    hostile = family(address="<img src=x onerror=alert(1)> [klik](javascript:alert(1))")
    hostile["members"][0]["name"] = "Asep <script>alert(1)</script> **Ketua**"
    engine = make_engine(database_url)
    household_store.save_household(
        engine, Vault(KEY), _quake(database_url), HouseholdInput.check(hostile), SYSTEM
    )
    at = _signed_in(database_url, monkeypatch, "pendata")
    picker = at.selectbox(key="households_pick")
    at = picker.set_value(picker.options[1]).run()
    next(ti for ti in at.text_input if ti.label == t("why_open")).input("cek alamat")
    at = next(b for b in at.button if b.label == t("reveal")).click().run()
    shown = next(m.value for m in at.markdown if "Asep" in m.value)
    assert "<script>" not in shown and "\\<script\\>" in shown  # escaped: shown as text
    assert "](javascript" not in shown and "\\*\\*Ketua\\*\\*" in shown
