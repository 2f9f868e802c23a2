"""repair databases that ran the first 0008: sessions get signed_out_at, signouts folds into them

Migration 0008 was rewritten after it had shipped (7ca17c8 to a252410 created the first form), so a
database made by those commits is stamped 0008 yet holds the first form's schema, which upgrading
never changes: ``signin_uses`` lacks ``signed_out_at`` and its ``member_key`` index, and the table
``signouts`` (one row per person: "sign out everywhere" at ``at``, by ``by``) is left behind. The
dashboard's sign-in then fails ("no column named signed_out_at") and so does ``monitor web signout``.

This revision reads the live schema and adds only what is missing, so a database that ran the
rewritten 0008 is left exactly as it is:

* ``signin_uses.signed_out_at`` (nullable) and the index ``ix_signin_uses_member_key``;
* each ``signouts`` row becomes ``signed_out_at`` on its person's sessions begun at or before it
  (the first form ended exactly those: a session began when its link was used, ``used_at``);
  sessions begun after it stay on, as they were;
* ``signouts`` is dropped. What does not carry over: ``by`` (who pressed the button: the command
  or the dashboard; nothing reads it any more), and the rows of people with no session row left
  (their links had expired and were cleared). Neither matters: a sign-out ends sessions that
  exist, and no cookie of the first form opens a session now anyway (they name no session, so
  their holders sign in again), while a link's session lasts hours at most.

Rows of ``signin_uses`` are kept as they are: each still means its link was used, so the link is
refused if it is opened again while it would still be valid.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.store.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    inspector = sa.inspect(connection)
    columns = {column["name"] for column in inspector.get_columns("signin_uses")}
    indexes = {index["name"] for index in inspector.get_indexes("signin_uses")}
    add_column = "signed_out_at" not in columns
    add_index = "ix_signin_uses_member_key" not in indexes
    if add_column or add_index:
        with op.batch_alter_table("signin_uses", schema=None) as batch_op:
            if add_column:
                batch_op.add_column(
                    sa.Column("signed_out_at", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
                )
            if add_index:
                batch_op.create_index(batch_op.f("ix_signin_uses_member_key"), ["member_key"], unique=False)
    if "signouts" not in inspector.get_table_names():
        return
    uses = sa.table(
        "signin_uses",
        sa.column("member_key", sa.String()),
        sa.column("used_at", monitor.store.types.UTCDateTime(timezone=True)),
        sa.column("signed_out_at", monitor.store.types.UTCDateTime(timezone=True)),
    )
    signouts = sa.table(
        "signouts",
        sa.column("member_key", sa.String()),
        sa.column("at", monitor.store.types.UTCDateTime(timezone=True)),
    )
    for row in connection.execute(sa.select(signouts.c.member_key, signouts.c.at)).all():
        connection.execute(
            uses.update()
            .where(
                uses.c.member_key == row.member_key,
                uses.c.used_at <= row.at,
                uses.c.signed_out_at.is_(None),
            )
            .values(signed_out_at=row.at)
        )
    op.drop_table("signouts")


def downgrade() -> None:
    # Nothing to undo: after this revision the schema is the one 0008 (as rewritten) makes, which is
    # what revision 0010 already means; bringing ``signouts`` back would leave a table that 0008's
    # downgrade never drops. The folded sign-outs stay as signed_out_at, which 0010 has too.
    pass
