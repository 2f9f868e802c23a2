"""threads.last_seen_at indexed: a pass's look at the recent threads reads only them

The hot refresh's candidates and a watch group's recent threads (the story check) are the threads
a board listed lately. Without an index on ``last_seen_at`` both read the whole history, which the
default retention (``thread_days = 0``) keeps for ever: at 100,000 threads over a year, 20 to 35 ms
a query on SQLite, growing with every thread stored (``python -m monitor.bench_history``).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 23:15:00
"""

from __future__ import annotations

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_threads_last_seen_at", "threads", ["last_seen_at"])


def downgrade() -> None:
    op.drop_index("ix_threads_last_seen_at", table_name="threads")
