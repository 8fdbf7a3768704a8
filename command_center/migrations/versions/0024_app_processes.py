"""app processes: each app process's open sessions and page rerun times, for /metrics

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-12 09:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "app_processes",
        sa.Column("process", sa.String(length=120), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("rerun_buckets", sa.JSON(), nullable=False),
        sa.Column("rerun_sum_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("process", name=op.f("pk_app_processes")),
    )
    op.create_index(op.f("ix_app_processes_seen_at"), "app_processes", ["seen_at"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_app_processes_seen_at"), table_name="app_processes")
    op.drop_table("app_processes")
