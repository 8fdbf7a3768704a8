"""The stock ledger, dispatches and their receipt, the lumbung sosial release rule, shelters and
dapur umum, on a real database (SQLite here, PostgreSQL in CI)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from command_center.base.auth import Principal
from command_center.base.errors import Forbidden, InvalidInput, StaleRecord
from command_center.base.models import AuditEntry, StockMovement
from command_center.base.settings import ImportLimits
from command_center.base.times import utcnow
from command_center.services.logistics import (
    KitchenInput,
    MealsInput,
    ShelterInput,
    StockLine,
    WarehouseInput,
)
from command_center.stores import common as store
from command_center.stores import incidents as incident_store
from command_center.stores import logistics as logistics_store
from command_center.stores.incidents import NewIncident
from command_center.stores.logistics import DispatchRequest, Line

ADMIN = Principal("Admin Pusat", "admin")
GUDANG = Principal("Staf Gudang Cianjur", "logistik", "32.03")
COORDINATOR = Principal("Koordinator Jabar", "coordinator", "32")
VIEWER = Principal("Pejabat", "viewer")
OPERATOR = Principal("Operator Cianjur", "operator", "32.03")
SK = ("tanggap_darurat", "360/12/BPBD/2026", "Bupati Cianjur")


@pytest.fixture
def world(area_engine: Engine) -> dict[str, int]:
    """A flood in two Cianjur kecamatan, a lumbung sosial there, a provincial warehouse."""
    key = incident_store.open_incident(
        area_engine,
        NewIncident("banjir", "Banjir Cianjur", ("32.03.11", "32.03.12"), utcnow()),
        ADMIN,
    )
    incident = next(i.id for i in store.incidents(area_engine) if i.key == key)
    lumbung = logistics_store.create_warehouse(
        area_engine,
        WarehouseInput.check(
            {"name": "Lumbung Sosial Cugenang", "kind": "lumbung", "kecamatan_code": "32.03.11"}
        ),
        ADMIN,
    )
    gudang = logistics_store.create_warehouse(
        area_engine,
        WarehouseInput.check(
            {"name": "Gudang Dinsos Jabar", "kind": "provinsi", "kecamatan_code": "32.73.01"}
        ),
        ADMIN,
    )
    for warehouse in (lumbung, gudang):
        logistics_store.receive(
            area_engine,
            warehouse,
            [
                _line("selimut", "A2023", 100),
                _line("makanan siap saji", "C2022", 40, date.today() + timedelta(30)),
                _line("makanan siap saji", "C2023", 60, date.today() + timedelta(200)),
            ],
            "Kemensos",
            "BAST-01",
            ADMIN,
        )
    return {"incident": incident, "lumbung": lumbung, "gudang": gudang}


def _line(item: str, batch: str, quantity: int, expires: date | None = None) -> StockLine:
    return StockLine.check(
        {"item": item, "batch": batch, "quantity": quantity, "expires_on": expires}
    )


def _held(engine: Engine, warehouse: int) -> dict[tuple[str, str], int]:
    table = logistics_store.stock(engine)
    mine = table[table["warehouse_id"] == warehouse]
    return {(r.item, r.batch): int(r.on_hand) for r in mine.itertuples()}


def _movements(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(StockMovement)) or 0


def _codes(error: InvalidInput) -> list[str]:
    return [e.code for e in error.errors]


def test_a_dispatch_takes_the_first_expiring_batch_and_is_in_transit_until_received(
    area_engine: Engine, world: dict[str, int]
) -> None:
    request = DispatchRequest(
        world["incident"], world["gudang"], [Line("makanan_siap_saji", 50)], "32.03.11"
    )
    sent = logistics_store.dispatch(area_engine, request, COORDINATOR)
    held = _held(area_engine, world["gudang"])
    assert held[("makanan_siap_saji", "C2023")] == 50  # C2022 (expiring first) went first
    assert ("makanan_siap_saji", "C2022") not in held
    notes = logistics_store.dispatches(area_engine)
    assert set(notes["status"]) == {"in_transit"}
    assert notes["sent"].sum() == 50

    with pytest.raises(InvalidInput) as refused:
        logistics_store.confirm_receipt(
            area_engine, sent, "Kades", {"makanan_siap_saji": 48}, "", ADMIN
        )
    assert _codes(refused.value) == ["explain_difference"]
    differences = logistics_store.confirm_receipt(
        area_engine, sent, "Kades Cugenang", {"makanan_siap_saji": 48}, "2 dus basah", ADMIN
    )
    assert differences == {"makanan_siap_saji": 2}
    notes = logistics_store.dispatches(area_engine)
    assert set(notes["status"]) == {"received"}
    assert notes["received_quantity"].sum() == 48
    with pytest.raises(StaleRecord):
        logistics_store.confirm_receipt(
            area_engine, sent, "Lagi", {"makanan_siap_saji": 50}, "", ADMIN
        )


def test_more_than_on_hand_is_refused_with_what_is_available_and_nothing_is_written(
    area_engine: Engine, world: dict[str, int]
) -> None:
    before = _movements(area_engine)
    request = DispatchRequest(
        world["incident"],
        world["gudang"],
        [Line("selimut", 30), Line("makanan_siap_saji", 101)],
        "32.03.12",
    )
    with pytest.raises(InvalidInput) as refused:
        logistics_store.dispatch(area_engine, request, COORDINATOR)
    [error] = refused.value.errors
    assert (error.field, error.code, error.params["available"]) == (
        "lines[1].quantity",
        "out_of_stock",
        100,
    )
    assert _movements(area_engine) == before
    assert logistics_store.dispatches(area_engine).empty


def test_a_lumbung_sosial_releases_only_for_a_declared_emergency_in_its_kabupaten(
    area_engine: Engine, world: dict[str, int]
) -> None:
    request = DispatchRequest(
        world["incident"], world["lumbung"], [Line("selimut", 10)], "32.03.11"
    )
    with pytest.raises(InvalidInput) as refused:
        logistics_store.dispatch(area_engine, request, COORDINATOR)
    assert _codes(refused.value) == ["release_no_decree"]

    incident_store.add_phase(area_engine, world["incident"], ADMIN, *SK, date.today())
    logistics_store.dispatch(area_engine, request, COORDINATOR)  # an admin's decree: at once
    assert _held(area_engine, world["lumbung"])[("selimut", "A2023")] == 90


CUGENANG = "Lumbung Sosial Cugenang (Latihan)"  # the training earthquake's, 300 selimut A2024
CIANJUR_COORDINATOR = Principal("Koordinator Cianjur", "coordinator", "32.03")


def _warehouse(engine: Engine, name: str) -> int:
    return int(logistics_store.warehouses(engine).set_index("name").loc[name, "id"])


def test_a_coordinator_alone_cannot_attest_a_decree_and_empty_a_lumbung(
    demo_engine: Engine,
) -> None:
    """Issue 32, item 3 as reproduced: a coordinator of Cianjur recorded a tanggap darurat
    decree numbered `-` by "bukan bupati" and released the lumbung's 300 blankets."""
    (quake,) = store.incidents(demo_engine)
    lumbung = _warehouse(demo_engine, CUGENANG)
    today = logistics_store.local_today("32.03")
    for decree, authority in (
        ("-", "bukan bupati"),
        ("-", "Bupati Cianjur"),
        ("360/8717/BPBD/2026", "bukan bupati"),
        ("360/8717/BPBD/2026", "Bupati Sukabumi"),  # not the head of Cianjur
    ):
        with pytest.raises(InvalidInput):
            incident_store.add_phase(
                demo_engine,
                quake.id,
                CIANJUR_COORDINATOR,
                "tanggap_darurat",
                decree,
                authority,
                today,
            )
    assert store.phases(demo_engine, quake.id) == []
    blankets = DispatchRequest(quake.id, lumbung, [Line("selimut", 300)], "32.03.11")
    with pytest.raises(InvalidInput) as refused:
        logistics_store.dispatch(demo_engine, blankets, CIANJUR_COORDINATOR)
    assert _codes(refused.value) == ["release_no_decree"]

    decree = incident_store.add_phase(
        demo_engine,
        quake.id,
        CIANJUR_COORDINATOR,
        "tanggap_darurat",
        "360/8717/BPBD/2026",
        "Bupati Cianjur",
        today,
    )
    with pytest.raises(InvalidInput) as refused:
        logistics_store.dispatch(demo_engine, blankets, CIANJUR_COORDINATOR)
    assert _codes(refused.value) == ["release_decree_unconfirmed"]
    with pytest.raises(InvalidInput) as own:
        incident_store.confirm_phase(demo_engine, decree, CIANJUR_COORDINATOR)
    assert _codes(own.value) == ["own_decree"]
    with pytest.raises(Forbidden):  # a coordinator of another kabupaten
        incident_store.confirm_phase(
            demo_engine, decree, Principal("Koordinator Garut", "coordinator", "32.05")
        )
    with pytest.raises(InvalidInput):
        logistics_store.dispatch(demo_engine, blankets, CIANJUR_COORDINATOR)
    assert _held(demo_engine, lumbung)[("selimut", "A2024")] == 300

    second = Principal("Kepala Bidang Linjamsos Cianjur", "coordinator", "32.03")
    incident_store.confirm_phase(demo_engine, decree, second)
    logistics_store.dispatch(demo_engine, blankets, CIANJUR_COORDINATOR)
    assert ("selimut", "A2024") not in _held(demo_engine, lumbung)


