"""Engine creation and schema migrations. Only the URL decides SQLite or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from command_center import versions

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_CACHE_KIB = 64 * 1024  # per connection; SQLite's 2 MB default re-reads a large ledger
IMMEDIATE = "sqlite_begin_immediate"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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


def migrate(engine: Engine, revision: str = "head") -> str:
    """Create or upgrade the schema to `revision` (the newest by default); harmless to repeat.

    Returns:
        The revision the database is at afterwards.
    """
    command.upgrade(_alembic_config(engine), revision)
    if revision == "head":
        versions.seed(engine)
    return current_revision(engine) or ""


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
