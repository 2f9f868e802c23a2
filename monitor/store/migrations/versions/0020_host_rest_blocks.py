"""host_rests.blocks_in_a_row: a forum's firewall answers since a page of it was last read

A forum whose firewall, challenge or CAPTCHA keeps answering is left alone longer each time
(30 min, 1 h, 2 h … up to ``[fetch] block_rest_max_seconds``), and the count must outlive the
process: ``monitor crawl --once`` from cron starts afresh every time. 0 for every row at first.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("host_rests") as table:
        table.add_column(sa.Column("blocks_in_a_row", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("host_rests") as table:
        table.drop_column("blocks_in_a_row")
