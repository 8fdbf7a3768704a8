"""Household changes waiting for review, the verified payout of a payment, the personal-data
key's check value, and masks that show three digits only

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 09:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
MASK = "•"
MASKED = (("households", "kk_masked"), ("household_members", "nik_masked"))


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def _remask(keep: int) -> None:
    """Masked numbers as stored (`3203•••••••••011`): only the last `keep` digits remain
    (the key is not needed: the masked form holds them)."""
    conn = op.get_bind()
    for table, column in MASKED:
        rows = conn.execute(sa.text(f"SELECT id, {column} FROM {table}")).all()
        for row_id, masked in rows:
            shown = MASK * (len(masked) - keep) + masked[-keep:]
            conn.execute(
                sa.text(f"UPDATE {table} SET {column} = :shown WHERE id = :id"),
                {"shown": shown, "id": row_id},
            )


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "household_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("kecamatan_code", sa.String(13), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("keep_members", sa.Boolean(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("entry_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("proposed_by", sa.String(80), nullable=False),
        sa.Column("proposed_at", WHEN, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.String(80), nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("note", sa.String(200), nullable=True),
        _fk("household_changes", "incident_id", "incidents"),
        _fk("household_changes", "household_id", "households"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_changes")),
    )
    for column in ("incident_id", "household_id", "status"):
        op.create_index(op.f(f"ix_household_changes_{column}"), "household_changes", [column])
    op.create_table(
        "pdp_key_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_value", sa.String(32), nullable=False),
        sa.Column("set_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pdp_key_check")),
    )
    with op.batch_alter_table("assistance_payments") as batch:
        batch.add_column(sa.Column("payout_sealed", sa.LargeBinary(), nullable=True))
    _remask(3)


def downgrade() -> None:
    """Downgrade schema (masks keep their three digits: the others are not stored)."""
    with op.batch_alter_table("assistance_payments") as batch:
        batch.drop_column("payout_sealed")
    op.drop_table("pdp_key_check")
    for column in ("incident_id", "household_id", "status"):
        op.drop_index(op.f(f"ix_household_changes_{column}"), table_name="household_changes")
    op.drop_table("household_changes")
