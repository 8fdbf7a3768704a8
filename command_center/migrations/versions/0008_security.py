"""security: sign-in throttling and lockout, scoped wall-screen tokens and quarantine rows

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("failed_sign_ins", server_default=None)
        batch_op.alter_column("must_change_password", server_default=None)
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_failures_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sign_in_failures_client"), ["client"], unique=False)
    with op.batch_alter_table("kiosk_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column("incident_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_kiosk_tokens_incident_id_incidents"),
            "incidents",
            ["incident_id"],
            ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=13), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_column("scope")
    with op.batch_alter_table("kiosk_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_kiosk_tokens_incident_id_incidents"), type_="foreignkey"
        )
        batch_op.drop_column("incident_id")
        batch_op.drop_column("scope")
    op.drop_table("sign_in_failures")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("locked_at")
        batch_op.drop_column("failed_sign_ins")
