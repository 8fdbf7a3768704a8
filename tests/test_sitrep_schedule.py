"""Sitreps issued on schedule: the times of day, the slot due (only the latest after a worker
was away), one sitrep per slot with two workers racing or after a restart, and
`command-center sitrep schedule`."""

from __future__ import annotations

import threading
import time as time_module
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from command_center import cli, demo
from command_center.base.auth import SYSTEM, Principal
from command_center.base.db import make_engine
from command_center.base.errors import Forbidden, InvalidInput
from command_center.base.labels import t
from command_center.base.models import Incident
from command_center.base.times import utcnow
from command_center.services.sitrep_schedule import due_slot, parse, words
from command_center.stores import accounts
from command_center.stores import common as store
from command_center.stores import sitreps as sitrep_store
from tests.commands import command
from tests.conftest import signed_in


def test_times_of_day_are_read_as_people_write_them() -> None:
    assert parse("19.00, 07:00,,7:00") == (time(7), time(19))
    assert words(parse(" 07:00;19:30 ")) == "07:00,19:30"
    assert parse("") == parse(None) == ()
    for bad in ("25:00", "07:60", "pagi", "0700"):
        with pytest.raises(ValueError, match=bad):
            parse(f"07:00,{bad}")


def test_the_slot_due_is_the_latest_begun_in_the_areas_own_zone() -> None:
    times = (time(7), time(19))
    # 09:00 WIB: the 07:00 slot of the day (00:00 UTC); 09:00 WITA is 01:00 UTC
    assert due_slot(times, "WIB", datetime(2026, 12, 15, 2, tzinfo=UTC)) == (
        datetime(2026, 12, 15, 0, tzinfo=UTC),
        time(7),
    )
    assert due_slot(times, "WITA", datetime(2026, 12, 15, 1, tzinfo=UTC))[0] == datetime(
        2026, 12, 14, 23, tzinfo=UTC
    )
    # 06:30 WIB: the evening before
    assert due_slot(times, "WIB", datetime(2026, 12, 15, 23, 30, tzinfo=UTC)) == (
        datetime(2026, 12, 15, 12, tzinfo=UTC),
        time(19),
    )
    assert due_slot((), "WIB", datetime(2026, 12, 15, tzinfo=UTC)) is None


def _scheduled(engine) -> tuple[int, datetime, datetime]:
    """The demo incident issued at 07:00 and 19:00 WIB from now: (its id, a moment when a
    slot after the setting has begun, that slot's start)."""
    (incident,) = store.incidents(engine)
    assert sitrep_store.set_schedule(engine, incident.id, "19:00, 07:00", SYSTEM) == "07:00,19:00"
    # the slots are 12 hours apart: the latest begun by 13 hours from now began after the
    # setting, and a moment a minute into it stays in it for 12 hours, whatever the time now
    slot = due_slot((time(7), time(19)), "WIB", utcnow() + timedelta(hours=13))[0]
    return incident.id, slot + timedelta(minutes=1), slot


