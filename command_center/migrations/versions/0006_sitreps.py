"""sitreps: every issued Laporan Situasi

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 21:55:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "sitreps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=80), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_sitreps_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sitreps")),
        sa.UniqueConstraint("incident_id", "number", name=op.f("uq_sitreps_incident_id")),
    )
    with op.batch_alter_table("sitreps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sitreps_incident_id"), ["incident_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("sitreps")
