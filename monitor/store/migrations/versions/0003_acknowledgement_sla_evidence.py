"""acknowledgement sla evidence

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:58:21.511616
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("fetched_at", monitor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_alert_id"), ["alert_id"], unique=False)

    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("actor", sa.String(length=200), server_default="monitor", nullable=False)
        )

    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("acknowledged_at", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("acknowledged_by", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("contacted_at", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("resolved_at", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("ack_escalation", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("reminded_at", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("progress_prompted_at", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("band", sa.Integer(), server_default="0", nullable=False))

    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("step_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("done_by", sa.String(length=200), nullable=True))

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=32), server_default="alert", nullable=False))
        batch_op.add_column(sa.Column("recipient", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("notice", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("notice")
        batch_op.drop_column("recipient")
        batch_op.drop_column("kind")

    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.drop_column("done_by")
        batch_op.drop_column("step_id")

    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("band")
        batch_op.drop_column("progress_prompted_at")
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("ack_escalation")
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("contacted_at")
        batch_op.drop_column("acknowledged_by")
        batch_op.drop_column("acknowledged_at")

    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.drop_column("actor")

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_alert_id"))

    op.drop_table("evidence")