def test_a_decree_releases_only_the_lumbung_of_the_region_its_authority_heads(
    area_engine: Engine, world: dict[str, int]
) -> None:
    """Cianjur's bupati decreed for the incident; widened into Sukabumi, it does not release
    Sukabumi's lumbung; the governor's decree releases both."""
    today = logistics_store.local_today("32.03")
    incident_store.add_phase(area_engine, world["incident"], ADMIN, *SK, today - timedelta(1))
    sukabumi = logistics_store.create_warehouse(
        area_engine,
        WarehouseInput.check(
            {"name": "Lumbung Sosial Cisolok", "kind": "lumbung", "kecamatan_code": "32.02.05"}
        ),
        ADMIN,
    )
    logistics_store.receive(
        area_engine, sukabumi, [_line("selimut", "A2023", 50)], "Kemensos", None, ADMIN
    )
    incident_store.change_area(area_engine, world["incident"], ADMIN, add=["32.02.05"])
    request = DispatchRequest(world["incident"], sukabumi, [Line("selimut", 5)], "32.02.05")
    with pytest.raises(InvalidInput) as refused:
        logistics_store.dispatch(area_engine, request, COORDINATOR)
    assert _codes(refused.value) == ["release_decree_authority"]
    assert refused.value.errors[0].params["area"] == "Kabupaten Sukabumi, Jawa Barat"

    governor = ("tanggap_darurat", "362/Kep.51-BPBD/2026", "Gubernur Jawa Barat", today)
    incident_store.add_phase(area_engine, world["incident"], ADMIN, *governor)
    logistics_store.dispatch(area_engine, request, COORDINATOR)
    cianjur = DispatchRequest(world["incident"], world["lumbung"], [Line("selimut", 5)], "32.03.11")
    logistics_store.dispatch(area_engine, cianjur, COORDINATOR)
    assert _held(area_engine, sukabumi)[("selimut", "A2023")] == 45


