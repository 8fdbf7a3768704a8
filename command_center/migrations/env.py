"""Alembic environment: runs migrations on the Engine that `command_center.base.db` passes in.

On SQLite, batch migrations rebuild tables (copy, drop, rename), which foreign keys would
block; they are switched off for the migration (outside its transaction, as SQLite requires)
and checked afterwards (the connection is then discarded), so a migration can never leave
dangling references behind.
"""

from alembic import context

from command_center.base.models import Base

engine = context.config.attributes["engine"]
sqlite = engine.dialect.name == "sqlite"
with engine.connect() as connection:
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=sqlite)
    with connection.begin():
        context.run_migrations()
        if sqlite:
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"migration left broken foreign keys: {problems[:5]}")
    if sqlite:
        connection.invalidate()  # never hand this foreign-keys-off connection back to the pool
