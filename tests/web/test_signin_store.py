"""Spent sign-in links and "sign out everywhere" in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import SignInUse
from monitor.web.sealed import seal
from monitor.web.session import SessionKeys
from monitor.web.signin_store import StoredNonces, sign_out_everywhere, signed_out_at

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
KEYS = SessionKeys("s" * 40, "http://monitor.test", timedelta(hours=12), timedelta(minutes=15))


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    yield session_factory(engine)
    engine.dispose()


def _link(at: datetime) -> str:
    return KEYS.signin_url("li_na", at).rsplit("/", 1)[1]


def test_a_link_is_spent_once_by_any_process_and_forgotten_after_it_expires(
    sessions: sessionmaker[Session],
) -> None:
    first, second = StoredNonces(sessions), StoredNonces(sessions)  # two web processes, one database
    signin = KEYS.read_signin(_link(NOW), NOW)
    assert first.spend(signin, NOW)
    assert not second.spend(signin, NOW + timedelta(minutes=1))
    assert not first.spend(signin, NOW + timedelta(minutes=2))

    hour = NOW + timedelta(hours=1)
    assert second.spend(KEYS.read_signin(_link(hour), hour), hour)
    with sessions() as session:
        kept = session.scalars(select(SignInUse.nonce)).all()
    assert signin.nonce not in kept and len(kept) == 1  # the expired one is no longer kept


def test_the_same_link_used_at_once_from_two_threads_signs_in_once(sessions: sessionmaker[Session]) -> None:
    signin = KEYS.read_signin(_link(NOW), NOW)
    stores = [StoredNonces(sessions) for _ in range(6)]
    results: list[bool] = []
    start = threading.Barrier(len(stores))

    def use(store: StoredNonces) -> None:
        start.wait()
        results.append(store.spend(signin, NOW))

    threads = [threading.Thread(target=use, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]


def test_sign_out_everywhere_ends_earlier_sessions_and_not_later_ones(
    sessions: sessionmaker[Session],
) -> None:
    phone = KEYS.visitor(KEYS.cookie("li_na", NOW), NOW)
    with sessions() as session:
        assert signed_out_at(session, "li_na") is None
    later = NOW + timedelta(hours=1)
    sign_out_everywhere(sessions, "li_na", later, "li_na (web)")
    again = KEYS.visitor(KEYS.cookie("li_na", later + timedelta(milliseconds=1)), later)
    with sessions() as session:
        cutoff = signed_out_at(session, "li_na")
        assert signed_out_at(session, "wang_qiang") is None
    assert cutoff == later
    assert phone.issued_at <= cutoff < again.issued_at

    sign_out_everywhere(sessions, "li_na", NOW, "monitor web signout")  # a clock behind: never earlier
    with sessions() as session:
        assert signed_out_at(session, "li_na") == later
        assert session.scalar(select(func.count()).select_from(SignInUse)) == 0


def test_a_cookie_from_before_sessions_had_a_start_counts_from_its_expiry_back() -> None:
    expires = int((NOW + timedelta(hours=12)).timestamp())
    old = seal(KEYS.secret, b"monitor-session-v1:", {"k": "li_na", "x": expires})
    assert KEYS.visitor(old, NOW).issued_at == NOW
