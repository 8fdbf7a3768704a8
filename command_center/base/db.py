"""Engine creation and schema migrations. Only the URL decides SQLite or PostgreSQL."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from command_center.base import versions
from command_center.base.errors import SchemaRefused

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_CACHE_KIB = 64 * 1024  # per connection; SQLite's 2 MB default re-reads a large ledger
IMMEDIATE = "sqlite_begin_immediate"
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
log = logging.getLogger(__name__)


def make_engine(database_url: str) -> Engine:
    """An Engine for `database_url`; SQLite gets WAL, a busy timeout, foreign keys and a page
    cache of 64 MB. Its sessions' writes move the data versions (`versions.track`)."""
    versions.track()
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that DDL
        # in migrations is transactional too (SQLAlchemy's documented pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def unreachable(exc: BaseException) -> bool:
    """Whether `exc` says the PostgreSQL server cannot be reached now (refused, starting up,
    shutting down, or gone mid-query): it may answer again. SQLite's own errors (a locked or
    missing file) are not this; they keep their own handling."""
    if not isinstance(exc, DBAPIError):
        return False
    lost = (psycopg.OperationalError, psycopg.InterfaceError)
    return exc.connection_invalidated or isinstance(exc.orig, lost)


@dataclass
class Outage:
    """The store away for a long-running loop (`who`): said once when it goes and once when
    it is back, and how long to wait before each next try (doubling up to `most_s`)."""

    who: str
    first_s: float = 0.5
    most_s: float = 2.0
    since: float | None = None
    tries: int = 0

    def failed(self, exc: DBAPIError) -> float:
        """Note a failed pass; returns the seconds to wait before the next one."""
        if self.since is None:
            self.since = time.monotonic()
            log.warning("%s: store unavailable, will retry: %s", self.who, exc.orig)
        self.tries += 1
        return min(self.most_s, self.first_s * 2 ** (self.tries - 1))

    def ended(self) -> None:
        """Note a pass that reached the store."""
        if self.since is not None:
            away = time.monotonic() - self.since
            log.warning("%s: store back after %.0f s", self.who, away)
            self.since, self.tries = None, 0


def writing(engine: Engine) -> Session:
    """A session for a read-check-write transaction.

    On SQLite its transaction takes the write lock when it begins (`BEGIN IMMEDIATE`), so a
    second writer waits and then reads what the first one committed, instead of failing on a
    stale snapshot. PostgreSQL needs nothing more: row versions catch the race there.
    """
    return Session(engine.execution_options(**{IMMEDIATE: True}))


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


@cache
def _revisions() -> tuple[str, ...]:
    """This code's schema revisions, oldest first."""
    script = ScriptDirectory(str(MIGRATIONS))
    return tuple(reversed([r.revision for r in script.walk_revisions()]))


def revision_order(revision: str | None) -> int | None:
    """Where a schema revision stands among this code's migrations: 0 for an empty database
    (None), 1 for the first migration and so on up to the newest; None for a revision this code
    does not know (a newer release wrote it)."""
    if revision is None:
        return 0
    known = _revisions()
    return known.index(revision) + 1 if revision in known else None


def migrate(engine: Engine, revision: str = "head") -> str:
    """Create or upgrade the schema to `revision` (the newest by default); harmless to repeat.
    Migrations only go forward: going back to an earlier release means restoring the backup
    taken before the upgrade.

    Returns:
        The revision the database is at afterwards.

    Raises:
        SchemaRefused: the database is at a revision this code does not know (a newer
            release's), or `revision` is unknown or older than the database's.
    """
    current = current_revision(engine)
    target = _revisions()[-1] if revision == "head" else revision
    now, then = revision_order(current), revision_order(target)
    if now is None:
        raise SchemaRefused(
            f"the database is at schema revision {current}, which this release does not know "
            f"(its newest is {_revisions()[-1]}): a newer release upgraded it. Run that "
            "release, or restore a backup made with this one."
        )
    if then is None:
        raise SchemaRefused(f"no schema revision {revision} in this release")
    if then < now:
        raise SchemaRefused(
            f"refusing to take the database back from schema revision {current} to {target}: "
            "migrations only go forward. To go back, restore the backup taken before the "
            "upgrade."
        )
    command.upgrade(_alembic_config(engine), target)
    if revision == "head":
        versions.seed(engine)
    return current_revision(engine) or ""


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def bulk_write(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    key: str | None = None,
) -> None:
    """Write many plain rows into `table` inside the session's transaction, fast: COPY on
    PostgreSQL, one prepared statement on SQLite. With `key` (unique within `rows`), a row
    whose key is already stored replaces its other columns. Rows hold database-ready values
    (bytes, dates, times, numbers, booleans); the table's data version moves as for any
    write."""
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(columns)
    connection = session.connection()
    upsert = ""
    if key is not None:
        changed = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
        upsert = f" ON CONFLICT ({key}) DO UPDATE SET {changed}"
    if connection.dialect.name == "postgresql":
        target = table.name
        if key is not None:
            target = f"load_{table.name}"
            connection.exec_driver_sql(
                f"CREATE TEMP TABLE {target} (LIKE {table.name}) ON COMMIT DROP"
            )
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        if key is not None:
            connection.exec_driver_sql(
                f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {target}{upsert}"
            )
            connection.exec_driver_sql(f"DROP TABLE {target}")
    else:
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({names}) VALUES ({marks}){upsert}",
            [tuple(_sqlite_value(row[c]) for c in columns) for row in rows],
        )
    versions.touch(session, table.name)


def _sqlite_value(value: Any) -> Any:
    """A value as SQLAlchemy stores it on SQLite (dates and UTC times as text)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat() if isinstance(value, date) else value


def next_ids(session: Session, table: Table, count: int) -> list[int]:
    """`count` new primary keys of `table` for `bulk_write`, taken in the session's write
    transaction (its sequence on PostgreSQL; after the highest id under SQLite's write lock)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        query = (
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
            f"FROM generate_series(1, {int(count)})"
        )
        return [row[0] for row in connection.exec_driver_sql(query)]
    highest = connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table.name}")
    start = highest.scalar() + 1
    return list(range(start, start + count))
