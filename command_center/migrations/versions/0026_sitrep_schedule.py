"""sitrep schedule and sending: an incident's times of day for a sitrep, the slots taken,
an alert's sitrep, and the format a subscriber gets it in

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-15 09:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sitrep_at", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("sitrep_at_set", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "sitrep_slots",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("slot_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_sitrep_slots_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", "slot_at", name=op.f("pk_sitrep_slots")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sitrep_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_alerts_sitrep_id_sitreps"),
            "sitreps",
            ["sitrep_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("alert_subscriptions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sitrep_format", sa.String(length=5), server_default="pdf", nullable=False)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("alert_subscriptions", schema=None) as batch_op:
        batch_op.drop_column("sitrep_format")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_alerts_sitrep_id_sitreps"), type_="foreignkey")
        batch_op.drop_column("sitrep_id")
    op.drop_table("sitrep_slots")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("sitrep_at_set")
        batch_op.drop_column("sitrep_at")
