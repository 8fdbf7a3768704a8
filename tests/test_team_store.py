"""Teams in a real store (SQLite file, or PostgreSQL when DATABASE_URL points at one)."""

import threading
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from command_center.base.auth import Principal
from command_center.base.db import make_engine
from command_center.base.errors import IllegalTransition, InvalidInput, StaleRecord, TeamBusy
from command_center.base.models import AuditEntry, Deployment
from command_center.base.times import utcnow
from command_center.services.roster import TeamInput
from command_center.stores import common as store
from command_center.stores import incidents as incident_store
from command_center.stores import teams as team_store
from command_center.stores.incidents import NewIncident


def admin(name: str) -> Principal:
    """Someone allowed everything (roles and scopes have their own tests)."""
    return Principal(name, "admin")


def _team(engine, name: str):
    roster = team_store.roster(engine)
    return roster[roster["name"] == name].iloc[0]


def _job(engine, kecamatan: str = "32.03.11", task: str = "Dapur umum") -> dict:
    (incident,) = store.incidents(engine)
    return {"incident_id": incident.id, "kecamatan_code": kecamatan, "task": task}


GARUT = "Tagana Kab. Garut (Latihan)"  # standby in the demo
SUKABUMI = "Tagana Kab. Sukabumi (Latihan)"  # on scene in Pacet


def test_a_team_goes_through_its_whole_lifecycle(demo_engine) -> None:
    team = _team(demo_engine, GARUT)
    team_store.assign(demo_engine, team.id, team.version, _job(demo_engine), admin("Koordinator A"))
    team = _team(demo_engine, GARUT)
    assert (team.status, team.assigned_kecamatan_code) == ("en_route", "32.03.11")
    assert team.assigned_by == "Koordinator A"

    team_store.change_status(demo_engine, team.id, team.version, "on_scene", admin("Koordinator A"))
    team = _team(demo_engine, GARUT)
    assert team.status == "on_scene"
    assert (team.last_lat, team.last_lon) == (team.assigned_lat, team.assigned_lon)

    team_store.stand_down(demo_engine, team.id, team.version, admin("Koordinator B"))
    team = _team(demo_engine, GARUT)
    assert team.status == "returning" and pd.isna(team.assigned_kecamatan_code)
    with Session(demo_engine) as session:
        ended = session.scalar(select(Deployment).where(Deployment.team_id == int(team.id)))
    assert ended.ended_by == "Koordinator B" and ended.ended_at is not None

    team_store.change_status(demo_engine, team.id, team.version, "standby", admin("Koordinator B"))
    team = _team(demo_engine, GARUT)
    assert team.status == "standby" and pd.isna(team.last_lat)  # back at base

    actions = team_store.history(demo_engine, int(team.id))["action"].tolist()
    assert actions[:4] == ["status", "status", "status", "assign"]


def test_a_deployed_team_cannot_be_sent_elsewhere(demo_engine) -> None:
    team = _team(demo_engine, SUKABUMI)
    with pytest.raises(TeamBusy) as caught:
        team_store.assign(
            demo_engine, team.id, team.version, _job(demo_engine), admin("Koordinator A")
        )
    assert caught.value.kecamatan_code == "32.03.10"
    assert _team(demo_engine, SUKABUMI).assigned_kecamatan_code == "32.03.10"


def test_illegal_status_changes_write_nothing(demo_engine) -> None:
    team = _team(demo_engine, GARUT)
    with pytest.raises(IllegalTransition):
        team_store.change_status(
            demo_engine, team.id, team.version, "on_scene", admin("Koordinator A")
        )
    after = _team(demo_engine, GARUT)
    assert (after.status, after.version) == ("standby", team.version)


def test_unavailable_needs_a_reason_and_keeps_it(demo_engine) -> None:
    team = _team(demo_engine, GARUT)
    with pytest.raises(InvalidInput) as caught:
        team_store.change_status(demo_engine, team.id, team.version, "unavailable", admin("K"))
    assert [e.field for e in caught.value.errors] == ["status_reason"]
    until = utcnow() + timedelta(days=3)
    team_store.change_status(
        demo_engine, team.id, team.version, "unavailable", admin("K"), "Truk rusak", until
    )
    team = _team(demo_engine, GARUT)
    assert (team.status, team.status_reason) == ("unavailable", "Truk rusak")


def test_a_stale_edit_is_refused_naming_who_changed_the_team(demo_engine) -> None:
    team = _team(demo_engine, GARUT)
    seen = team_store.team_detail(demo_engine, int(team.id))
    # coordinator A saves a new phone number first
    phone = seen.profile.model_copy(update={"contact_phone": "0813-1111-2222"})
    team_store.update_team(demo_engine, seen.id, seen.version, phone, admin("Koordinator A"))
    # coordinator B still has the old form open and changes the member count
    members = seen.profile.model_copy(update={"member_count": 30})
    with pytest.raises(StaleRecord) as caught:
        team_store.update_team(demo_engine, seen.id, seen.version, members, admin("Koordinator B"))
    assert caught.value.by == "Koordinator A"
    assert caught.value.at is not None
    now = team_store.team_detail(demo_engine, seen.id)
    assert now.profile.contact_phone == "0813-1111-2222"  # A's change is not lost
    assert now.profile.member_count == seen.profile.member_count  # B's was not applied blindly


