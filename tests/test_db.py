from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from command_center.base.db import MIGRATIONS, current_revision, make_engine, migrate
from command_center.base.models import Area, Base, HazardEvent, Incident, IncidentPhase


def head_revision() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


TABLES = {
    "areas",
    "hazard_events",
    "incidents",
    "incident_areas",
    "teams",
    "team_members",
    "deployments",
    "impact_reports",
    "audit_log",
    "feed_status",
    "fetch_log",
    "forecasts",
    "quarantine",
    "sitreps",
}


def test_migrations_create_every_table_on_a_fresh_database(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    assert current_revision(engine) is None
    assert migrate(engine) == head_revision()
    assert TABLES <= set(inspect(engine).get_table_names())


def test_the_migrated_schema_matches_the_models(engine) -> None:
    """Migrations and models agree (tables, columns, types, indexes) on SQLite and PostgreSQL."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrating_twice_is_harmless(engine) -> None:
    with Session(engine) as session, session.begin():
        session.add(Area(code="32", level="province", name="Jawa Barat"))
    assert migrate(engine) == head_revision()
    with Session(engine) as session:
        assert session.scalar(select(Area.name).where(Area.code == "32")) == "Jawa Barat"


def test_upgrading_keeps_rows_that_other_tables_reference(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    migrate(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO areas (code, level, name) VALUES ('32', 'province', 'Jabar')")
        )
        conn.execute(
            text(
                "INSERT INTO hazard_events (id, source, source_event_id, kind, time_utc, "
                "tsunami_potential, details, fetched_at) VALUES (7, 'bmkg', 'e1', 'earthquake', "
                ":t, false, '{}', :t)"
            ),
            {"t": datetime(2026, 1, 1, tzinfo=UTC)},
        )
        conn.execute(
            text(
                "INSERT INTO incidents (id, key, name, kind, status, hazard_event_id, started_at, "
                "is_exercise, created_at, version) VALUES (1, 'k', 'n', 'earthquake', 'open', 7, "
                ":t, false, :t, 1)"
            ),
            {"t": datetime(2026, 1, 1, tzinfo=UTC)},
        )
    assert migrate(engine) == head_revision()
    with Session(engine) as session:
        assert session.scalar(select(HazardEvent.source_event_id)) == "e1"
        assert session.scalar(select(Incident.hazard_event_id)) == 7


INCIDENT = text(  # incident 1, as a store of an earlier revision holds it
    "INSERT INTO incidents (id, key, name, kind, status, started_at, is_exercise, created_at, "
    "version) VALUES (1, 'k', 'n', 'gempa_bumi', 'open', :t, false, :t, 1)"
)


def test_decrees_recorded_before_confirmation_existed_count_as_confirmed_by_their_recorder(
    empty_database_url: str,
) -> None:
    engine = make_engine(empty_database_url)
    migrate(engine, "0017")
    recorded = datetime(2026, 11, 21, 9, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(INCIDENT, {"t": recorded})
        conn.execute(
            text(
                "INSERT INTO incident_phases (incident_id, phase, decree, authority, starts_on, "
                "created_at, created_by) VALUES (1, 'tanggap_darurat', '360/8717/BPBD/2022', "
                "'Bupati Cianjur', '2026-11-21', :t, 'Koordinator')"
            ),
            {"t": recorded},
        )
    assert migrate(engine) == head_revision()
    with Session(engine) as session:
        row = session.scalars(select(IncidentPhase)).one()
        assert (row.confirmed_by, row.confirmed_at) == ("Koordinator", recorded)


def test_masked_numbers_stored_before_keep_their_last_three_digits_only(empty_database_url) -> None:
    engine = make_engine(empty_database_url)
    migrate(engine, "0017")
    now = datetime(2026, 12, 3, 9, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(INCIDENT, {"t": now})
        conn.execute(
            text("INSERT INTO areas (code, name, level) VALUES ('32.03.11', 'C', 'kecamatan')")
        )
        conn.execute(
            text(
                "INSERT INTO households (id, incident_id, kecamatan_code, desa, kk_sealed, "
                "kk_index, kk_masked, head_sealed, head_masked, damage, displaced, source, "
                "created_by, updated_at, updated_by, version) VALUES (1, 1, '32.03.11', 'd', "
                "'x', 'i', '3203•••••••••001', 'x', 'A•••', 'berat', false, 'form', 'a', :t, "
                "'a', 1)"
            ),
            {"t": now},
        )
        conn.execute(
            text(
                "INSERT INTO household_members (household_id, incident_id, nik_sealed, "
                "nik_index, nik_masked, name_sealed, sex, birth_date, relation, pregnant, "
                "disabled) VALUES (1, 1, 'x', 'n', '3203•••••••••011', 'x', 'L', '1980-05-17', "
                "'kepala_keluarga', false, false)"
            ),
        )
    migrate(engine)
    with engine.connect() as conn:
        kk = conn.scalar(text("SELECT kk_masked FROM households"))
        nik = conn.scalar(text("SELECT nik_masked FROM household_members"))
    assert (kk, nik) == ("•" * 13 + "001", "•" * 13 + "011")


def test_sqlite_runs_in_wal_mode_with_busy_timeout_and_foreign_keys(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(engine) -> None:
    with pytest.raises(IntegrityError), Session(engine) as session, session.begin():
        session.add(Area(code="32.03", level="kabupaten", name="X", parent_code="99"))


def test_times_come_back_as_utc(engine) -> None:
    wib = timezone(timedelta(hours=7))
    with Session(engine) as session, session.begin():
        session.add(
            HazardEvent(
                source="test",
                source_event_id="1",
                kind="earthquake",
                time_utc=datetime(2026, 10, 7, 4, 56, 46, tzinfo=wib),
            )
        )
    with Session(engine) as session:
        stored = session.scalar(select(HazardEvent.time_utc))
    assert stored == datetime(2026, 10, 6, 21, 56, 46, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)
