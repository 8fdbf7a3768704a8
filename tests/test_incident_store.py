"""Incidents of any hazard: opened by hand, their area, emergency phases, closing, reopening
and merging, with every rule of who may do what checked in the store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from command_center.base.auth import Principal
from command_center.base.errors import Forbidden, InvalidInput, TeamsDeployed
from command_center.base.models import Area, Incident, IncidentStatus, Sitrep
from command_center.base.times import utcnow
from command_center.services.incidents import local_day
from command_center.services.reports import ReportInput
from command_center.stores import common as store
from command_center.stores import incidents as incident_store
from command_center.stores import reports as report_store
from command_center.stores import sitreps as sitrep_store
from command_center.stores import teams as team_store
from command_center.stores.incidents import NewIncident

OPERATOR = Principal("Operator Pusdalops", "operator")
BANDUNG_OPERATOR = Principal("Operator Kab. Bandung", "operator", "32.04")
CIANJUR_OPERATOR = Principal("Operator Cianjur", "operator", "32.03")
COORDINATOR = Principal("Koordinator Jabar", "coordinator", "32")
ADMIN = Principal("Admin", "admin")
DAYEUHKOLOT, BALEENDAH, BOJONGSOANG = "32.04.12", "32.04.32", "32.04.08"


def _flood(engine, actor=OPERATOR, **changes) -> int:
    values = {
        "hazard": "banjir",
        "name": "Banjir Dayeuhkolot",
        "kecamatan": (DAYEUHKOLOT, BALEENDAH, BOJONGSOANG),
        "started_at": utcnow() - timedelta(hours=3),
        "description": "Luapan Citarum setelah hujan sangat lebat",
    }
    key = incident_store.open_incident(engine, NewIncident(**{**values, **changes}), actor)
    return incident_store.incident_id(engine, key)


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def _incident(engine, incident_id: int) -> Incident:
    with Session(engine, expire_on_commit=False) as session:
        return session.get(Incident, incident_id)


def test_an_operator_opens_a_flood_by_hand(demo_engine) -> None:
    flood = _flood(demo_engine)
    record = next(i for i in store.incidents(demo_engine) if i.id == flood)
    assert (record.kind, record.status, record.kabupaten_code) == ("banjir", "open", "32.04")
    assert record.kecamatan_codes == tuple(sorted((DAYEUHKOLOT, BALEENDAH, BOJONGSOANG)))
    audit = store.audit_entries(demo_engine, 1).iloc[0]
    assert (audit["action"], audit["entity"], audit["after"]["hazard"]) == (
        "open",
        "incident",
        "banjir",
    )


def test_a_kabupaten_code_stands_for_all_of_its_kecamatan(demo_engine) -> None:
    flood = _flood(demo_engine, kecamatan=("32.04",))
    with Session(demo_engine) as session:
        children = session.scalar(
            select(func.count()).select_from(Area).where(Area.parent_code == "32.04")
        )
    assert len(store.incident_kecamatan(demo_engine, flood)) == children > 20


def test_bad_input_names_each_field_and_writes_nothing(demo_engine) -> None:
    before = _count(demo_engine, Incident)
    with pytest.raises(InvalidInput) as caught:
        _flood(
            demo_engine,
            hazard="gempa",
            name=" ",
            kecamatan=("32.04.99", "32", "x"),
            started_at=utcnow() + timedelta(days=1),
        )
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("hazard", "bad_hazard"),
        ("name", "missing"),
        ("started_at", "in_future"),
        ("kecamatan", "unknown_kecamatan"),
        ("kecamatan", "not_kecamatan"),  # a province
        ("kecamatan", "unknown_kecamatan"),
    ]
    assert _count(demo_engine, Incident) == before


def test_opening_outside_ones_scope_is_refused_naming_the_area(demo_engine) -> None:
    with pytest.raises(Forbidden) as caught:
        _flood(demo_engine, actor=CIANJUR_OPERATOR)
    assert caught.value.area_code == "32.04"
    with pytest.raises(Forbidden):
        _flood(demo_engine, actor=Principal("Pejabat", "viewer"))
    assert _flood(demo_engine, actor=BANDUNG_OPERATOR)


def test_removing_a_kecamatan_keeps_its_reports_and_widening_changes_the_area(demo_engine) -> None:
    (quake,) = store.incidents(demo_engine)
    reports = len(report_store.all_versions(demo_engine, quake.id))
    area = incident_store.change_area(demo_engine, quake.id, OPERATOR, remove=["32.03.11"])
    assert "32.03.11" not in area
    assert len(report_store.all_versions(demo_engine, quake.id)) == reports  # none deleted
    area = incident_store.change_area(demo_engine, quake.id, OPERATOR, add=[DAYEUHKOLOT])
    assert _incident(demo_engine, quake.id).kabupaten_code == "32"  # two kabupaten now
    with pytest.raises(Forbidden):  # Cianjur's operator may not reach into Kab. Bandung
        incident_store.change_area(demo_engine, quake.id, CIANJUR_OPERATOR, remove=[DAYEUHKOLOT])
    with pytest.raises(InvalidInput):
        incident_store.change_area(demo_engine, quake.id, OPERATOR, remove=list(area))


def test_an_empty_area_change_is_refused_and_leaves_no_history(demo_engine) -> None:
    (quake,) = store.incidents(demo_engine)
    area = store.incident_kecamatan(demo_engine, quake.id)
    before = store.last_change(demo_engine)
    for change in ({}, {"add": [area[0]]}, {"remove": [DAYEUHKOLOT]}):  # none changes it
        with pytest.raises(InvalidInput) as refused:
            incident_store.change_area(demo_engine, quake.id, OPERATOR, **change)
        assert [(e.field, e.code) for e in refused.value.errors] == [("add", "area_unchanged")]
    assert store.last_change(demo_engine) == before  # no audit row
    assert store.incident_kecamatan(demo_engine, quake.id) == area


def test_phases_are_set_by_coordinators_with_their_decree_and_extensions_keep_history(
    demo_engine,
) -> None:
    flood = _flood(demo_engine)
    today = local_day(utcnow(), "WIB")  # Bandung's day, which the status line counts in
    sk = ("tanggap_darurat", "360/123/BPBD/2026", "Bupati Bandung", today - timedelta(4))
    with pytest.raises(Forbidden):
        incident_store.add_phase(demo_engine, flood, OPERATOR, *sk, today + timedelta(2))
    with pytest.raises(InvalidInput):
        incident_store.add_phase(demo_engine, flood, COORDINATOR, *sk, today - timedelta(9))
    incident_store.add_phase(demo_engine, flood, COORDINATOR, *sk, today + timedelta(2))
    extension = ("tanggap_darurat", "360/130/BPBD/2026", "Bupati Bandung", today)
    incident_store.add_phase(demo_engine, flood, COORDINATOR, *extension, today + timedelta(9))
    history = store.phases(demo_engine, flood)
    assert [p.decree for p in history] == ["360/123/BPBD/2026", "360/130/BPBD/2026"]
    line = sitrep_store.gather(demo_engine, flood).status_line
    assert line.startswith("Hari ke-5 tanggap darurat, s.d. ")


def test_a_decree_needs_a_real_number_and_the_head_of_a_region_holding_the_incident(
    demo_engine,
) -> None:
    flood = _flood(demo_engine)  # in Kabupaten Bandung
    today = local_day(utcnow(), "WIB")
    refused = {
        ("-", "Bupati Bandung"): ("decree", "bad_decree"),
        ("belum ada", "Bupati Bandung"): ("decree", "bad_decree"),
        ("360/12/BPBD/2026", "bukan bupati"): ("authority", "bad_authority"),
        ("360/12/BPBD/2026", "Bupati Bandung Barat"): ("authority", "not_head_of_area"),
        ("360/12/BPBD/2026", "Wali Kota Bandung"): ("authority", "not_head_of_area"),
        ("360/12/BPBD/2026", "Gubernur Jawa Tengah"): ("authority", "not_head_of_area"),
    }
    for (decree, authority), error in refused.items():
        with pytest.raises(InvalidInput) as caught:
            incident_store.add_phase(
                demo_engine, flood, ADMIN, "siaga_darurat", decree, authority, today
            )
        assert [(e.field, e.code) for e in caught.value.errors] == [error], authority
    assert caught.value.errors[0].params["area"] == "Kabupaten Bandung, Jawa Barat"
    assert store.phases(demo_engine, flood) == []
    for decree, authority in (
        ("Nomor: 360 / 12 / BPBD / 2026", "Bupati  Bandung"),
        ("362/Kep.51-BPBD/2026", "Gubernur Jawa Barat"),
        ("12 Tahun 2026", "Presiden"),
    ):
        incident_store.add_phase(
            demo_engine, flood, ADMIN, "siaga_darurat", decree, authority, today
        )
    assert [(p.decree, p.authority) for p in store.phases(demo_engine, flood)] == [
        ("360/12/BPBD/2026", "Bupati Bandung"),
        ("362/Kep.51-BPBD/2026", "Gubernur Jawa Barat"),
        ("12 Tahun 2026", "Presiden"),
    ]
    across = _flood(demo_engine, kecamatan=(DAYEUHKOLOT, "32.03.11"))  # two kabupaten
    with pytest.raises(InvalidInput) as caught:
        incident_store.add_phase(
            demo_engine, across, ADMIN, "siaga_darurat", "360/1/BPBD/2026", "Bupati Bandung", today
        )
    assert caught.value.errors[0].params["area"] == "Jawa Barat"
    incident_store.add_phase(
        demo_engine, across, ADMIN, "siaga_darurat", "360/1/BPBD/2026", "Gubernur Jawa Barat", today
    )


def test_a_coordinators_decree_waits_for_a_second_person_and_an_admins_counts_at_once(
    demo_engine,
) -> None:
    flood = _flood(demo_engine)
    today = local_day(utcnow(), "WIB")
    recorder = Principal("Koordinator Kab. Bandung", "coordinator", "32.04")
    sk = ("tanggap_darurat", "360/12/BPBD/2026", "Bupati Bandung", today)
    phase_id = incident_store.add_phase(demo_engine, flood, recorder, *sk)
    [decree] = store.phases(demo_engine, flood)
    assert (decree.id, decree.recorded_by, decree.confirmed) == (phase_id, recorder.name, False)
    line = sitrep_store.gather(demo_engine, flood).status_line
    assert line == "Hari ke-1 tanggap darurat (belum dikonfirmasi)"

    with pytest.raises(InvalidInput) as own:
        incident_store.confirm_phase(demo_engine, phase_id, recorder)
    assert [(e.field, e.code) for e in own.value.errors] == [("phase_id", "own_decree")]
    for outsider in (BANDUNG_OPERATOR, Principal("Koordinator Garut", "coordinator", "32.05")):
        with pytest.raises(Forbidden):
            incident_store.confirm_phase(demo_engine, phase_id, outsider)
    assert not store.phases(demo_engine, flood)[0].confirmed

    incident_store.confirm_phase(demo_engine, phase_id, COORDINATOR)
    assert store.phases(demo_engine, flood)[0].confirmed_by == COORDINATOR.name
    entry = store.audit_entries(demo_engine, 1).iloc[0]
    assert (entry["actor"], entry["action"], entry["entity_id"]) == (
        COORDINATOR.name,
        "confirm_phase",
        str(flood),
    )
    assert (entry["before"]["confirmed_by"], entry["after"]["confirmed_by"]) == (
        None,
        COORDINATOR.name,
    )
    with pytest.raises(InvalidInput) as again:
        incident_store.confirm_phase(demo_engine, phase_id, ADMIN)
    assert [e.code for e in again.value.errors] == ["confirmed"]

    incident_store.add_phase(demo_engine, flood, ADMIN, *sk)  # an admin's: at once
    transition = ("transisi_darurat", "360/20/BPBD/2026", "Bupati Bandung", today)
    incident_store.add_phase(demo_engine, flood, recorder, *transition)  # releases nothing
    assert [p.confirmed_by for p in store.phases(demo_engine, flood)] == [
        COORDINATOR.name,
        ADMIN.name,
        recorder.name,
    ]


def test_closing_is_refused_while_teams_are_deployed_and_then_stores_a_final_sitrep(
    demo_engine,
) -> None:
    (quake,) = store.incidents(demo_engine)
    with pytest.raises(TeamsDeployed) as caught:
        incident_store.close_incident(demo_engine, quake.id, COORDINATOR)
    assert "Tagana Kab. Cianjur 1 (Latihan)" in caught.value.teams
    assert _incident(demo_engine, quake.id).status == IncidentStatus.OPEN
    roster = team_store.roster(demo_engine)
    for team in roster[roster["assigned_incident_id"] == quake.id].itertuples():
        if str(team.status) in ("en_route", "on_scene"):
            team_store.stand_down(demo_engine, team.id, team.version, COORDINATOR)
    with pytest.raises(Forbidden):
        incident_store.close_incident(demo_engine, quake.id, OPERATOR)
    number = incident_store.close_incident(demo_engine, quake.id, COORDINATOR)
    with Session(demo_engine) as session:
        final = session.scalar(select(Sitrep).where(Sitrep.number == number))
        assert final.is_final and final.text.startswith("*LAPORAN SITUASI AKHIR No. 1*")
    assert store.incidents(demo_engine) == []  # off the live map and the wall screen
    closed = incident_store.incident_frame(demo_engine)
    assert closed.set_index("id").loc[quake.id, "status"] == "closed"  # still listed

    with pytest.raises(Forbidden):
        incident_store.reopen_incident(demo_engine, quake.id, COORDINATOR, "salah tutup")
    with pytest.raises(InvalidInput):
        incident_store.reopen_incident(demo_engine, quake.id, ADMIN, " ")
    incident_store.reopen_incident(demo_engine, quake.id, ADMIN, "gempa susulan M5,1")
    assert [i.id for i in store.incidents(demo_engine)] == [quake.id]
    assert store.audit_entries(demo_engine, 1).iloc[0]["after"]["reason"] == "gempa susulan M5,1"


def test_merging_moves_everything_to_the_kept_incident_and_leaves_a_pointer(demo_engine) -> None:
    (quake,) = store.incidents(demo_engine)
    twin = _flood(
        demo_engine,
        hazard="gempa_bumi",
        name="Gempa Cianjur (dibuka manual)",
        kecamatan=("32.03.11", "32.03.12"),
        is_exercise=True,  # a twin of the training quake: its training teams may go there
    )
    report = ReportInput.check(
        {
            "incident_id": twin,
            "kecamatan_code": "32.03.11",
            "report_time": (utcnow() - timedelta(minutes=5)).isoformat(),
            "reporter": "TKSK Cugenang",
            "source": "tksk",
            "deaths": 44,
        },
        None,
    )
    report_store.save_report(demo_engine, report, OPERATOR, confirmed=True)
    garut = team_store.roster(demo_engine).set_index("name").loc["Tagana Kab. Garut (Latihan)"]
    job = {"incident_id": twin, "kecamatan_code": "32.03.12", "task": "Dapur umum"}
    team_store.assign(demo_engine, int(garut["id"]), int(garut["version"]), job, ADMIN)
    versions = len(report_store.all_versions(demo_engine))
    with pytest.raises(Forbidden):
        incident_store.merge_incidents(demo_engine, quake.id, twin, COORDINATOR)

    incident_store.merge_incidents(demo_engine, quake.id, twin, ADMIN)
    merged = report_store.all_versions(demo_engine, quake.id)
    assert len(report_store.all_versions(demo_engine)) == versions  # nothing lost
    cugenang = merged[(merged["kecamatan_code"] == "32.03.11") & (merged["source"] == "tksk")]
    assert sorted(cugenang["version"]) == [1, 2, 3]
    assert cugenang.sort_values("version").iloc[-1]["deaths"] == 44  # the newest still wins
    assert "32.03.12" in store.incident_kecamatan(demo_engine, quake.id)
    roster = team_store.roster(demo_engine).set_index("name")
    assert roster.loc["Tagana Kab. Garut (Latihan)", "assigned_incident_id"] == quake.id
    other = _incident(demo_engine, twin)
    assert (other.status, other.merged_into_id) == (IncidentStatus.MERGED, quake.id)
    assert [i.id for i in store.incidents(demo_engine)] == [quake.id]


def test_editing_checks_the_name_and_start_and_is_audited(demo_engine) -> None:
    flood = _flood(demo_engine)
    with pytest.raises(InvalidInput) as caught:
        incident_store.set_details(
            demo_engine, flood, OPERATOR, name="x" * 201, started_at=utcnow() + timedelta(hours=1)
        )
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("name", "too_long"),
        ("started_at", "in_future"),
    ]
    incident_store.set_details(
        demo_engine, flood, OPERATOR, name="Banjir Citarum", is_exercise=True
    )
    record = _incident(demo_engine, flood)
    assert (record.name, record.is_exercise) == ("Banjir Citarum", True)
    audit = store.audit_entries(demo_engine, 1).iloc[0]
    assert (audit["before"]["name"], audit["after"]["name"]) == (
        "Banjir Dayeuhkolot",
        "Banjir Citarum",
    )
