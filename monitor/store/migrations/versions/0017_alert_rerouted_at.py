"""alerts remember when an escalation last gave them to another spokesperson

The routing tree may give an escalated alert to someone else (a route for 非常紧迫, say). The new
owner must acknowledge it themselves, so an acknowledgement the previous owner made is withdrawn
and the acknowledgement clock (the backup told after the tier's time, leadership after twice that)
starts again then: ``rerouted_at``. Alerts already stored have none (their clocks run from their
opening, as before).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.types

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rerouted_at", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("rerouted_at")
