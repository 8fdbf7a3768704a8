"""impact reports: who entered them, when they were verified

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 21:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("impact_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("created_by", sa.String(length=80), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("impact_reports", schema=None) as batch_op:
        batch_op.drop_column("created_by")
        batch_op.drop_column("verified_at")
