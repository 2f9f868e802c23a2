"""one digest per week, held by the database: digests.week_start, unique

Until now only the code kept one digest per week (the rows of a week share ``period_start``), so a
digest sent by hand while the scheduler composed the same week could be kept and sent twice. Each
week's kept digest gets ``week_start`` = its ``period_start``; where an older database keeps several
for a week, the one :func:`monitor.digest.send.stored` used to pick (the one sent, if any; else the
one covering most of the week) takes it and the others keep NULL (they stay listed, nothing is lost).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 22:00:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

import monitor.store.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("week_start", monitor.store.types.UTCDateTime(timezone=True), nullable=True)
        )
    digests = sa.table(
        "digests",
        sa.column("id", sa.Integer()),
        sa.column("period_start", monitor.store.types.UTCDateTime(timezone=True)),
        sa.column("period_end", monitor.store.types.UTCDateTime(timezone=True)),
        sa.column("status", sa.String()),
        sa.column("week_start", monitor.store.types.UTCDateTime(timezone=True)),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(digests.c.id, digests.c.period_start, digests.c.status).order_by(
            digests.c.period_end.desc(), digests.c.id.desc()
        )
    ).all()
    weeks: dict[object, list[Any]] = {}
    for row in rows:  # widest first
        weeks.setdefault(row.period_start, []).append(row)
    for start, kept in weeks.items():
        chosen = next((row for row in kept if row.status == "sent"), kept[0])
        connection.execute(digests.update().where(digests.c.id == chosen.id).values(week_start=start))
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_digests_week_start", ["week_start"])


def downgrade() -> None:
    with op.batch_alter_table("digests", schema=None) as batch_op:
        batch_op.drop_constraint("uq_digests_week_start", type_="unique")
        batch_op.drop_column("week_start")
