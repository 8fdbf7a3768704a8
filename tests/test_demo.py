from sqlalchemy import func, select
from sqlalchemy.orm import Session

from command_center import demo
from command_center.base.auth import Principal
from command_center.base.models import AuditEntry, Deployment, HazardEvent, ImpactReport, Team
from command_center.services.incidents import heads, phase_errors
from command_center.services.reports import counted
from command_center.stores import common as store
from command_center.stores import logistics as logistics_store
from command_center.stores import reports as report_store
from command_center.stores import teams as team_store
from command_center.stores.logistics import DispatchRequest, Line
from tests.conftest import EARTHQUAKE


def _counts(engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (HazardEvent, Team, Deployment, ImpactReport)
        }


def test_scenario_is_one_labelled_earthquake_incident_in_cianjur(demo_engine) -> None:
    (incident,) = store.incidents(demo_engine)
    assert incident.is_exercise
    assert "LATIHAN" in incident.name
    assert incident.kind == "gempa_bumi"
    assert incident.kabupaten_code == "32.03"
    assert len(incident.kecamatan_codes) == 15
    assert all(code.startswith("32.03.") for code in incident.kecamatan_codes)


def test_teams_come_from_several_kabupaten_in_every_status(demo_engine) -> None:
    teams = team_store.roster(demo_engine)
    assert teams["home_kabupaten_code"].nunique() >= 5
    assert set(teams["status"].astype(str)) == {
        "standby",
        "en_route",
        "on_scene",
        "returning",
        "unavailable",
    }
    assert teams["is_exercise"].all()
    deployed = teams[teams["status"].astype(str).isin(["en_route", "on_scene"])]
    assert deployed["assigned_kecamatan_code"].notna().all()
    returning = teams[teams["status"].astype(str) == "returning"]
    assert returning["assigned_kecamatan_code"].isna().all()  # its assignment has ended
    assert teams[teams["status"].astype(str) == "standby"]["assigned_kecamatan_code"].isna().all()


def test_each_kecamatan_has_two_report_versions_and_the_latest_wins(demo_engine) -> None:
    assert _counts(demo_engine)["impact_reports"] == 30
    latest = counted(report_store.all_versions(demo_engine), include_unverified=True)
    assert len(latest) == 15
    assert set(latest["version"]) == {2}
    cugenang = latest.set_index("kecamatan_code").loc["32.03.11"]
    assert cugenang["kecamatan"] == "Cugenang"
    assert cugenang["deaths"] == 41


def test_loading_twice_changes_nothing(demo_engine, geography) -> None:
    before = _counts(demo_engine)
    assert demo.load(demo_engine, geography, scenarios=EARTHQUAKE) is False
    assert _counts(demo_engine) == before
    assert len(store.incidents(demo_engine)) == 1


def test_reset_reloads_the_same_scenario(demo_engine, geography) -> None:
    before = _counts(demo_engine)
    assert demo.load(demo_engine, geography, reset=True, scenarios=EARTHQUAKE) is True
    assert _counts(demo_engine) == before
    with Session(demo_engine) as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["load", "remove", "load"]


def test_the_flood_joins_a_store_that_has_the_earthquake_and_both_load_once(
    demo_engine, geography
) -> None:
    assert demo.load(demo_engine, geography) is True  # the flood only: the quake is there
    assert demo.load(demo_engine, geography) is False
    quake, flood = store.incidents(demo_engine)  # newest first
    assert (quake.kind, flood.kind) == ("gempa_bumi", "banjir")
    assert flood.kabupaten_code == "32.04" and "32.04.12" in flood.kecamatan_codes  # Dayeuhkolot
    assert flood.lat is None  # no hazard event: it was "opened by hand"
    assert store.phases(demo_engine, flood.id)[-1].phase == "tanggap_darurat"
    latest = counted(report_store.all_versions(demo_engine, flood.id), include_unverified=True)
    assert latest.set_index("kecamatan_code").loc["32.04.12", "houses_flooded"] == 5100
    roster = team_store.roster(demo_engine)
    assert (roster["assigned_incident_id"] == flood.id).sum() == 3


def test_the_floods_decrees_are_real_ones_so_its_lumbung_releases_for_the_flood(
    demo_engine, geography
) -> None:
    """The training decrees pass the rules a coordinator's would (number, authority of the
    area), come confirmed, and release the flood's lumbung sosial to its coordinator."""
    demo.load(demo_engine, geography)
    _, flood = store.incidents(demo_engine)
    decrees = store.phases(demo_engine, flood.id)
    with Session(demo_engine) as session:
        area = store.region(session, flood.kabupaten_code)
    for decree in decrees:
        assert not phase_errors(
            decree.phase, decree.decree, decree.starts_on, None, decree.authority
        )
        assert heads(decree.authority, area) and decree.confirmed
    warehouses = logistics_store.warehouses(demo_engine).set_index("name")
    lumbung = int(warehouses.loc["Lumbung Sosial Baleendah (Latihan)", "id"])
    coordinator = Principal("Koordinator Kab. Bandung", "coordinator", "32.04")
    request = DispatchRequest(flood.id, lumbung, [Line("selimut", 10)], "32.04.32")
    logistics_store.dispatch(demo_engine, request, coordinator)