def _race(database_url: str, calls: dict) -> dict:
    """Run each call on its own engine (as two app replicas would), released at one moment."""
    barrier = threading.Barrier(len(calls))
    results: dict = {}

    def run(name, call) -> None:
        engine = make_engine(database_url)
        barrier.wait()
        try:
            results[name] = call(engine)
        except Exception as exc:  # the test inspects what each one got
            results[name] = exc
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_two_coordinators_assigning_one_team_at_once_exactly_one_wins(
    demo_engine, database_url, round_
) -> None:
    team = _team(demo_engine, GARUT)
    calls = {
        who: (
            lambda engine, who=who, kec=kec: team_store.assign(
                engine, int(team.id), int(team.version), _job(engine, kec), admin(who)
            )
        )
        for who, kec in (("Koordinator A", "32.03.11"), ("Koordinator B", "32.03.01"))
    }
    results = _race(database_url, calls)
    winners = [who for who, r in results.items() if isinstance(r, int)]
    losers = [r for r in results.values() if not isinstance(r, int)]
    assert len(winners) == 1, results
    assert len(losers) == 1 and isinstance(losers[0], StaleRecord), results
    assert losers[0].by == winners[0]
    with Session(demo_engine) as session:
        open_ = session.scalars(
            select(Deployment).where(
                Deployment.team_id == int(team.id), Deployment.ended_at.is_(None)
            )
        ).all()
    assert [d.assigned_by for d in open_] == winners


def test_concurrent_edits_of_one_team_never_lose_an_update(demo_engine, database_url) -> None:
    seen = team_store.team_detail(demo_engine, int(_team(demo_engine, GARUT).id))
    edits = {
        "Koordinator A": seen.profile.model_copy(update={"contact_phone": "0813-1111-2222"}),
        "Koordinator B": seen.profile.model_copy(update={"member_count": 30}),
    }
    calls = {
        who: (
            lambda engine, who=who, e=e: team_store.update_team(
                engine, seen.id, seen.version, e, admin(who)
            )
        )
        for who, e in edits.items()
    }
    results = _race(database_url, calls)
    (winner,) = [who for who, r in results.items() if r is None]
    (loser,) = [r for r in results.values() if r is not None]
    assert isinstance(loser, StaleRecord) and loser.by == winner
    now = team_store.team_detail(demo_engine, seen.id)
    assert now.profile == edits[winner]
    assert now.version == seen.version + 1


def test_the_store_itself_refuses_a_second_open_deployment(demo_engine) -> None:
    team = _team(demo_engine, SUKABUMI)
    with pytest.raises(IntegrityError), Session(demo_engine) as session, session.begin():
        session.add(
            Deployment(
                team_id=int(team.id),
                incident_id=int(team.assigned_incident_id),
                kecamatan_code="32.03.01",
                task="x",
                assigned_by="x",
                assigned_at=utcnow(),
            )
        )


def test_every_change_is_audited_with_before_and_after(demo_engine, geography) -> None:
    entry = TeamInput.check(
        {"name": "Tagana Kab. Cianjur 3", "home_kecamatan_code": "32.03.04"}, geography
    )
    team_id = team_store.create_team(demo_engine, entry, admin("Koordinator A"))
    detail = team_store.team_detail(demo_engine, team_id)
    team_store.set_members(
        demo_engine,
        team_id,
        detail.version,
        [{"name": "Asep", "role": "ketua", "phone": "0812-1"}, {"name": "Budi"}],
        admin("Koordinator A"),
    )
    detail = team_store.team_detail(demo_engine, team_id)
    assert [m.name for m in detail.members] == ["Asep", "Budi"]
    assert detail.profile.member_count == 2
    with Session(demo_engine) as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "team", AuditEntry.entity_id == str(team_id))
            .order_by(AuditEntry.id)
        ).all()
    assert [(e.action, e.actor) for e in entries] == [
        ("create", "Koordinator A"),
        ("members", "Koordinator A"),
    ]
    assert entries[1].before["member_count"] == 0
    assert entries[1].after["member_count"] == 2
    assert entries[1].after["members"][0]["name"] == "Asep"


def test_a_member_without_a_name_is_refused_by_row(demo_engine) -> None:
    team = team_store.team_detail(demo_engine, int(_team(demo_engine, GARUT).id))
    with pytest.raises(InvalidInput) as caught:
        team_store.set_members(
            demo_engine, team.id, team.version, [{"name": "Asep"}, {"name": " "}], admin("K")
        )
    assert [e.field for e in caught.value.errors] == ["members[2].name"]


def test_a_duplicate_team_name_is_refused(demo_engine, geography) -> None:
    entry = TeamInput.check({"name": GARUT, "home_kecamatan_code": "32.05.01"}, geography)
    with pytest.raises(InvalidInput) as caught:
        team_store.create_team(demo_engine, entry, admin("K"))
    assert caught.value.errors[0].code == "duplicate_name"


def test_a_training_team_is_refused_for_a_real_incident_and_nothing_changes(demo_engine) -> None:
    """It would put the LATIHAN banner on the real incident; a real team may still join a
    drill (checked by the lifecycle test above, on the training quake)."""
    entry = NewIncident(
        "banjir", "Banjir Dayeuhkolot", ("32.04.12",), utcnow() - timedelta(hours=1)
    )
    key = incident_store.open_incident(demo_engine, entry, admin("Operator"))
    team = _team(demo_engine, GARUT)
    job = {
        "incident_id": incident_store.incident_id(demo_engine, key),
        "kecamatan_code": "32.04.12",
    }
    before = store.last_change(demo_engine)
    with pytest.raises(InvalidInput) as refused:
        team_store.assign(
            demo_engine, team.id, team.version, {**job, "task": "Evakuasi"}, admin("K")
        )
    assert [(e.field, e.code, e.params) for e in refused.value.errors] == [
        ("incident_id", "exercise_team", {"value": GARUT})
    ]
    assert store.last_change(demo_engine) == before
    assert _team(demo_engine, GARUT).status == "standby"
