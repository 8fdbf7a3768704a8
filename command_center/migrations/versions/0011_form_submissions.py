"""form submissions pulled from ODK Central / KoboToolbox

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "form_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("server", sa.String(length=200), nullable=False),
        sa.Column("form", sa.String(length=120), nullable=False),
        sa.Column("submission_id", sa.String(length=120), nullable=False),
        sa.Column("version_id", sa.String(length=120), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submissions")),
        sa.UniqueConstraint(
            "server", "form", "version_id", name=op.f("uq_form_submissions_server")
        ),
    )
    with op.batch_alter_table("form_submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_form_submissions_submission_id"), ["submission_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("form_submissions")
