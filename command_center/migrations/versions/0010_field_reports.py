"""field reports: reporter links, kabupaten-level reports, BNPB "terluka"

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "reporter_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("kecamatan", sa.JSON(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_reporter_links_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporter_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reporter_links_token_hash")),
    )
    with op.batch_alter_table("impact_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "area_level", sa.String(length=10), nullable=False, server_default="kecamatan"
            )
        )
        batch_op.add_column(sa.Column("injured_unspecified", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reporter_link_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_impact_reports_reporter_link_id"), ["reporter_link_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_impact_reports_reporter_link_id_reporter_links"),
            "reporter_links",
            ["reporter_link_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("impact_reports", schema=None) as batch_op:
        batch_op.alter_column("area_level", server_default=None)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("impact_reports", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_impact_reports_reporter_link_id_reporter_links"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_impact_reports_reporter_link_id"))
        batch_op.drop_column("reporter_link_id")
        batch_op.drop_column("injured_unspecified")
        batch_op.drop_column("area_level")
    op.drop_table("reporter_links")
