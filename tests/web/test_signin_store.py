"""Dashboard sessions in the database, on SQLite and PostgreSQL: a link used once, sign-outs that hold."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import SignInUse
from monitor.web.sealed import seal
from monitor.web.session import SessionError, SessionKeys, SignIn
from monitor.web.signin_store import SignInSessions

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
KEYS = SessionKeys("s" * 40, "http://monitor.test", timedelta(hours=12), timedelta(minutes=15))


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    yield session_factory(engine)
    engine.dispose()


def _link(key: str, at: datetime) -> SignIn:
    return KEYS.read_signin(KEYS.signin_url(key, at).rsplit("/", 1)[1], at)


def _start(store: SignInSessions, signin: SignIn, at: datetime) -> bool:
    return store.start(signin, at, at + KEYS.session_ttl)


def test_a_link_starts_one_session_in_any_process_and_is_forgotten_after_it_ends(
    sessions: sessionmaker[Session],
) -> None:
    first, second = SignInSessions(sessions), SignInSessions(sessions)  # two web processes, one database
    signin = _link("li_na", NOW)
    assert _start(first, signin, NOW)
    assert not _start(second, signin, NOW + timedelta(minutes=1))  # the link works once
    assert second.live(signin.nonce, "li_na", NOW + timedelta(hours=11))
    assert not second.live(signin.nonce, "wang_qiang", NOW)  # a session is its person's only
    assert not second.live(signin.nonce, "li_na", NOW + KEYS.session_ttl)

    later = NOW + KEYS.session_ttl + timedelta(minutes=1)
    assert _start(second, _link("li_na", later), later)
    with sessions() as session:
        kept = session.scalars(select(SignInUse.nonce)).all()
    assert signin.nonce not in kept and len(kept) == 1  # the ended one is no longer kept


def test_the_same_link_used_at_once_from_two_threads_signs_in_once(sessions: sessionmaker[Session]) -> None:
    signin = _link("li_na", NOW)
    stores = [SignInSessions(sessions) for _ in range(6)]
    results: list[bool] = []
    start = threading.Barrier(len(stores))

    def use(store: SignInSessions) -> None:
        start.wait()
        results.append(_start(store, signin, NOW))

    threads = [threading.Thread(target=use, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]


def test_sign_out_ends_one_session_and_everywhere_ends_all_of_one_person(
    sessions: sessionmaker[Session],
) -> None:
    store = SignInSessions(sessions)
    laptop, phone, other = _link("li_na", NOW), _link("li_na", NOW), _link("wang_qiang", NOW)
    for signin in (laptop, phone, other):
        assert _start(store, signin, NOW)
    store.sign_out(laptop.nonce, NOW + timedelta(minutes=5))
    assert not store.live(laptop.nonce, "li_na", NOW + timedelta(minutes=6))
    assert store.live(phone.nonce, "li_na", NOW + timedelta(minutes=6))

    assert (
        store.sign_out_everywhere("li_na", NOW + timedelta(minutes=10)) == 1
    )  # the phone; the laptop was out
    assert not store.live(phone.nonce, "li_na", NOW + timedelta(minutes=11))
    assert store.live(other.nonce, "wang_qiang", NOW + timedelta(minutes=11))
    again = _link("li_na", NOW + timedelta(minutes=12))
    assert _start(store, again, NOW + timedelta(minutes=12))
    assert store.live(again.nonce, "li_na", NOW + timedelta(minutes=13))  # signing in again works at once


def test_a_cookie_without_a_session_is_not_valid() -> None:
    """Cookies made before sessions were kept name none: their holders sign in again."""
    expires = int((NOW + timedelta(hours=12)).timestamp())
    old = seal(KEYS.secret, b"monitor-session-v1:", {"k": "li_na", "i": 1, "x": expires})
    with pytest.raises(SessionError, match="not valid"):
        KEYS.visitor(old, NOW)
