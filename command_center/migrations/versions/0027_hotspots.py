"""hotspots: satellite fire detections (NASA FIRMS VIIRS and MODIS)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 14:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "hotspots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("satellite", sa.String(length=20), nullable=False),
        sa.Column("instrument", sa.String(length=10), nullable=False),
        sa.Column("confidence", sa.String(length=10), nullable=False),
        sa.Column("frp_mw", sa.Float(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotspots")),
        sa.UniqueConstraint(
            "satellite", "time_utc", "lat", "lon", name=op.f("uq_hotspots_satellite")
        ),
    )
    with op.batch_alter_table("hotspots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hotspots_time_utc"), ["time_utc"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("hotspots")
