"""The Logistik page as stock staff, operators and officials use it, in the real app (AppTest)
on both training scenarios."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.labels import NO_VALUE, t
from command_center.stores import accounts
from command_center.stores import common as store
from command_center.stores import logistics as logistics_store
from tests.conftest import dawn_in_java, shown_column, signed_in

PAGE = "pages/logistics.py"
QUAKE = "LATIHAN Gempa M5,6 Kabupaten Cianjur"
GUDANG = "Gudang Dinsos Kab. Cianjur (Latihan)"
LUMBUNG = "Lumbung Sosial Cugenang (Latihan)"


def _messages(at: AppTest) -> str:
    return " | ".join(m.value for kind in (at.success, at.error, at.warning, at.info) for m in kind)


def _click(at: AppTest, label: str) -> AppTest:
    at = next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _on_quake(open_page, database_url: str, tab: str = "tab_stock") -> AppTest:
    """The page on the earthquake, with `tab` open (only the open tab runs)."""
    at = open_page(PAGE)
    incident = next(i.id for i in store.incidents(make_engine(database_url)) if i.name == QUAKE)
    at.selectbox(key="logistics_incident").set_value(incident)
    at.session_state["logistics_tab"] = t(tab)
    at = at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _open(at: AppTest, tab: str) -> AppTest:
    at.session_state["logistics_tab"] = t(tab)
    return at.run()


def _warehouse(database_url: str, name: str) -> int:
    table = logistics_store.warehouses(make_engine(database_url))
    return int(table.set_index("name").loc[name, "id"])


def _held(database_url: str, name: str, item: str) -> int:
    stock = logistics_store.stock(make_engine(database_url))
    mine = stock[
        (stock["warehouse_id"] == _warehouse(database_url, name)) & (stock["item"] == item)
    ]
    return int(mine["on_hand"].sum())


def _send(at: AppTest, database_url: str, warehouse: str, item: str, quantity: int) -> AppTest:
    at = _open(at, "tab_dispatch")
    at.selectbox(key="dispatch_warehouse").set_value(_warehouse(database_url, warehouse)).run()
    at.selectbox(key="dispatch_lines_item").set_value(item).run()
    at.number_input(key="dispatch_lines_qty").set_value(quantity).run()
    at = at.button(key="dispatch_lines_add").click().run()
    return _click(at, t("send_dispatch"))


def test_the_demo_shows_stock_shelters_and_what_runs_out_first(
    open_page, with_every_scenario, database_url
) -> None:
    at = _on_quake(open_page, database_url)
    assert GUDANG in set(at.dataframe[0].value[t("col_warehouse")])
    at = _open(at, "tab_shelters")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("shelters_open")] == "2"
    assert metrics[t("in_shelters")] == "2.310"  # 1.450 + 860 in the two posko
    at = _open(at, "tab_cover")
    said = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert said[:3] == [  # what runs out first: 22.144 displaced, 3 meals a day, a matras each
        "- Stok air mineral habis",  # none in the warehouses near Cianjur
        "- Stok makanan siap saji cukup 0\\,1 hari",  # 7.000 / (3 x 22.144)
        "- Matras kurang 21\\.844 lembar",  # 22.144 - 300 in stock
    ], said
    assert any("jiwa di 2 posko" in line for line in said), said


def test_aid_sent_is_in_transit_until_its_receipt_is_recorded(
    open_page, with_every_scenario, database_url
) -> None:
    at = _on_quake(open_page, database_url)
    before = _held(database_url, GUDANG, "selimut")
    at = _send(at, database_url, GUDANG, "selimut", 100)
    assert "SJ-" in _messages(at), _messages(at)
    assert _held(database_url, GUDANG, "selimut") == before - 100

    newest = int(logistics_store.dispatches(make_engine(database_url))["id"].max())
    at = _open(at, "tab_receipts")
    at.selectbox(key="receipt_note_pick").set_value(newest).run()
    at.number_input(key=f"got_{newest}_selimut").set_value(90)  # in the form: sent on submit
    next(w for w in at.text_input if w.label == t("field_received_by")).input("Kades Cibeureum")
    at = _click(at, t("save_receipt_bast"))
    assert "tulis sebabnya" in _messages(at)  # 10 short: a note is required
    at.number_input(key=f"got_{newest}_selimut").set_value(90)
    next(w for w in at.text_input if w.label == t("field_received_by")).input("Kades Cibeureum")
    at.text_area[0].input("10 lembar basah terkena hujan")
    at = _click(at, t("save_receipt_bast"))
    assert t("bast_saved") in _messages(at)
    notes = logistics_store.dispatches(make_engine(database_url)).set_index("id")
    assert notes.loc[newest, "status"] == "received"
    assert notes.loc[newest, "received_quantity"] == 90


def test_more_than_on_hand_is_refused_with_what_is_available(
    open_page, with_every_scenario, database_url
) -> None:
    at = _on_quake(open_page, database_url)
    held = _held(database_url, GUDANG, "tenda_gulung")
    at = _send(at, database_url, GUDANG, "tenda_gulung", held + 1)
    assert f"tersedia hanya {held}" in _messages(at), _messages(at)
    assert _held(database_url, GUDANG, "tenda_gulung") == held


def test_the_lumbung_rule_is_said_on_the_page(open_page, with_every_scenario, database_url) -> None:
    """The earthquake has no emergency decree yet: its lumbung sosial's stock stays put."""
    at = _on_quake(open_page, database_url)
    at = _send(at, database_url, LUMBUNG, "selimut", 10)
    assert "SK status siaga atau tanggap darurat" in _messages(at), _messages(at)
    assert _held(database_url, LUMBUNG, "selimut") == 300


