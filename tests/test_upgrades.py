"""Upgrades from any release: a store at every schema revision, with rows in every table,
upgrades to the newest with every row kept and readable. Stores from a newer release, and
downgrades, are refused with a message that says what to do.

The rows are written with the schema of their revision (reflected, not today's models): each
table gets realistic rows where `realistic` has some (an incident in Cianjur, its report, a
team, stock, a household sealed with the test key, an alert) and one made-up row otherwise,
its values chosen by column type and its foreign keys pointing at the rows written before.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Enum,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    and_,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from command_center.base.auth import SYSTEM
from command_center.base.db import (
    MIGRATIONS,
    current_revision,
    make_engine,
    migrate,
    revision_order,
)
from command_center.base.errors import SchemaRefused
from command_center.base.models import Base
from command_center.base.pdp import Vault, mask, mask_name
from command_center.stores import common as store
from command_center.stores import households as household_store
from command_center.stores import logistics as logistics_store
from command_center.stores import reports as report_store
from command_center.stores import teams as team_store
from command_center.stores.alerts import incident_alerts
from tests.households import KEY, kk, nik

SCRIPT = ScriptDirectory(str(MIGRATIONS))
REVISIONS = [r.revision for r in reversed(list(SCRIPT.walk_revisions()))]
WHEN = datetime(2022, 11, 21, 6, 21, tzinfo=UTC)  # the Cianjur earthquake
VAULT = Vault(KEY)
KK, HEAD_NIK = kk(), nik(date(1980, 5, 17), serial=11)
# columns a migration removed on purpose, and why their values are not kept
DROPPED = {"users": {"locked_at", "failed_sign_ins"}}  # 0020: sign-in waits replace locks

Rows = dict[str, list[dict[str, Any]]]


def realistic(incident_id: int | None) -> Rows:
    """Rows as the app writes them, for the domains an upgrade must never lose (only the
    columns a revision has are written; the others get made-up values)."""
    return {
        "areas": [
            {"code": "32", "level": "province", "name": "Jawa Barat", "parent_code": None},
            {"code": "32.03", "level": "kabupaten", "name": "Cianjur", "parent_code": "32"},
            {"code": "32.03.11", "level": "kecamatan", "name": "Cugenang", "parent_code": "32.03"},
        ],
        "hazard_events": [
            {
                "source": "bmkg",
                "source_event_id": "20221121132110",
                "kind": "earthquake",
                "time_utc": WHEN,
                "lat": -6.84,
                "lon": 107.05,
                "depth_km": 10.0,
                "magnitude": 5.6,
                "location_text": "10 km BaratDaya KAB-CIANJUR-JABAR",
                "details": {"felt": "V-VI Cianjur"},
                "duplicate_of_id": None,
            }
        ],
        "incidents": [
            {
                "key": "gempa-cianjur-2022",
                "name": "Gempa M5.6 Cianjur",
                "kind": "gempa_bumi",
                "status": "open",
                "kabupaten_code": "32.03",
                "started_at": WHEN,
                "is_exercise": False,
                "merged_into_id": None,
                "closed_at": None,
                "version": 1,
            }
        ],
        "impact_reports": [
            {
                "area_level": "kecamatan",
                "source": "tksk",
                "version": 1,
                "reporter": "TKSK Cugenang",
                "verification": "verified",
                "deaths": 3,
                "displaced": 420,
                "houses_heavy": 57,
                "needs": [{"item": "tenda_keluarga", "quantity": 20}],
                "aid_delivered": [],
                "other_columns": {"Posko": "Balai Desa Sarampad"},
            }
        ],
        "teams": [
            {
                "name": "Tagana Cianjur 1",
                "kind": "tagana",
                "home_kabupaten_code": "32.03",
                "status": "on_scene",
                "member_count": 12,
                "skills": ["evakuasi", "dapur_umum"],
                "version": 1,
            }
        ],
        "deployments": [{"task": "Evakuasi Desa Sarampad", "ended_at": None, "version": 1}],
        "warehouses": [
            {"name": "Lumbung Sosial Cugenang", "kind": "lumbung_sosial", "kabupaten_code": "32.03"}
        ],
        "stock_movements": [
            {
                "item": "makanan_siap_saji",
                "batch": "C2022",
                "quantity": 700,
                "kind": "receipt",
                "dispatch_id": None,
                "other_warehouse_id": None,
            },
            {
                "item": "makanan_siap_saji",
                "batch": "C2022",
                "quantity": -100,
                "kind": "dispatch",
                "other_warehouse_id": None,
            },
        ],
        "households": [
            {
                "desa": "Sarampad",
                "kk_sealed": VAULT.seal(KK, "kk"),
                "kk_index": VAULT.index(KK),
                "kk_masked": mask(KK),
                "head_sealed": VAULT.seal("Asep Saepudin", "name"),
                "head_masked": mask_name("Asep Saepudin"),
                "address_sealed": VAULT.seal("Kp. Rawacina RT 02/05", "address"),
                "payout_sealed": VAULT.seal("BRI 0123-01-000123-50-1", "payout"),
                "damage": "berat",
                "displaced": True,
                "source": "form",
                "version": 1,
            }
        ],
        "household_members": [
            {
                "incident_id": incident_id,  # not a foreign key
                "nik_sealed": VAULT.seal(HEAD_NIK, "nik"),
                "nik_index": VAULT.index(HEAD_NIK),
                "nik_masked": mask(HEAD_NIK),
                "name_sealed": VAULT.seal("Asep Saepudin", "name"),
                "sex": "L",
                "birth_date": date(1980, 5, 17),
                "relation": "kepala_keluarga",
                "casualty": None,
            }
        ],
        "assistance_payments": [
            {
                "programme": "santunan_ahli_waris",
                "subject": VAULT.index(HEAD_NIK),
                "amount": 15_000_000,
                "status": "diusulkan",
                "verified_at": None,
                "paid_on": None,
            }
        ],
        "pdp_key_check": [{"id": 1, "check_value": VAULT.check_value}],
        "users": [
            {
                "username": "koordinator",
                "display_name": "Koordinator Pusdalops",
                "password_hash": None,
                "role": "coordinator",
                "scope": "32.03",
                "active": True,
            }
        ],
        "alerts": [
            {
                "rule": "incident_opened",
                "severity": "warning",
                "title": "Insiden dibuka: Gempa M5.6 Cianjur",
                "areas": ["32.03.11"],
                "hazard": "gempa_bumi",
                "escalation": 0,
                "acked_by": "Koordinator",
            }
        ],
    }


def _value(table: Table, column: Column, n: int) -> Any:
    """A made-up value that fits the column (row `n` of this table)."""
    today = Base.metadata.tables.get(table.name)
    if today is not None and column.name in today.c and isinstance(today.c[column.name].type, Enum):
        return today.c[column.name].type.enums[0]  # stored as text; today's code decodes it
    for kind, value in (
        (Boolean, False),
        (Integer, n + 1),
        (Float, 1.5),
        (DateTime, WHEN),
        (Date, WHEN.date()),
        (JSON, {"made_up": column.name}),
        (LargeBinary, b"\x00sealed"),
    ):
        if isinstance(column.type, kind):
            return value
    if isinstance(column.type, String):
        return f"{column.name} {n}"[: column.type.length]
    raise AssertionError(f"no made-up value for {table.name}.{column.name} ({column.type!r})")


def _row(table: Table, n: int, given: dict[str, Any], written: Rows) -> dict[str, Any]:
    """Row `n` of `table`: the `given` values; foreign keys to the last row written to their
    table (None when there is none yet: a table's own first row); made-up values for the
    rest; its id left to the database."""
    row = {}
    for column in table.c:
        if column.name in given:
            row[column.name] = given[column.name]
        elif column.foreign_keys:
            (key,) = column.foreign_keys
            parents = written.get(key.column.table.name)
            row[column.name] = parents[-1][key.column.name] if parents else None
        elif not _serial(table, column):
            row[column.name] = _value(table, column, n)
    return row


def _serial(table: Table, column: Column) -> bool:
    """An integer id the database assigns."""
    return list(table.primary_key) == [column] and isinstance(column.type, Integer)


def write_every_table(engine: Engine) -> Rows:
    """Rows in every table of the schema the store is at, parents first; returns them as
    read back, by table."""
    schema = MetaData()
    schema.reflect(engine)
    written: Rows = {}
    with engine.begin() as conn:
        for table in schema.sorted_tables:
            if table.name == "alembic_version":
                continue
            incident_id = written["incidents"][-1]["id"] if "incidents" in written else None
            given = realistic(incident_id).get(table.name, [{}])
            written[table.name] = []
            for n, values in enumerate(given):
                row = _row(table, n, values, written)
                key = conn.execute(table.insert().values(row)).inserted_primary_key
                found = conn.execute(select(table).where(_is(table, key))).one()
                written[table.name].append(found._asdict())
    return written


def _is(table: Table, key: Any) -> Any:
    return and_(*(c == v for c, v in zip(table.primary_key, key, strict=True)))


def check_rows_kept(engine: Engine, written: Rows) -> None:
    """Every row written is still there, with the same values in every column it still has."""
    schema = MetaData()
    schema.reflect(engine)
    with engine.connect() as conn:
        for name, rows in written.items():
            assert name in schema.tables, f"table {name} is gone: account for its rows here"
            table = schema.tables[name]
            gone = set(rows[0]) - set(table.c.keys())
            assert gone <= DROPPED.get(name, set()), f"{name} lost columns {gone}"
            for row in rows:
                key = [row[c.name] for c in table.primary_key]
                found = conn.execute(select(table).where(_is(table, key))).one_or_none()
                assert found is not None, f"{name} lost row {key}"
                kept = {c: v for c, v in row.items() if c in table.c}
                assert {c: getattr(found, c) for c in kept} == kept, f"{name} row {key}"


def check_models_read(engine: Engine, written: Rows) -> None:
    """Today's models load every row (JSON, times, enums decode)."""
    with Session(engine) as session:
        for mapper in Base.registry.mappers:
            table = mapper.class_.__tablename__
            loaded = session.scalars(select(mapper.class_)).all()
            stored = session.scalar(select(func.count()).select_from(mapper.local_table))
            assert len(loaded) == stored >= len(written.get(table, [])), table


def check_domains_read(engine: Engine, written: Rows) -> None:
    """The stores show the realistic rows as the pages would."""
    (incident,) = store.incidents(engine)
    assert (incident.key, incident.kecamatan_codes) == ("gempa-cianjur-2022", ("32.03.11",))
    reports = report_store.all_versions(engine, incident.id)
    assert reports[["reporter", "deaths", "verification"]].values.tolist() == [
        ["TKSK Cugenang", 3, "verified"]
    ]
    assert team_store.roster(engine)["name"].tolist() == ["Tagana Cianjur 1"]
    if "stock_movements" in written:
        stock = logistics_store.stock(engine)
        assert stock[["item", "on_hand"]].values.tolist() == [["makanan_siap_saji", 600]]
    if "households" in written:
        (household_id,) = household_store.households(engine, incident.id)["id"]
        clear = household_store.reveal(engine, VAULT, household_id, SYSTEM, "uji upgrade")
        assert (clear["kk"], clear["payout"]) == (KK, "BRI 0123-01-000123-50-1")
        assert [(m["nik"], m["name"]) for m in clear["members"]] == [(HEAD_NIK, "Asep Saepudin")]
    if "alerts" in written:
        assert incident_alerts(engine, incident.id)["acked_by"].tolist() == ["Koordinator"]


def test_every_migration_file_is_one_revision_in_a_single_line() -> None:
    """The upgrade test below covers every revision the script directory walks: a migration
    file off that line (a second head, a wrong down_revision) fails here."""
    files = [p for p in (MIGRATIONS / "versions").glob("*.py") if not p.name.startswith("_")]
    assert len(SCRIPT.get_heads()) == 1
    assert len(REVISIONS) == len(files)
    downs = [SCRIPT.get_revision(r).down_revision for r in REVISIONS]
    assert downs == [None, *REVISIONS[:-1]]


def test_realistic_rows_name_only_columns_of_todays_schema() -> None:
    rows = realistic(1)
    unknown = {
        f"{name}.{column}"
        for name, table_rows in rows.items()
        for row in table_rows
        for column in row
        if column not in Base.metadata.tables[name].c
    }
    assert unknown == set()


@pytest.mark.parametrize("revision", REVISIONS)
def test_a_store_at_any_revision_upgrades_with_every_row_kept_and_readable(
    empty_database_url: str, revision: str
) -> None:
    engine = make_engine(empty_database_url)
    migrate(engine, revision)
    written = write_every_table(engine)
    assert migrate(engine) == REVISIONS[-1]
    check_rows_kept(engine, written)
    check_models_read(engine, written)
    check_domains_read(engine, written)
    engine.dispose()


def _at_a_newer_revision(engine: Engine) -> None:
    """The store as a newer release leaves it: at a revision this code does not know."""
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0999'"))


def test_revision_order_places_every_revision_and_knows_none_newer() -> None:
    assert [revision_order(r) for r in (None, *REVISIONS)] == list(range(len(REVISIONS) + 1))
    assert revision_order("0999") is None


def test_a_store_from_a_newer_release_is_refused_saying_so(database_url: str) -> None:
    engine = make_engine(database_url)
    _at_a_newer_revision(engine)
    with pytest.raises(SchemaRefused, match=f"revision 0999, .* newest is {REVISIONS[-1]}"):
        migrate(engine)
    assert current_revision(engine) == "0999"
    engine.dispose()


def test_the_command_line_refuses_a_newer_store_in_one_line(database_url: str) -> None:
    engine = make_engine(database_url)
    _at_a_newer_revision(engine)
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-m", "command_center.cli", "init-db"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": database_url},
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: the database is at schema revision 0999")
    assert "Traceback" not in done.stderr


def test_a_downgrade_is_refused_pointing_at_the_backup(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    earlier = REVISIONS[-2]
    with pytest.raises(
        SchemaRefused,
        match=f"back from schema revision {REVISIONS[-1]} to {earlier}: .* restore the backup",
    ):
        migrate(engine, earlier)
    assert current_revision(engine) == REVISIONS[-1]
    engine.dispose()
