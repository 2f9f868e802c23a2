"""host_rests: a forum's Retry-After kept beyond the process

A forum that answers "Retry-After: 3600" is left alone for the hour; until now only by the
process that was told, so the next ``monitor crawl --once`` from cron, a restarted
``monitor run`` or another worker asked it again at once. One row per host (``netloc``): until
when it rests and why, and the ``Retry-After`` waited lately (its budget). Empty at first.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "host_rests",
        sa.Column("netloc", sa.String(length=300), nullable=False),
        sa.Column("resting_until", monitor.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("waits", sa.JSON(), nullable=False),
        sa.Column("updated_at", monitor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("netloc"),
    )


def downgrade() -> None:
    op.drop_table("host_rests")