def test_aid_goes_only_to_a_kecamatan_of_the_incident_and_nothing_is_written_otherwise(
    area_engine: Engine, world: dict[str, int]
) -> None:
    before = (_movements(area_engine), len(store.audit_entries(area_engine, 1000)))
    for outside in ("91.03.01", "32.03.01"):  # Sentani in Papua; Cianjur, but not affected
        request = DispatchRequest(world["incident"], world["gudang"], [Line("selimut", 5)], outside)
        with pytest.raises(InvalidInput) as refused:
            logistics_store.dispatch(area_engine, request, ADMIN)
        [error] = refused.value.errors
        assert (error.field, error.code, error.params["value"]) == (
            "kecamatan_code",
            "dispatch_outside_area",
            outside,
        )
    assert (_movements(area_engine), len(store.audit_entries(area_engine, 1000))) == before
    assert logistics_store.dispatches(area_engine).empty


def test_only_an_admin_overrides_the_release_rule_and_says_why(
    area_engine: Engine, world: dict[str, int]
) -> None:
    reason = "Bupati lisan, SK menyusul"
    request = DispatchRequest(
        world["incident"],
        world["lumbung"],
        [Line("selimut", 5)],
        "32.03.11",
        override_reason=reason,
    )
    with pytest.raises(Forbidden):
        logistics_store.dispatch(area_engine, request, COORDINATOR)
    sent = logistics_store.dispatch(area_engine, request, ADMIN)
    with Session(area_engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "dispatch")).one()
    assert (entry.entity_id, entry.actor) == (str(sent), "Admin Pusat")
    assert entry.after["override"] == reason
    assert entry.after["rule"] == "release_no_decree"


