"""Aid logistics: warehouses and their stock ledger, shelters, dapur umum, dispatches

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 06:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
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


def _place() -> list[sa.Column]:
    return [
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("kecamatan_code", sa.String(13), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
    ]


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "warehouses",
        sa.Column("id", sa.Integer(), nullable=False),
        *_place(),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("kabupaten_code", sa.String(13), nullable=False),
        sa.Column("is_exercise", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        _fk("warehouses", "kecamatan_code", "areas"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouses")),
        sa.UniqueConstraint("name", name=op.f("uq_warehouses_name")),
    )
    op.create_index(op.f("ix_warehouses_kabupaten_code"), "warehouses", ["kabupaten_code"])
    op.create_table(
        "shelters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        *_place(),
        sa.Column("capacity", sa.Integer(), nullable=True),
        *(
            sa.Column(c, sa.Integer(), nullable=False)
            for c in ("people", "families", "toddlers", "pregnant", "elderly", "disabled")
        ),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("contact_name", sa.String(120), nullable=True),
        sa.Column("contact_phone", sa.String(40), nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("shelters", "incident_id", "incidents", "CASCADE"),
        _fk("shelters", "kecamatan_code", "areas"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shelters")),
    )
    op.create_index(op.f("ix_shelters_incident_id"), "shelters", ["incident_id"])
    op.create_index(op.f("ix_shelters_kecamatan_code"), "shelters", ["kecamatan_code"])
    op.create_table(
        "kitchens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        *_place(),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("updated_by", sa.String(80), nullable=False),
        _fk("kitchens", "incident_id", "incidents", "CASCADE"),
        _fk("kitchens", "kecamatan_code", "areas"),
        _fk("kitchens", "team_id", "teams", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kitchens")),
    )
    op.create_index(op.f("ix_kitchens_incident_id"), "kitchens", ["incident_id"])
    op.create_table(
        "meals_served",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kitchen_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("meal", sa.String(10), nullable=False),
        sa.Column("portions", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(80), nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        _fk("meals_served", "kitchen_id", "kitchens", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meals_served")),
        sa.UniqueConstraint("kitchen_id", "day", "meal", name=op.f("uq_meals_served_kitchen_id")),
    )
    op.create_table(
        "dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("kecamatan_code", sa.String(13), nullable=False),
        sa.Column("shelter_id", sa.Integer(), nullable=True),
        sa.Column("kitchen_id", sa.Integer(), nullable=True),
        sa.Column("carrier", sa.String(120), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("received_at", WHEN, nullable=True),
        sa.Column("received_by", sa.String(120), nullable=True),
        sa.Column("receipt_note", sa.Text(), nullable=True),
        sa.Column("received", sa.JSON(), nullable=True),
        sa.Column("recorded_by", sa.String(80), nullable=True),
        _fk("dispatches", "incident_id", "incidents"),
        _fk("dispatches", "warehouse_id", "warehouses"),
        _fk("dispatches", "kecamatan_code", "areas"),
        _fk("dispatches", "shelter_id", "shelters"),
        _fk("dispatches", "kitchen_id", "kitchens"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatches")),
    )
    op.create_index(op.f("ix_dispatches_incident_id"), "dispatches", ["incident_id"])
    op.create_index(op.f("ix_dispatches_warehouse_id"), "dispatches", ["warehouse_id"])
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(40), nullable=False),
        sa.Column("batch", sa.String(60), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(20), nullable=True),
        sa.Column("source", sa.String(120), nullable=True),
        sa.Column("document", sa.String(120), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("dispatch_id", sa.Integer(), nullable=True),
        sa.Column("other_warehouse_id", sa.Integer(), nullable=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("by", sa.String(80), nullable=False),
        _fk("stock_movements", "warehouse_id", "warehouses"),
        _fk("stock_movements", "dispatch_id", "dispatches"),
        _fk("stock_movements", "other_warehouse_id", "warehouses"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    op.create_index(
        "ix_stock_movements_stock", "stock_movements", ["warehouse_id", "item", "batch"]
    )
    op.create_index(op.f("ix_stock_movements_dispatch_id"), "stock_movements", ["dispatch_id"])
    op.create_index(op.f("ix_stock_movements_at"), "stock_movements", ["at"])


def downgrade() -> None:
    """Downgrade schema."""
    for table in ("stock_movements", "dispatches", "meals_served", "kitchens", "shelters"):
        op.drop_table(table)
    op.drop_table("warehouses")
