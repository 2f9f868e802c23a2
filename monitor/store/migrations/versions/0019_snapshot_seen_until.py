"""a thread's snapshot holds until the last poll that read it unchanged (``seen_until``)

Every poll wrote a snapshot of every listed thread, changed or not: at 1,500 threads polled every
10 minutes, 216,000 rows a day, most of them copies of the one before. A poll whose reading (replies,
views, distinct authors, negative share, me-too authors) equals the thread's latest snapshot now
only moves that snapshot's ``seen_until`` to its own time; a snapshot holds from ``taken_at`` to
``seen_until`` (NULL: read only at ``taken_at``, as every row stored before this revision).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.types

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thread_snapshots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("seen_until", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    # a snapshot read again later gets a row for its last reading, so the older release's figures (the
    # views a window ago, a board's first-day pace, "the thread's newest snapshot") keep where it ended
    op.execute(
        "INSERT INTO thread_snapshots (thread_id, taken_at, replies, views, distinct_authors, "
        "negative_share, me_too_authors) SELECT thread_id, seen_until, replies, views, distinct_authors, "
        "negative_share, me_too_authors FROM thread_snapshots WHERE seen_until IS NOT NULL"
    )
    with op.batch_alter_table("thread_snapshots", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("seen_until")
