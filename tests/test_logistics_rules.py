"""The logistics rules: the ledger's invariants under random movements (hypothesis, against the
real store), first expiry first out, the lumbung sosial release rule, needs as written read into
the catalogue with their units, their reconciliation with deliveries, and the cover of needs
against a case computed by hand."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from command_center.base.auth import Principal
from command_center.base.errors import InvalidInput
from command_center.base.times import utcnow
from command_center.services.incidents import PhaseRecord, Region
from command_center.services.logistics import (
    CATALOGUE,
    AidLine,
    Batch,
    NeedLine,
    StockLine,
    WarehouseInput,
    aid_lines,
    cover,
    fefo,
    item_label,
    item_of,
    nearest,
    need_line,
    needs_by_item,
    reconcile,
    release_refusal,
)
from command_center.stores import common as store
from command_center.stores import incidents as incident_store
from command_center.stores import logistics as logistics_store
from command_center.stores.incidents import NewIncident
from command_center.stores.logistics import DispatchRequest, Line

ADMIN = Principal("Admin", "admin")
TODAY = date(2026, 12, 3)
ITEMS = ("selimut", "beras")
BATCHES = ("A2022", "A2023", "B2024")

operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("receive"),
            st.integers(0, 1),
            st.sampled_from(ITEMS),
            st.sampled_from(BATCHES),
            st.integers(1, 50),
        ),
        st.tuples(
            st.just("dispatch"), st.integers(0, 1), st.sampled_from(ITEMS), st.integers(1, 80)
        ),
        st.tuples(
            st.just("adjust"),
            st.integers(0, 1),
            st.sampled_from(ITEMS),
            st.sampled_from(BATCHES),
            st.integers(-40, 40).filter(bool),
        ),
        st.tuples(
            st.just("transfer"), st.integers(0, 1), st.sampled_from(ITEMS), st.integers(1, 60)
        ),
    ),
    min_size=1,
    max_size=12,
)


def _incident(engine: Engine) -> int:
    found = [i.id for i in store.incidents(engine) if i.name == "Banjir uji"]
    if found:
        return found[0]
    entry = NewIncident("banjir", "Banjir uji", ("32.03.11",), utcnow())
    return incident_store.incident_id(engine, incident_store.open_incident(engine, entry, ADMIN))


def _warehouse(engine: Engine) -> int:
    values = {
        "name": f"Gudang {uuid.uuid4().hex[:8]}",
        "kind": "kabupaten",
        "kecamatan_code": "32.03.01",
    }
    return logistics_store.create_warehouse(engine, WarehouseInput.check(values), ADMIN)


def _apply(model: dict, op: tuple, ids: list[int], engine: Engine, incident: int) -> None:
    """Do `op` on the store and on the model; a refusal must leave both as they were."""
    kind, which, item = op[0], ids[op[1]], op[2]
    mine = {b: q for (w, i, b), q in model.items() if w == which and i == item}
    on_hand = sum(mine.values())
    if kind == "receive":
        line = StockLine.check({"item": item, "batch": op[3], "quantity": op[4]})
        logistics_store.receive(engine, which, [line], "Kemensos", None, ADMIN)
        model[(which, item, op[3])] = model.get((which, item, op[3]), 0) + op[4]
        return
    if kind == "adjust":
        batch, delta = op[3], op[4]
        call = lambda: logistics_store.adjust(  # noqa: E731
            engine, which, item, batch, delta, "counted", None, ADMIN
        )
        allowed, plan = mine.get(batch, 0) + delta >= 0, [(batch, -delta)]
    else:
        quantity = op[3]
        allowed = quantity <= on_hand
        plan = fefo([Batch(b, q, None) for b, q in mine.items()], quantity)
        if kind == "dispatch":
            request = DispatchRequest(incident, which, [Line(item, quantity)], "32.03.11")
            call = lambda: logistics_store.dispatch(engine, request, ADMIN)  # noqa: E731
        else:
            other = ids[1 - op[1]]
            call = lambda: logistics_store.transfer(  # noqa: E731
                engine, which, other, [Line(item, quantity)], None, ADMIN
            )
            for batch, taken in plan if allowed else ():
                model[(other, item, batch)] = model.get((other, item, batch), 0) + taken
    if not allowed:
        with pytest.raises(InvalidInput):
            call()
        return
    call()
    for batch, taken in plan:
        model[(which, item, batch)] = model.get((which, item, batch), 0) - taken


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_the_balance_is_the_sum_of_movements_and_never_negative(area_engine: Engine, ops) -> None:
    incident = _incident(area_engine)
    ids = [_warehouse(area_engine), _warehouse(area_engine)]
    model: dict[tuple[int, str, str], int] = {}
    for op in ops:
        _apply(model, op, ids, area_engine, incident)
        held = logistics_store.stock(area_engine)
        held = held[held["warehouse_id"].isin(ids)]
        assert (held["on_hand"] >= 0).all()
        found = {(int(r.warehouse_id), r.item, r.batch): int(r.on_hand) for r in held.itertuples()}
        assert found == {k: q for k, q in model.items() if q}, op
    ledger = logistics_store.movements(area_engine, limit=10**6)
    ledger = ledger[ledger["warehouse_id"].isin(ids)]
    sums = ledger.groupby(["warehouse_id", "item", "batch"])["quantity"].sum()
    assert {k: int(v) for k, v in sums.items() if v} == {k: q for k, q in model.items() if q}


def test_first_expiry_first_out() -> None:
    batches = [
        Batch("C2024", 100, TODAY + timedelta(300)),
        Batch("tanpa tanggal", 50, None),
        Batch("C2022", 30, TODAY + timedelta(10)),
        Batch("C2023", 0, TODAY + timedelta(5)),
    ]
    assert fefo(batches, 50) == [("C2022", 30), ("C2024", 20)]
    assert fefo(batches, 170) == [("C2022", 30), ("C2024", 100), ("tanpa tanggal", 40)]
    assert fefo(batches, 500)[-1] == ("tanpa tanggal", 50)  # all there is


def _decree(
    phase: str, authority: str, starts: int, ends: int | None = None, by: str | None = "Kedua"
) -> PhaseRecord:
    """A decree `by` whoever confirmed it (None: waiting for a second person)."""
    end = None if ends is None else TODAY + timedelta(ends)
    start = TODAY + timedelta(starts)
    return PhaseRecord(phase, "360/1/BPBD/2026", authority, start, end, confirmed_by=by)


CIANJUR = Region("Kabupaten Cianjur", "Jawa Barat")


@pytest.mark.parametrize(
    ("kind", "kecamatan", "phases", "refusal"),
    [
        ("gudang_kabupaten", ("32.04.12",), [], None),
        (
            "lumbung_sosial",
            ("32.04.12",),
            [_decree("tanggap_darurat", "Bupati Cianjur", -1)],
            "release_outside_area",
        ),
        ("lumbung_sosial", ("32.03.11",), [], "release_no_decree"),
        (
            "lumbung_sosial",
            ("32.03.11",),
            [_decree("tanggap_darurat", "Bupati Cianjur", 1)],
            "release_no_decree",
        ),
        (
            "lumbung_sosial",
            ("32.03.11",),
            [_decree("tanggap_darurat", "Bupati Cianjur", -9, -1)],
            "release_no_decree",
        ),
        (
            "lumbung_sosial",
            ("32.03.11",),
            [_decree("transisi_darurat", "Bupati Cianjur", -1)],
            "release_no_decree",
        ),
        (
            "lumbung_sosial",
            ("32.03.11",),
            [_decree("tanggap_darurat", "Bupati Cianjur", -1, by=None)],
            "release_decree_unconfirmed",
        ),
        (  # an unconfirmed extension does not end the confirmed decree before it
            "lumbung_sosial",
            ("32.03.11",),
            [
                _decree("siaga_darurat", "Bupati Cianjur", -3, 2),
                _decree("tanggap_darurat", "Bupati Cianjur", 0, by=None),
            ],
            None,
        ),
        (
            "lumbung_sosial",
            ("32.03.11",),
            [_decree("siaga_darurat", "Kepala BPBD", -1)],
            "release_decree_authority",
        ),
        (
            "lumbung_sosial",
            ("32.03.11",),
            [_decree("siaga_darurat", "bukan bupati", -1)],
            "release_decree_authority",
        ),
        (  # the head of another kabupaten
            "lumbung_sosial",
            ("32.03.11",),
            [_decree("tanggap_darurat", "Bupati Sukabumi", -1)],
            "release_decree_authority",
        ),
        (
            "lumbung_sosial",
            ("32.03.11",),
            [_decree("tanggap_darurat", "Wali Kota Bandung", 0)],
            "release_decree_authority",
        ),
        (
            "lumbung_sosial",
            ("32.03.11",),
            [_decree("tanggap_darurat", "Gubernur Jawa Tengah", 0)],
            "release_decree_authority",
        ),
        (
            "lumbung_sosial",
            ("32.03.11",),
            [_decree("siaga_darurat", "Pj. Bupati Cianjur", -1)],
            None,
        ),
        (
            "lumbung_sosial",
            ("32.03.11",),
            [_decree("tanggap_darurat", "Gubernur Jawa Barat", 0, 3)],
            None,
        ),
        (
            "lumbung_sosial",
            ("32.03.11",),
            [_decree("tanggap_darurat", "Presiden Republik Indonesia", 0)],
            None,
        ),
    ],
)
def test_a_lumbung_sosial_releases_only_under_a_confirmed_decree_of_its_regions_head(
    kind, kecamatan, phases, refusal
) -> None:
    found = release_refusal(kind, "32.03", CIANJUR, kecamatan, phases, TODAY)
    assert (found[0] if found else None) == refusal


def test_cover_against_a_case_computed_by_hand() -> None:
    """200 displaced in 50 families; the consumption rules of `services.logistics.RULES`."""
    lines = cover(
        [
            AidLine("selimut", "lembar", 200, 120, 30, reported=False),
            AidLine("perahu karet", "", 2, 0, 0, reported=False),
            AidLine("air_mineral", "dus", 500, 0, 0, reported=False),
        ],
        stock={
            "makanan_siap_saji": 1500,
            "beras": 80,
            "lauk_pauk": 100,
            "selimut": 20,
            "family_kit": 60,
            "air_mineral": 900,
        },
        people=200,
        families=50,
    )
    got = [(c.item, c.unit, c.days, c.short) for c in lines]
    assert got == [
        ("beras", "kg", 1.0, 0),  # 80 kg / (0,4 kg x 200 people)
        ("air_mineral", "liter", 1.8, 0),  # 900 liter / (2,5 liter x 200 people)
        ("lauk_pauk", "paket", 2.0, 0),  # 100 / (1 x 50 families)
        ("makanan_siap_saji", "paket", 2.5, 0),  # 1.500 / (3 x 200)
        ("selimut", "lembar", None, 30),  # 200 needed - 120 delivered - 30 on the way - 20 held
        ("air_mineral", "dus", None, 0),  # dus are no litres: no stock, no rule against them
        ("family_kit", "paket", None, 0),  # 50 families, 60 in stock
        ("perahu karet", "", None, 0),  # a need outside the catalogue: shown, no rule
    ]
    selimut, dus = lines[4], lines[5]
    assert (selimut.needed, selimut.delivered, selimut.in_transit) == (200, 120, 30)
    assert (dus.needed, dus.stock) == (500, 0)
    families_from_people = cover([], {"lauk_pauk": 100}, people=200)
    assert families_from_people[0].days == 2.0  # 200 people make 50 families of four


@pytest.mark.parametrize(
    ("words", "qty", "unit", "line"),
    [
        ("Selimut", 300, None, ("selimut", 300, "lembar")),  # no unit: the item's own
        ("  TERPAL ", 5, "lembar", ("tenda_gulung", 5, "lembar")),
        ("Kasur", 10, "pcs", ("matras", 10, "lembar")),  # pieces of a sheet item are sheets
        ("tenda", 4, "Unit", ("tenda_keluarga", 4, "buah")),
        ("beras", 2, "ton", ("beras", 2000, "kg")),  # the catalogue's exact conversions
        ("Beras", 3, "kwintal", ("beras", 300, "kg")),
        ("beras", 2, "kilo", ("beras", 2, "kg")),
        ("beras", 4, "karung", ("beras", 4, "karung")),  # a karung is no exact weight
        ("Air Mineral", 500, "dus", ("air_mineral", 500, "dus")),  # nor is a dus of water
        ("air minum", 20, "galon", ("air_mineral", 20, "galon")),
        ("air bersih", 480, "ltr.", ("air_mineral", 480, "liter")),
        ("air bersih (liter)", 15, None, ("air_mineral", 15, "liter")),  # a unit in brackets
        ("sembako (paket)", 100, None, ("sembako", 100, "paket")),
        ("Perahu  Karet", 1, None, ("perahu karet", 1, "")),  # outside the catalogue: its words
        ("genset", 2, "UNIT", ("genset", 2, "unit")),
        ("makanan_siap_saji", 4, "ikat", ("makanan_siap_saji", 4, "ikat")),  # unknown: as written
        ("popok bayi", None, None, ("popok bayi", None, "")),  # named without a quantity
    ],
)
def test_a_need_as_written_is_read_into_the_catalogue_with_its_unit(words, qty, unit, line) -> None:
    assert need_line(words, qty, unit) == NeedLine(*line)
    assert need_line(*line) == NeedLine(*line)  # what is stored reads back as itself


def test_every_catalogue_item_is_read_back_from_its_name_in_words() -> None:
    for code, item in CATALOGUE.items():
        assert need_line(item_label(code), 1, None) == NeedLine(code, 1, item.unit)
    assert item_of("Makanan Siap Saji (paket)") == "makanan_siap_saji"
    assert item_of("perahu karet") is None


def test_needs_are_summed_per_item_and_unit_never_across_units() -> None:
    needs = [
        {"item": "Selimut", "qty": 10},
        {"item": "selimut ", "qty": 5, "unit": "lembar"},
        {"item": "Perahu  Karet", "qty": 1},
        {"item": "air mineral", "qty": 500, "unit": "dus"},
        {"item": "Air Minum", "qty": 480, "unit": "liter"},
        {"item": "beras", "qty": 1, "unit": "ton"},
        {"item": "beras (kg)", "qty": 250},
    ]
    assert needs_by_item(needs) == {
        ("selimut", "lembar"): 15,
        ("perahu karet", ""): 1,
        ("air_mineral", "dus"): 500,
        ("air_mineral", "liter"): 480,
        ("beras", "kg"): 1250,
    }


def _dispatch_lines(*lines: tuple[str, str, str, int, int | None]) -> pd.DataFrame:
    """Ledger lines as `logistics_store.dispatches` gives them: kecamatan, item, status, sent,
    received."""
    columns = ["kecamatan_code", "item", "status", "sent", "received_quantity"]
    return pd.DataFrame(list(lines), columns=columns)


def test_needs_and_deliveries_are_reconciled_into_one_figure_per_item_and_unit() -> None:
    reports = pd.DataFrame(
        {
            "kecamatan_code": ["32.04.12", "32.04.13"],
            "needs": [
                [
                    {"item": "air mineral", "qty": 500, "unit": "dus"},
                    {"item": "selimut", "qty": 300},
                ],
                [{"item": "Selimut", "qty": 100, "unit": "lembar"}],
            ],
            "aid_delivered": [  # the posko's own counts
                [
                    {"item": "selimut", "qty": 250},
                    {"item": "air mineral", "qty": 40, "unit": "dus"},
                ],
                [{"item": "sembako", "qty": 60, "unit": "paket"}],
            ],
        }
    )
    ledger = _dispatch_lines(
        ("32.04.12", "selimut", "received", 300, 300),
        ("32.04.12", "air_mineral", "received", 480, 480),
        ("32.04.13", "selimut", "in_transit", 100, None),
    )
    lines = aid_lines(reconcile(reports, ledger))
    assert lines == [
        AidLine("air_mineral", "dus", 500, 0, 0, reported=False),  # never 500 against 480 litres
        AidLine("selimut", "lembar", 400, 300, 100, reported=False),  # the ledger's, not 250
        AidLine("sembako", "paket", 0, 60, 0, reported=True),  # not in the ledger: the posko's
        AidLine("air_mineral", "liter", 0, 480, 0, reported=False),
    ]
    assert aid_lines(reconcile(reports.iloc[:0], ledger.iloc[:0])) == []


def test_the_nearest_warehouses_are_those_within_the_radius() -> None:
    warehouses = [(1, -6.82, 107.14), (2, -6.92, 107.60), (3, None, None), (4, -8.65, 115.22)]
    assert nearest(warehouses, -6.80, 107.07, 100) == [1, 2]  # Cianjur, Bandung; not Bali
    assert nearest(warehouses, -6.80, 107.07, 5) == [1]  # none that close: the nearest
