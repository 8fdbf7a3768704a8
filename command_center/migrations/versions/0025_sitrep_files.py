"""sitrep files: the PDF and the WhatsApp image of each issued sitrep

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-14 09:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "sitrep_files",
        sa.Column("sitrep_id", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sitrep_id"],
            ["sitreps.id"],
            name=op.f("fk_sitrep_files_sitrep_id_sitreps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sitrep_id", name=op.f("pk_sitrep_files")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("sitrep_files")
