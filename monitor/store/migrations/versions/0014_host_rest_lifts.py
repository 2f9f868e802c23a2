"""host_rests.lifted_at: a forum's rest lifted by hand

``monitor sources wake KEY`` lets a forum be asked again before the rest its Retry-After asked
for is over (its admin has let the monitor in again). The time of the lift is kept, so a running
``monitor run`` or another worker drops the rest it holds in memory when it next reads the row.
Empty at first.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("host_rests") as table:
        table.add_column(
            sa.Column("lifted_at", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("host_rests") as table:
        table.drop_column("lifted_at")
