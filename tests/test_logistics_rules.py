"""The logistics rules: the ledger's invariants under random movements (hypothesis, against the
real store), first expiry first out, the lumbung sosial release rule, and the cover of needs
against a case computed by hand."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from command_center import incident_store, logistics_store, store
from command_center.auth import Principal
from command_center.errors import InvalidInput
from command_center.incident_store import NewIncident
from command_center.logistics_store import DispatchRequest, Line
from command_center.services.incidents import PhaseRecord, Region
from command_center.services.logistics import (
    Batch,
    StockLine,
    WarehouseInput,
    cover,
    fefo,
    item_of,
    nearest,
    needs_by_item,
    release_refusal,
)
from command_center.times import utcnow

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
        needs={"selimut": 200, "perahu karet": 2},
        delivered={"selimut": 120},
        in_transit={"selimut": 30},
        stock={
            "makanan_siap_saji": 1500,
            "beras": 80,
            "lauk_pauk": 100,
            "selimut": 20,
            "family_kit": 60,
        },
        people=200,
        families=50,
    )
    got = [(c.item, c.days, c.short) for c in lines]
    assert got == [
        ("beras", 1.0, 0),  # 80 kg / (0,4 kg x 200 people)
        ("lauk_pauk", 2.0, 0),  # 100 / (1 x 50 families)
        ("makanan_siap_saji", 2.5, 0),  # 1.500 / (3 x 200)
        ("selimut", None, 30),  # 200 needed - 120 delivered - 30 on the way - 20 in stock
        ("family_kit", None, 0),  # 50 families, 60 in stock
        ("perahu karet", None, 0),  # a need outside the catalogue: shown, no rule
    ]
    assert lines[3].needed == 200 and lines[3].delivered == 120 and lines[3].in_transit == 30
    families_from_people = cover({}, {}, {}, {"lauk_pauk": 100}, people=200)
    assert families_from_people[0].days == 2.0  # 200 people make 50 families of four


def test_needs_as_written_are_read_as_catalogue_items() -> None:
    assert item_of("Makanan Siap Saji (paket)") == "makanan_siap_saji"
    assert item_of("  TERPAL ") == "tenda_gulung"
    assert item_of("perahu karet") is None
    needs = [
        {"item": "Selimut", "qty": 10},
        {"item": "selimut ", "qty": 5},
        {"item": "Perahu  Karet", "qty": 1},
    ]
    assert needs_by_item(needs) == {"selimut": 15, "perahu karet": 1}


def test_the_nearest_warehouses_are_those_within_the_radius() -> None:
    warehouses = [(1, -6.82, 107.14), (2, -6.92, 107.60), (3, None, None), (4, -8.65, 115.22)]
    assert nearest(warehouses, -6.80, 107.07, 100) == [1, 2]  # Cianjur, Bandung; not Bali
    assert nearest(warehouses, -6.80, 107.07, 5) == [1]  # none that close: the nearest