def test_transfers_keep_batches_and_adjustments_need_a_reason_and_stock(
    area_engine: Engine, world: dict[str, int]
) -> None:
    logistics_store.transfer(
        area_engine,
        world["gudang"],
        world["lumbung"],
        [Line("selimut", 40, "A2023")],
        "ST-7",
        ADMIN,
    )
    assert _held(area_engine, world["gudang"])[("selimut", "A2023")] == 60
    assert _held(area_engine, world["lumbung"])[("selimut", "A2023")] == 140
    with pytest.raises(InvalidInput) as refused:
        logistics_store.transfer(
            area_engine, world["lumbung"], world["gudang"], [Line("selimut", 1)], None, ADMIN
        )
    assert _codes(refused.value) == ["lumbung_transfer"]

    logistics_store.adjust(
        area_engine, world["gudang"], "selimut", "A2023", -3, "damaged", "sobek", ADMIN
    )
    with pytest.raises(InvalidInput) as refused:
        logistics_store.adjust(
            area_engine, world["gudang"], "selimut", "A2023", -58, "counted", None, ADMIN
        )
    assert refused.value.errors[0].params["available"] == 57
    with pytest.raises(InvalidInput):
        logistics_store.adjust(
            area_engine, world["gudang"], "selimut", "A2023", 1, "because", None, ADMIN
        )
    assert _held(area_engine, world["gudang"])[("selimut", "A2023")] == 57


def test_expired_food_is_not_dispatched(area_engine: Engine, world: dict[str, int]) -> None:
    logistics_store.receive(
        area_engine,
        world["gudang"],
        [_line("lauk pauk", "L2021", 10, date.today() - timedelta(1))],
        "Kemensos",
        None,
        ADMIN,
    )
    request = DispatchRequest(
        world["incident"], world["gudang"], [Line("lauk_pauk", 1)], "32.03.11"
    )
    with pytest.raises(InvalidInput) as refused:
        logistics_store.dispatch(area_engine, request, ADMIN)
    assert refused.value.errors[0].params["available"] == 0


def test_stock_is_written_only_by_stock_staff_inside_their_area(
    area_engine: Engine, world: dict[str, int]
) -> None:
    line = [_line("selimut", "B2024", 5)]
    for who in (VIEWER, OPERATOR):
        with pytest.raises(Forbidden):
            logistics_store.receive(area_engine, world["lumbung"], line, "Donatur", None, who)
    with pytest.raises(Forbidden):  # the provincial warehouse lies in Kota Bandung (32.73)
        logistics_store.receive(area_engine, world["gudang"], line, "Donatur", None, GUDANG)
    logistics_store.receive(area_engine, world["lumbung"], line, "Donatur", None, GUDANG)
    assert _held(area_engine, world["lumbung"])[("selimut", "B2024")] == 5


def _race(engine: Engine, world: dict[str, int], quantity: int) -> list[object]:
    """Two coordinators press send on the same stock at the same moment."""
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def send(name: str) -> None:
        request = DispatchRequest(
            world["incident"], world["gudang"], [Line("selimut", quantity)], "32.03.11"
        )
        start.wait()
        try:
            outcomes.append(logistics_store.dispatch(engine, request, Principal(name, "admin")))
        except InvalidInput as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_dispatches_at_once_never_take_more_than_there_is(
    area_engine: Engine, world: dict[str, int]
) -> None:
    for _ in range(3):
        outcomes = _race(area_engine, world, 30)  # 100 blankets: 30 + 30 three times fails once
    held = _held(area_engine, world["gudang"]).get(("selimut", "A2023"), 0)
    assert held == 10
    outcomes = _race(area_engine, world, 6)
    refused = [o for o in outcomes if isinstance(o, InvalidInput)]
    assert len(refused) == 1 and refused[0].errors[0].params["available"] == 4
    assert _held(area_engine, world["gudang"])[("selimut", "A2023")] == 4


