"""quoted text sentiment

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 15:04:42.195965
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quoted_sentiment", sa.Float(), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("quoted_sentiment")
