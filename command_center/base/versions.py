"""Data versions: every committed write moves the counter of each table it wrote, in the same
transaction, so a result cached under the counters it read is never served after a write
replaced its data, whichever process or worker wrote.

All writes go through ORM sessions; `track` hooks them once per process: flushed objects and
ORM-enabled `insert`/`update`/`delete` statements name their tables, and the counters move just
before the commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from command_center.base.models import Base, DataVersion

TOUCHED = "cc_touched_tables"
OWN = DataVersion.__tablename__


def _touched(session: Session) -> set[str]:
    return session.info.setdefault(TOUCHED, set())


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table and table != OWN and (obj in session.new or session.is_modified(obj)):
            _touched(session).add(table)


def _orm_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None and table.name != OWN:
            _touched(state.session).add(table.name)


def touch(session: Session, table: str) -> None:
    """Count a write to `table` that bypassed the ORM (a bulk copy) in this transaction."""
    _touched(session).add(table)


def _before_commit(session: Session) -> None:
    session.flush()  # what is still pending names its tables now
    touched = sorted(session.info.pop(TOUCHED, ()))
    if touched:
        session.execute(
            update(DataVersion)
            .where(DataVersion.name.in_(touched))
            .values(version=DataVersion.version + 1)
        )


def _forget(session: Session, *_: Any) -> None:
    session.info.pop(TOUCHED, None)


def track() -> None:
    """Hook every ORM session of this process (once; harmless to repeat)."""
    hooks = (
        ("after_flush", _after_flush),
        ("do_orm_execute", _orm_execute),
        ("before_commit", _before_commit),
        ("after_rollback", _forget),
    )
    for name, hook in hooks:
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)


def seed(engine: Engine) -> None:
    """A counter for every table of the schema (after a migration; keeps existing ones)."""
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    rows = [{"name": name, "version": 0} for name in Base.metadata.tables if name != OWN]
    with engine.begin() as conn:
        conn.execute(insert(DataVersion).values(rows).on_conflict_do_nothing())


def read(engine: Engine) -> dict[str, int]:
    """Every table's counter, as committed."""
    with engine.connect() as conn:
        return dict(conn.execute(select(DataVersion.name, DataVersion.version)).all())


def move_past(engine: Engine, seen: dict[str, int]) -> None:
    """Set every counter beyond both its own value and `seen`'s (a store replaced whole, by a
    restore): a result cached under an earlier counter is never served for the new data."""
    now = read(engine)
    with engine.begin() as conn:
        for name, version in now.items():
            conn.execute(
                update(DataVersion)
                .where(DataVersion.name == name)
                .values(version=max(version, seen.get(name, 0)) + 1)
            )