@pytest.fixture
def viewer(with_every_scenario, monkeypatch: pytest.MonkeyPatch, database_url) -> AppTest:
    monkeypatch.setenv("CC_AUTH_MODE", "local")
    engine = make_engine(database_url)
    accounts.create_user(engine, SYSTEM, "pejabat", "kata-sandi-1", "viewer", None, "Bu Pejabat")
    return signed_in("pejabat", page=PAGE)


def test_a_viewer_reads_stock_and_shelters_but_has_no_form(viewer: AppTest) -> None:
    at = viewer
    assert not at.exception, [e.message for e in at.exception]
    assert at.dataframe
    said = " ".join(c.value for c in at.caption)
    assert t("not_yours", what=t("perm_stock")) in said
    for tab in ("tab_dispatch", "tab_receipts", "tab_shelters", "tab_kitchens", "tab_import"):
        at = _open(at, tab)
        assert not at.exception, [e.message for e in at.exception]
        labels = {b.label for b in at.button}
        forms = {t("send_dispatch"), t("save_receipt_bast"), t("save_shelter"), t("add_line")}
        assert not labels & (forms | {t("save_meals"), t("save_kitchen"), t("run_import")}), tab
        if tab == "tab_shelters":
            assert {m.label for m in at.metric} >= {t("shelters_open"), t("in_shelters")}


def test_an_operator_opens_a_shelter_and_records_meals(
    open_page, with_every_scenario, database_url
) -> None:
    at = _on_quake(open_page, database_url, "tab_shelters")
    at.text_input(key="shelter_name_None").input("Posko SDN Sukamulya <b>1</b>")
    at.text_input(key="shelter_code_None").input("32.03.11")
    at.number_input(key="shelter_people_None").set_value(75)
    at.number_input(key="shelter_toddlers_None").set_value(80)
    at = _click(at, t("save_shelter"))
    assert "Balita: lebih besar dari jumlah jiwa: 80" in _messages(at), _messages(at)
    at.number_input(key="shelter_toddlers_None").set_value(9)
    at = _click(at, t("save_shelter"))
    assert t("shelter_saved") in _messages(at)
    shelters = logistics_store.shelters(make_engine(database_url)).set_index("name")
    assert shelters.loc["Posko SDN Sukamulya <b>1</b>", "people"] == 75

    engine = make_engine(database_url)
    kitchen = "Dapur Umum Cugenang (Latihan)"
    before = logistics_store.meals(engine)
    kitchen_id = int(logistics_store.kitchens(engine).set_index("name").loc[kitchen, "id"])
    dawn = dawn_in_java()  # breakfast counted at 03:00 WIB is the Cianjur day's, not UTC's
    cianjur_day = (dawn + timedelta(hours=7)).date()
    mine = before[(before["kitchen_id"] == kitchen_id) & (before["meal"] == "pagi")]
    replaced = int(mine[mine["day"] == cianjur_day]["portions"].sum())  # a correction
    with time_machine.travel(dawn, tick=True):
        at = _open(at, "tab_kitchens")
        next(w for w in at.number_input if w.label == t("field_portions")).set_value(450)
        at = next(b for b in at.button if b.label == t("save_meals")).click().run()
    assert t("meals_saved") in _messages(at)
    after = logistics_store.meals(engine)
    breakfast = after[(after["kitchen_id"] == kitchen_id) & (after["meal"] == "pagi")]
    assert list(breakfast[breakfast["portions"] == 450]["day"]) == [cianjur_day]
    served = logistics_store.kitchens(engine).set_index("name").loc[kitchen, "portions"]
    assert served == 3 * 2300 - replaced + 450


def test_expiry_dates_are_written_as_days(open_page, with_every_scenario, database_url) -> None:
    """Item 9 of #34: "19 Des 2026" as every table writes a day, not "2026-12-19"."""
    at = _on_quake(open_page, database_url)
    days = [d for d in shown_column(at, t("col_expiry")) if d != NO_VALUE]
    day = r"\d{1,2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des) \d{4}"
    assert days and [d for d in days if not re.fullmatch(day, d)] == []
