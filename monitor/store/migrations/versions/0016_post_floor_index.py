"""an index for a thread's posts by floor

The views pace of a board (``board_view_readings``) finds each thread's first post (floor 1) once
per snapshot row; with ``posts`` indexed on ``thread_id`` alone each lookup read all the thread's
posts, so a long sticky thread polled for weeks cost snapshots × posts: on an upgraded database with
33,000 snapshots and up to 88,000 posts per thread, ``threads rising`` ran past 10 minutes. An
index on ``(thread_id, floor)`` finds it at once (0.21 s for that board) and replaces the one on
``thread_id`` (its prefix).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 08:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_posts_thread_id_floor", "posts", ["thread_id", "floor"], unique=False)
    op.drop_index("ix_posts_thread_id", table_name="posts")


def downgrade() -> None:
    op.create_index("ix_posts_thread_id", "posts", ["thread_id"], unique=False)
    op.drop_index("ix_posts_thread_id_floor", table_name="posts")
