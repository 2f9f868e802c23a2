"""sources remember how far their clock (the Date header) was from ours at their last board read

When a forum's clock and ours are more than 10 minutes apart (ours jumped, or the forum's is
wrong), the detector times a thread's replies on the forum's clock, which dated them. The crawler
knew the offset only in its own memory, so `monitor threads rising` and the dashboard, in other
processes, timed replies on ours and showed "0 replies in the last 60 min". ``clock_skew_seconds``
is the forum's clock minus ours, or NULL when within 10 minutes or not known.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clock_skew_seconds", sa.Float(), nullable=True))


def downgrade() -> None:
    # sources is referenced by other tables: on SQLite (3.35+), drop the column in place, no copy
    with op.batch_alter_table("sources", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("clock_skew_seconds")
