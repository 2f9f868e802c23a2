"""Sign-in links, session cookies and form tokens: sealed for one purpose each, expiring, spent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.web.links import LinkSigner
from monitor.web.session import SessionError, SessionKeys, Throttle

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
KEYS = SessionKeys(
    secret="s" * 40,
    base_url="http://monitor.test",
    session_ttl=timedelta(hours=12),
    signin_ttl=timedelta(minutes=15),
)


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_a_sign_in_link_names_its_person_until_it_expires() -> None:
    url = KEYS.signin_url("li_na", NOW)
    assert url.startswith("http://monitor.test/signin/")
    found = KEYS.read_signin(_token(url), NOW + timedelta(minutes=14, seconds=59))
    assert found.key == "li_na" and found.expires_at == NOW + timedelta(minutes=15)
    with pytest.raises(SessionError, match="expired") as caught:
        KEYS.read_signin(_token(url), NOW + timedelta(minutes=15))
    assert caught.value.expired
    other = KEYS.signin_url("li_na", NOW)
    assert KEYS.read_signin(_token(other), NOW).nonce != found.nonce  # every link its own nonce


def test_tokens_open_only_what_they_were_made_for() -> None:
    signin = _token(KEYS.signin_url("li_na", NOW))
    cookie = KEYS.cookie("li_na", "s1", NOW)
    action = _token(LinkSigner(KEYS.secret, KEYS.base_url, timedelta(hours=72)).url(7, "ack", "li_na", NOW))
    for token in (signin, action):
        with pytest.raises(SessionError, match="not valid") as caught:
            KEYS.visitor(token, NOW)
        assert not caught.value.expired
    with pytest.raises(SessionError, match="not valid"):
        KEYS.read_signin(cookie, NOW)
    other_key = SessionKeys("t" * 40, KEYS.base_url, KEYS.session_ttl, KEYS.signin_ttl)
    with pytest.raises(SessionError, match="another key"):
        other_key.visitor(cookie, NOW)


def test_a_session_lasts_its_hours() -> None:
    cookie = KEYS.cookie("wang_qiang", "s2", NOW)
    visitor = KEYS.visitor(cookie, NOW + timedelta(hours=11, minutes=59))
    assert visitor.key == "wang_qiang" and visitor.expires_at == NOW + timedelta(hours=12)
    assert visitor.session == "s2"
    with pytest.raises(SessionError, match="ended"):
        KEYS.visitor(cookie, NOW + timedelta(hours=12))


def test_a_form_token_belongs_to_one_session() -> None:
    mine, theirs = KEYS.cookie("li_na", "s1", NOW), KEYS.cookie("zhao_min", "s3", NOW)
    assert KEYS.csrf_ok(mine, KEYS.csrf(mine))
    assert not KEYS.csrf_ok(mine, KEYS.csrf(theirs))
    assert not KEYS.csrf_ok(mine, "")
    assert not KEYS.csrf_ok("", KEYS.csrf(mine))


def test_the_throttle_lets_one_email_a_minute_through_per_person() -> None:
    throttle = Throttle(timedelta(minutes=1))
    assert throttle.allow("li_na", NOW)
    assert not throttle.allow("li_na", NOW + timedelta(seconds=59))
    assert throttle.allow("wang_qiang", NOW + timedelta(seconds=59))
    assert throttle.allow("li_na", NOW + timedelta(seconds=61))
