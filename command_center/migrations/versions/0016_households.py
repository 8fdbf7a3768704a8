"""Affected households, their members, Kemensos assistance payments, the registry extract

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str | None = None):
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.{'code' if target == 'areas' else 'id'}"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kecamatan_code", sa.String(13), nullable=False),
        sa.Column("desa", sa.String(120), nullable=False),
        sa.Column("kk_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("kk_index", sa.String(64), nullable=False),
        sa.Column("kk_masked", sa.String(16), nullable=False),
        sa.Column("head_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("head_masked", sa.String(120), nullable=False),
        sa.Column("address_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("payout_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("damage", sa.String(10), nullable=False),
        sa.Column("displaced", sa.Boolean(), nullable=False),
        sa.Column("shelter_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("households", "incident_id", "incidents", "CASCADE"),
        _fk("households", "kecamatan_code", "areas"),
        _fk("households", "shelter_id", "shelters", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("incident_id", "kk_index", name=op.f("uq_households_incident_id")),
    )
    op.create_index(op.f("ix_households_incident_id"), "households", ["incident_id"])
    op.create_index(op.f("ix_households_kecamatan_code"), "households", ["kecamatan_code"])
    op.create_table(
        "household_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("nik_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("nik_index", sa.String(64), nullable=False),
        sa.Column("nik_masked", sa.String(16), nullable=False),
        sa.Column("name_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("relation", sa.String(20), nullable=False),
        sa.Column("casualty", sa.String(12), nullable=True),
        sa.Column("pregnant", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        _fk("household_members", "household_id", "households", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_members")),
        sa.UniqueConstraint(
            "incident_id", "nik_index", name=op.f("uq_household_members_incident_id")
        ),
    )
    op.create_index(
        op.f("ix_household_members_household_id"), "household_members", ["household_id"]
    )
    op.create_index(op.f("ix_household_members_nik_index"), "household_members", ["nik_index"])
    op.create_table(
        "assistance_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("programme", sa.String(30), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("heir_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(15), nullable=False),
        sa.Column("proposed_at", WHEN, nullable=False),
        sa.Column("proposed_by", sa.String(80), nullable=False),
        sa.Column("verified_at", WHEN, nullable=True),
        sa.Column("verified_by", sa.String(80), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("paid_by", sa.String(80), nullable=True),
        sa.Column("reference", sa.String(120), nullable=True),
        _fk("assistance_payments", "incident_id", "incidents", "CASCADE"),
        _fk("assistance_payments", "household_id", "households", "SET NULL"),
        _fk("assistance_payments", "member_id", "household_members", "SET NULL"),
        _fk("assistance_payments", "heir_id", "household_members", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_payments")),
        sa.UniqueConstraint(
            "incident_id", "programme", "subject", name=op.f("uq_assistance_payments_incident_id")
        ),
    )
    op.create_index(
        op.f("ix_assistance_payments_incident_id"), "assistance_payments", ["incident_id"]
    )
    op.create_index(
        op.f("ix_assistance_payments_household_id"), "assistance_payments", ["household_id"]
    )
    op.create_table(
        "registry_entries",
        sa.Column("nik_index", sa.String(64), nullable=False),
        sa.Column("pkh", sa.Boolean(), nullable=False),
        sa.Column("sembako", sa.Boolean(), nullable=False),
        sa.Column("pbi", sa.Boolean(), nullable=False),
        sa.Column("decile", sa.Integer(), nullable=True),
        sa.Column("batch", sa.String(12), nullable=False),
        sa.PrimaryKeyConstraint("nik_index", name=op.f("pk_registry_entries")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    for table in ("registry_entries", "assistance_payments", "household_members", "households"):
        op.drop_table(table)
