"""boards remember where a first read cut short by a failed older page stopped, to read on from it

A board's first read pages back through its older list pages once; a page that failed ended it for
good, and the threads on the pages after it were read only when they bumped. ``first_read_page`` is
the page the board's next polls read on from, ``first_read_since`` the lookback's cutoff moment (the
first read's, kept), ``first_read_tries`` the polls that tried to. Given up, ``first_read_since`` is
NULL and the page stays, for ``monitor sources status`` to name it until a backfill.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.types

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("boards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_read_page", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("first_read_since", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("first_read_tries", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    # boards is referenced by other tables: on SQLite (3.35+), drop the columns in place, no copy
    with op.batch_alter_table("boards", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("first_read_tries")
        batch_op.drop_column("first_read_since")
        batch_op.drop_column("first_read_page")
