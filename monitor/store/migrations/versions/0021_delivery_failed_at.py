"""deliveries.failed_at: when the outbox gave a message up

A message the outbox gave up on (``MAX_ATTEMPTS`` tries, or an answer that says trying again is
pointless: a revoked chat robot, an address the mail server refuses for good) is listed in the
weekly digest's "Needs attention now" when it was given up in the digest's week, so the moment
must be kept. Rows given up before this revision take the moment of their alert's last
``delivery_failed`` event for the channel (the trail's record of giving up), else when they were
queued.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.types

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as table:
        table.add_column(
            sa.Column("failed_at", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE deliveries SET failed_at = COALESCE("
        "(SELECT MAX(e.at) FROM alert_events e WHERE e.alert_id = deliveries.alert_id "
        "AND e.kind = 'delivery_failed' AND e.detail LIKE deliveries.channel || ':%'), created_at) "
        "WHERE status = 'failed'"
    )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as table:
        table.drop_column("failed_at")
