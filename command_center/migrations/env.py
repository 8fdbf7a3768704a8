"""Alembic environment: runs migrations on the Engine that `command_center.db` passes in."""

from alembic import context

from command_center.models import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
