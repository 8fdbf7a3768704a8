"""impact reports keep the columns of their file (the answers of their form) that are none of
their fields, instead of dropping them

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 09:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("impact_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("other_columns", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("impact_reports", schema=None) as batch_op:
        batch_op.drop_column("other_columns")
