"""audit log hash chain: each entry's place and hash; entries already written are chained in
the order they were written

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 11:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from command_center.base.models import UTCDateTime
from command_center.services import audit_chain

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the columns the chain covers, as stored (times come back in UTC on SQLite too)
audit_log = sa.table(
    "audit_log",
    sa.column("id", sa.Integer),
    sa.column("chain_seq", sa.Integer),
    sa.column("chain_hash", sa.String),
    sa.column("at", UTCDateTime),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
)


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("chain_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_audit_log_chain_seq"), ["chain_seq"])
    bind = op.get_bind()
    rows = bind.execute(sa.select(audit_log).order_by(audit_log.c.id)).all()
    seq, previous, chained = 0, audit_chain.GENESIS, []
    for row in rows:
        seq += 1
        previous = audit_chain.hash_of(row, previous, seq)
        chained.append({"row_id": row.id, "seq": seq, "hash": previous})
    if chained:
        bind.execute(
            sa.update(audit_log)
            .where(audit_log.c.id == sa.bindparam("row_id"))
            .values(chain_seq=sa.bindparam("seq"), chain_hash=sa.bindparam("hash")),
            chained,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_log_chain_seq"), type_="unique")
        batch_op.drop_column("chain_hash")
        batch_op.drop_column("chain_seq")