def test_two_workers_racing_for_one_slot_issue_one_sitrep_and_a_restart_none(
    demo_engine, database_url
) -> None:
    incident_id, later, slot = _scheduled(demo_engine)
    assert sitrep_store.issue_due(demo_engine, now=utcnow()) == []  # the slot just past: no
    workers = [make_engine(database_url) for _ in range(2)]
    start, results = threading.Barrier(2), []

    def work(engine) -> None:
        start.wait()
        results.append(sitrep_store.issue_due(engine, now=later))

    threads = [threading.Thread(target=work, args=(engine,)) for engine in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [[], [(incident_id, 1)]]
    (issued,) = sitrep_store.issued(demo_engine, incident_id)
    clock = slot.astimezone(ZoneInfo("Asia/Jakarta")).strftime("%H:%M")
    assert issued.issued_by == f"jadwal {clock}"
    assert sitrep_store.with_files(demo_engine, incident_id) == {1}
    for engine in workers:
        engine.dispose()
    restarted = make_engine(database_url)
    assert sitrep_store.issue_due(restarted, now=later + timedelta(minutes=5)) == []
    restarted.dispose()
    assert len(sitrep_store.issued(demo_engine, incident_id)) == 1


def test_after_days_away_only_the_latest_missed_slot_is_issued(demo_engine) -> None:
    incident_id, later, _ = _scheduled(demo_engine)
    away = later + timedelta(days=3)  # six slots missed
    assert sitrep_store.issue_due(demo_engine, now=away) == [(incident_id, 1)]
    assert sitrep_store.issue_due(demo_engine, now=away + timedelta(hours=1)) == []
    assert sitrep_store.issue_due(demo_engine, now=away + timedelta(hours=12)) == [(incident_id, 2)]
    assert sitrep_store.set_schedule(demo_engine, incident_id, "", SYSTEM) == ""
    assert sitrep_store.issue_due(demo_engine, now=away + timedelta(days=1)) == []


def test_setting_the_schedule_needs_the_incident_permission_a_time_and_is_audited(
    demo_engine,
) -> None:
    (incident,) = store.incidents(demo_engine)
    with pytest.raises(InvalidInput) as bad:
        sitrep_store.set_schedule(demo_engine, incident.id, "07:00,25:00", SYSTEM)
    assert [(e.field, e.params["value"]) for e in bad.value.errors] == [("sitrep_at", "25:00")]
    with pytest.raises(Forbidden):
        sitrep_store.set_schedule(demo_engine, incident.id, "07:00", Principal("Kabid", "viewer"))
    elsewhere = Principal("Operator Garut", "operator", "32.05")
    with pytest.raises(Forbidden):
        sitrep_store.set_schedule(demo_engine, incident.id, "07:00", elsewhere)
    own = Principal("Operator Cianjur", "operator", "32.03")
    sitrep_store.set_schedule(demo_engine, incident.id, "07:00", own)
    (audit,) = store.changes(demo_engine, [("incident", "sitrep_schedule")], 5)["after"]
    assert audit == {"sitrep_at": "07:00"}


def test_the_command_line_sets_and_clears_the_schedule(
    database_url, shared_data, boundary_cache
) -> None:
    env = {
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": str(shared_data),
        "CC_CACHE_DIR": str(boundary_cache),
    }
    assert command("demo", **env).returncode == 0
    done = command("sitrep", "schedule", demo.INCIDENT_KEY, "--at", "07.00,19:00", **env)
    assert done.returncode == 0, done.stderr
    assert "07:00,19:00" in done.stdout
    engine = make_engine(database_url)
    (incident,) = (i for i in store.incidents(engine) if i.key == demo.INCIDENT_KEY)
    assert sitrep_store.schedule_of(engine, incident.id) == "07:00,19:00"
    wrong = command("sitrep", "schedule", demo.INCIDENT_KEY, "--at", "7 pagi", **env)
    assert wrong.returncode == 2 and t("field_sitrep_at", "en") in wrong.stderr
    missing = command("sitrep", "schedule", demo.INCIDENT_KEY, **env)
    assert missing.returncode == 2 and "--at" in missing.stderr
    cleared = command("sitrep", "schedule", demo.INCIDENT_KEY, "--at", "", **env)
    assert cleared.returncode == 0 and "no longer" in cleared.stdout
    assert sitrep_store.schedule_of(engine, incident.id) == ""
    engine.dispose()


def test_the_incident_page_shows_the_schedule_and_an_operator_edits_it(
    with_demo, database_url, monkeypatch
) -> None:
    monkeypatch.setenv("CC_AUTH_MODE", "local")
    engine = make_engine(database_url)
    (incident,) = store.incidents(engine)
    for role in ("operator", "viewer"):
        accounts.create_user(engine, SYSTEM, role, "kata-sandi-1", role, "32.03", role)
    at = signed_in("operator", page="pages/incidents.py")
    at.session_state["incident_chosen"] = incident.id
    at = at.run()
    assert t("sitrep_not_scheduled") in [c.value for c in at.caption]
    field = next(i for i in at.text_input if i.label == t("field_sitrep_at"))
    field.input("07:00,25:00")
    at = _save_schedule(at)
    error = at.error[0].value
    assert t("field_sitrep_at") in error and "25\\:00" in error  # escaped for markdown
    assert sitrep_store.schedule_of(engine, incident.id) == ""
    next(i for i in at.text_input if i.label == t("field_sitrep_at")).input("19.00,07:00")
    at = _save_schedule(at)
    assert not at.exception, [e.message for e in at.exception]
    assert sitrep_store.schedule_of(engine, incident.id) == "07:00,19:00"
    shown = t("sitrep_on_schedule", times="07:00, 19:00", zone="WIB")
    assert shown in [c.value for c in at.caption]
    (audit,) = store.changes(engine, [("incident", "sitrep_schedule")], 5)["after"]
    assert audit == {"sitrep_at": "07:00,19:00"}
    viewer = signed_in("viewer", page="pages/incidents.py")
    viewer.session_state["incident_chosen"] = incident.id
    viewer = viewer.run()
    assert shown in [c.value for c in viewer.caption]
    assert t("field_sitrep_at") not in [i.label for i in viewer.text_input]
    engine.dispose()


def _save_schedule(at):
    return next(b for b in at.button if b.label == t("save_schedule")).click().run()


def test_the_workers_schedule_thread_issues_the_slot_due_and_stops(
    demo_engine, settings, geography
) -> None:
    (incident,) = store.incidents(demo_engine)
    sitrep_store.set_schedule(demo_engine, incident.id, "07:00,19:00", SYSTEM)
    with Session(demo_engine) as session, session.begin():  # as if set a day ago
        row = session.get(Incident, incident.id)
        row.sitrep_at_set = utcnow() - timedelta(days=1)
    stop = threading.Event()
    worker = threading.Thread(
        target=cli._issue_sitreps_on_schedule, args=(settings, demo_engine, geography, stop)
    )
    worker.start()
    try:
        deadline = time_module.monotonic() + 60
        while not sitrep_store.issued(demo_engine, incident.id):
            assert time_module.monotonic() < deadline, "no sitrep issued on schedule"
            stop.wait(0.2)
    finally:
        stop.set()
        worker.join(timeout=60)
    assert not worker.is_alive()
    (issued,) = sitrep_store.issued(demo_engine, incident.id)
    assert issued.issued_by.startswith("jadwal ")
    assert sitrep_store.with_files(demo_engine, incident.id) == {1}
