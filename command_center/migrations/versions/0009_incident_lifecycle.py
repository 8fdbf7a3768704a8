"""incident lifecycle: hazard types, phases (SK), event links, close, merge, final sitrep

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_incidents_merged_into_id_incidents"),
            "incidents",
            ["merged_into_id"],
            ["id"],
        )
    # incidents were earthquakes only, under the event's word; now one of BNPB's hazards
    op.execute("UPDATE incidents SET kind = 'gempa_bumi' WHERE kind = 'earthquake'")
    op.create_table(
        "incident_phases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=30), nullable=False),
        sa.Column("decree", sa.String(length=120), nullable=False),
        sa.Column("authority", sa.String(length=120), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_phases_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_phases")),
    )
    with op.batch_alter_table("incident_phases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_phases_incident_id"), ["incident_id"], unique=False
        )
    op.create_table(
        "incident_events",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("hazard_event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hazard_event_id"],
            ["hazard_events.id"],
            name=op.f("fk_incident_events_hazard_event_id_hazard_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_events_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", "hazard_event_id", name=op.f("pk_incident_events")),
    )
    with op.batch_alter_table("sitreps", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_final", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("sitreps", schema=None) as batch_op:
        batch_op.alter_column("is_final", server_default=None)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("sitreps", schema=None) as batch_op:
        batch_op.drop_column("is_final")
    op.drop_table("incident_events")
    op.drop_table("incident_phases")
    op.execute("UPDATE incidents SET kind = 'earthquake' WHERE kind = 'gempa_bumi'")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_incidents_merged_into_id_incidents"), type_="foreignkey"
        )
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("description")
