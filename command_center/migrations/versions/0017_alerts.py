"""Alerts out: the outbox, its deliveries, subscriptions, channel links, sender state

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 13:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(30), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(300), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("hazard", sa.String(30), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(200), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("fanned_out_at", WHEN, nullable=True),
        sa.Column("escalation", sa.Integer(), nullable=False),
        sa.Column("escalated_at", WHEN, nullable=True),
        sa.Column("acked_at", WHEN, nullable=True),
        sa.Column("acked_by", sa.String(120), nullable=True),
        _fk("alerts", "incident_id", "incidents", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alerts_dedupe_key")),
    )
    op.create_index(op.f("ix_alerts_incident_id"), "alerts", ["incident_id"])
    op.create_index(op.f("ix_alerts_fanned_out_at"), "alerts", ["fanned_out_at"])
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", WHEN, nullable=False),
        sa.Column("claimed_until", WHEN, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.Column("ack_token", sa.String(64), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        _fk("alert_deliveries", "alert_id", "alerts", "CASCADE"),
        _fk("alert_deliveries", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
        sa.UniqueConstraint("key", name=op.f("uq_alert_deliveries_key")),
        sa.UniqueConstraint("ack_token", name=op.f("uq_alert_deliveries_ack_token")),
    )
    op.create_index(op.f("ix_alert_deliveries_alert_id"), "alert_deliveries", ["alert_id"])
    op.create_index(op.f("ix_alert_deliveries_user_id"), "alert_deliveries", ["user_id"])
    op.create_index("ix_alert_deliveries_due", "alert_deliveries", ["status", "next_at"])
    op.create_table(
        "alert_subscriptions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("hazards", sa.JSON(), nullable=False),
        sa.Column("min_severity", sa.String(10), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("quiet_from", sa.String(5), nullable=True),
        sa.Column("quiet_until", sa.String(5), nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
        _fk("alert_subscriptions", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_alert_subscriptions")),
    )
    op.create_table(
        "channel_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("address", sa.String(320), nullable=True),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("code_expires_at", WHEN, nullable=True),
        sa.Column("linked_at", WHEN, nullable=True),
        _fk("channel_links", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_links")),
        sa.UniqueConstraint("user_id", "channel", name=op.f("uq_channel_links_user_id")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_channel_links_code_hash")),
    )
    op.create_table(
        "sender_state",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sender_state")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    for table in (
        "sender_state",
        "channel_links",
        "alert_subscriptions",
        "alert_deliveries",
        "alerts",
    ):
        op.drop_table(table)
