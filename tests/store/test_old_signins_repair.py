"""Migration 0011, on SQLite and PostgreSQL: a database that ran the first form of 0008 (commits
7ca17c8 to a252410: ``signin_uses`` without ``signed_out_at``, and ``signouts``) is brought to
what 0008 makes now, its sign-outs kept; a database made by the rewritten 0008 is left as it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select

import monitor.store.types
from monitor.store.db import current_revision, ensure_schema, head_revision, make_engine, session_factory
from monitor.store.db import upgrade as upgrade_to
from monitor.store.models import Base, SignInUse
from monitor.web.session import SignIn
from monitor.web.signin_store import SignInSessions

NOW = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
LINK = timedelta(minutes=15)  # web.signin_link_minutes: the first form kept a row until the link expired

_OLD_USES = sa.table(
    "signin_uses",
    sa.column("nonce", sa.String()),
    sa.column("member_key", sa.String()),
    sa.column("used_at", monitor.store.types.UTCDateTime(timezone=True)),
    sa.column("expires_at", monitor.store.types.UTCDateTime(timezone=True)),
)
_OLD_SIGNOUTS = sa.table(
    "signouts",
    sa.column("member_key", sa.String()),
    sa.column("at", monitor.store.types.UTCDateTime(timezone=True)),
    sa.column("by", sa.String()),
)


def _run_first_0008(connection: sa.Connection) -> None:
    """The upgrade() of 0008 as a252410 shipped it, word for word."""
    op = Operations(MigrationContext.configure(connection))
    op.create_table(
        "signin_uses",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("member_key", sa.String(length=400), nullable=False),
        sa.Column("used_at", monitor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", monitor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nonce"),
    )
    with op.batch_alter_table("signin_uses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signin_uses_expires_at"), ["expires_at"], unique=False)
    op.create_table(
        "signouts",
        sa.Column("member_key", sa.String(length=400), nullable=False),
        sa.Column("at", monitor.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("member_key"),
    )


def _old_database(url: str) -> Engine:
    """A database as 7ca17c8..a252410 left it, stamped 0008, with what their sign-ins wrote."""
    engine = make_engine(url)
    upgrade_to(engine, "0007")
    with engine.begin() as connection:
        _run_first_0008(connection)
        connection.execute(sa.text("update alembic_version set version_num = '0008'"))
        # a link used: a row until the link would expire (StoredNonces.spend)
        for nonce, key, used in (
            ("laptop", "li_na", NOW - timedelta(minutes=10)),
            ("tablet", "li_na", NOW - timedelta(minutes=5)),  # begun the moment she signed out: ended
            ("phone", "li_na", NOW - timedelta(minutes=2)),  # begun after: stays on
            ("desk", "wang_qiang", NOW - timedelta(minutes=1)),  # never signed out
        ):
            connection.execute(
                _OLD_USES.insert().values(nonce=nonce, member_key=key, used_at=used, expires_at=used + LINK)
            )
        # "sign out everywhere" (sign_out_everywhere): one row per person
        connection.execute(
            _OLD_SIGNOUTS.insert(),
            [
                {"member_key": "li_na", "at": NOW - timedelta(minutes=5), "by": "monitor web signout"},
                {"member_key": "zhao_min", "at": NOW - timedelta(minutes=3), "by": "dashboard"},  # no rows
            ],
        )
    assert current_revision(engine) == "0008"
    return engine


def _differences(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def _rows(engine: Engine) -> dict[str, tuple[str, datetime, datetime, datetime | None]]:
    with session_factory(engine)() as session:
        return {
            row.nonce: (row.member_key, row.used_at, row.expires_at, row.signed_out_at)
            for row in session.scalars(select(SignInUse))
        }


def _schema(engine: Engine) -> dict[str, Any]:
    inspector = sa.inspect(engine)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            sorted(
                (i["name"] or "", tuple(i["column_names"]), i["unique"]) for i in inspector.get_indexes(table)
            ),
            inspector.get_pk_constraint(table)["constrained_columns"],
            sorted(
                (u["name"] or "", tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)
            ),
        )
        for table in sorted(inspector.get_table_names())
    }


def test_a_database_that_ran_the_first_0008_is_repaired_and_keeps_its_sign_outs(db_url: str) -> None:
    engine = _old_database(db_url)
    assert "signed_out_at" not in {c["name"] for c in sa.inspect(engine).get_columns("signin_uses")}

    ensure_schema(engine, auto_migrate=True)  # what `monitor db upgrade` and the web command do

    assert current_revision(engine) == head_revision()
    inspector = sa.inspect(engine)
    assert "signouts" not in inspector.get_table_names()
    assert "signed_out_at" in {c["name"] for c in inspector.get_columns("signin_uses")}
    assert _differences(engine) == []
    signed_out = NOW - timedelta(minutes=5)
    assert _rows(engine) == {
        "laptop": ("li_na", NOW - timedelta(minutes=10), NOW + timedelta(minutes=5), signed_out),
        "tablet": ("li_na", NOW - timedelta(minutes=5), NOW + timedelta(minutes=10), signed_out),
        "phone": ("li_na", NOW - timedelta(minutes=2), NOW + timedelta(minutes=13), None),
        "desk": ("wang_qiang", NOW - timedelta(minutes=1), NOW + timedelta(minutes=14), None),
    }

    # the sign-in code works on it: the 500 and the traceback were these calls
    store = SignInSessions(session_factory(engine))
    until = NOW + timedelta(hours=12)
    reused = SignIn(key="wang_qiang", nonce="desk", expires_at=NOW + timedelta(minutes=14))
    assert not store.start(reused, NOW, until)  # a link used before the upgrade still works only once
    fresh = SignIn(key="li_na", nonce="new-laptop", expires_at=NOW + LINK)
    assert store.start(fresh, NOW, until)
    assert store.live("new-laptop", "li_na", NOW + timedelta(minutes=1))
    assert not store.live("laptop", "li_na", NOW)  # signed out everywhere before the upgrade
    store.sign_out("new-laptop", NOW + timedelta(minutes=2))
    assert not store.live("new-laptop", "li_na", NOW + timedelta(minutes=3))
    assert store.sign_out_everywhere("li_na", NOW + timedelta(minutes=4)) == 1  # the phone
    assert store.sign_out_everywhere("wang_qiang", NOW + timedelta(minutes=4)) == 1  # the desk
    assert _rows(engine)["phone"][3] == NOW + timedelta(minutes=4)

    ensure_schema(engine, auto_migrate=True)  # a second run changes nothing
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_a_database_made_by_the_rewritten_0008_is_left_as_it_is(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade_to(engine, "0010")
    store = SignInSessions(session_factory(engine))
    until = NOW + timedelta(hours=12)
    for nonce, key in (("laptop", "li_na"), ("phone", "li_na"), ("desk", "wang_qiang")):
        assert store.start(SignIn(key=key, nonce=nonce, expires_at=NOW + LINK), NOW, until)
    store.sign_out("laptop", NOW + timedelta(minutes=1))
    before_rows, before_schema = _rows(engine), _schema(engine)

    ensure_schema(engine, auto_migrate=True)

    assert current_revision(engine) == head_revision()
    after_schema = _schema(engine)  # later revisions change other tables (0012: boards, health_events)
    assert after_schema.keys() - {"host_rests"} == before_schema.keys()  # 0013 adds host_rests
    assert after_schema["signin_uses"] == before_schema["signin_uses"]
    assert _rows(engine) == before_rows
    assert before_rows["laptop"][3] == NOW + timedelta(minutes=1)
    assert _differences(engine) == []
    assert store.live("phone", "li_na", NOW + timedelta(minutes=2))
    assert store.sign_out_everywhere("li_na", NOW + timedelta(minutes=2)) == 1
    engine.dispose()


def test_a_new_database_matches_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    assert current_revision(engine) == head_revision()
    assert "signouts" not in sa.inspect(engine).get_table_names()
    assert _differences(engine) == []
    engine.dispose()
