"""Decree confirmation: who confirmed an emergency phase decree (SK), and when

A siaga or tanggap darurat decree recorded by a non-admin now waits for a second person before
it releases a lumbung sosial's stock. Decrees recorded before this revision count as confirmed
by their recorder, at the time they were recorded: they were in force under the old rule, and
nobody else saw them to confirm.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 09:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("incident_phases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    phases = sa.table(
        "incident_phases",
        sa.column("created_by", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("confirmed_by", sa.String()),
        sa.column("confirmed_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        phases.update().values(confirmed_by=phases.c.created_by, confirmed_at=phases.c.created_at)
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("incident_phases", schema=None) as batch_op:
        batch_op.drop_column("confirmed_at")
        batch_op.drop_column("confirmed_by")