def test_shelters_dapur_umum_and_meals(area_engine: Engine, world: dict[str, int]) -> None:
    values = {
        "name": "Posko Masjid Al-Ikhlas",
        "kecamatan_code": "32.03.11",
        "people": 120,
        "families": 35,
        "toddlers": 14,
        "elderly": 9,
        "opened_on": date.today(),
    }
    with pytest.raises(InvalidInput) as refused:
        ShelterInput.check({**values, "toddlers": 121})
    assert [(e.field, e.code) for e in refused.value.errors] == [("toddlers", "exceeds_people")]
    shelter = logistics_store.save_shelter(
        area_engine, world["incident"], ShelterInput.check(values), OPERATOR
    )
    row = logistics_store.shelters(area_engine).iloc[0]
    logistics_store.save_shelter(
        area_engine,
        world["incident"],
        ShelterInput.check({**values, "people": 150}),
        OPERATOR,
        shelter,
        int(row.version),
    )
    with pytest.raises(StaleRecord):
        logistics_store.save_shelter(
            area_engine,
            world["incident"],
            ShelterInput.check(values),
            OPERATOR,
            shelter,
            int(row.version),
        )
    assert logistics_store.shelters(area_engine)["people"].tolist() == [150]

    kitchen = logistics_store.save_kitchen(
        area_engine,
        world["incident"],
        KitchenInput.check(
            {"name": "DU Cugenang", "kecamatan_code": "32.03.11", "started_on": date.today()}
        ),
        OPERATOR,
    )
    day = date.today()
    logistics_store.record_meals(
        area_engine,
        kitchen,
        MealsInput.check({"day": day, "meal": "pagi", "portions": 300}),
        OPERATOR,
    )
    logistics_store.record_meals(
        area_engine,
        kitchen,
        MealsInput.check({"day": day, "meal": "Siang", "portions": 280}),
        OPERATOR,
    )
    logistics_store.record_meals(
        area_engine,
        kitchen,
        MealsInput.check({"day": day, "meal": "pagi", "portions": 310}),
        OPERATOR,
    )
    assert logistics_store.kitchens(area_engine)["portions"].tolist() == [590]
    request = DispatchRequest(
        world["incident"], world["gudang"], [Line("beras", 1)], kitchen_id=kitchen
    )
    with pytest.raises(InvalidInput):  # no rice in stock
        logistics_store.dispatch(area_engine, request, ADMIN)
    request = DispatchRequest(
        world["incident"], world["gudang"], [Line("selimut", 20)], shelter_id=shelter
    )
    logistics_store.dispatch(area_engine, request, ADMIN)
    assert logistics_store.dispatches(area_engine)["kecamatan_code"].tolist() == ["32.03.11"]


def test_an_opening_stock_count_lands_row_by_row_and_quarantines_the_rest(
    area_engine: Engine, world: dict[str, int]
) -> None:
    data = (
        b"Daftar stok awal Dinsos Cianjur\n\n"
        b"Nama Gudang;Jenis Barang;Batch;Jumlah;Kedaluwarsa\n"
        b"Lumbung Sosial Cugenang;Matras;A2024;1.200;\n"
        b"lumbung sosial cugenang;Makanan Siap Saji;C2024;500;31/12/2027\n"
        b"Gudang Tidak Ada;Selimut;A2023;10;\n"
        b"Lumbung Sosial Cugenang;Sepeda;X;1;\n"
        b"Lumbung Sosial Cugenang;Selimut;A2023;-4;\n"
    )
    report = logistics_store.import_opening_stock(
        area_engine, data, "stok.csv", GUDANG, ImportLimits()
    )
    assert (report.created, len(report.problems)) == (2, 3)
    problems = {p.number: [(e.field, e.code) for e in p.errors] for p in report.problems}
    assert problems == {
        6: [("warehouse", "unknown_warehouse")],
        7: [("item", "bad_item")],
        8: [("quantity", "negative")],
    }
    held = _held(area_engine, world["lumbung"])
    assert held[("matras", "A2024")] == 1200
    assert held[("makanan_siap_saji", "C2024")] == 500
