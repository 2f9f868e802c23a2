"""dashboard sign-ins kept in the database: each link used once, and the session it started

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_uses",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("member_key", sa.String(length=400), nullable=False),
        sa.Column("used_at", monitor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", monitor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signed_out_at", monitor.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("nonce"),
    )
    with op.batch_alter_table("signin_uses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signin_uses_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_signin_uses_member_key"), ["member_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signin_uses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signin_uses_member_key"))
        batch_op.drop_index(batch_op.f("ix_signin_uses_expires_at"))
    op.drop_table("signin_uses")
