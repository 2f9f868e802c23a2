"""Signing in to the dashboard: a one-time link by email, then a signed session cookie.

Who may sign in: the spokespeople in ``routing.yaml`` (leadership included), by the email
address written there. Nobody has a password to leak or forget; the mailbox is the identity,
as it already is for the alert emails and their action links.

1. ``POST /signin`` with an address sends a **sign-in link** to that address if it belongs to
   a spokesperson; the page says the same either way, so the form does not tell who is on the
   team. The link is sealed (:mod:`monitor.web.sealed`) with the person's key, an expiry
   (``web.signin_link_minutes``) and a random nonce.
2. Opening the link changes nothing (mail scanners fetch links); its page has one button,
   and ``POST`` to it spends the nonce — a link signs in once — and starts a **session**, kept
   in the database under that nonce (:mod:`monitor.web.signin_store`), until
   ``web.session_hours``. The **session cookie** names it: the key, the session and its expiry,
   sealed under another domain, ``HttpOnly``, ``SameSite=Lax``, ``Secure`` behind https.
3. Every form of a signed-in page carries a **CSRF token**: the HMAC of the cookie under a
   third domain. ``SameSite=Lax`` already keeps the cookie off cross-site posts; the token is
   the second lock.

Signing out ends the session in the database, so a copy of the cookie opens nothing after;
"sign out everywhere" ends every session of that person; changing the key ends every session
at once.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from monitor.config.loader import MonitorConfig
from monitor.web.sealed import SealError, seal, signature, unseal

COOKIE = "monitor_session"
_SIGNIN = b"monitor-signin-link-v1:"
_SESSION = b"monitor-session-v1:"
_CSRF = b"monitor-csrf-v1:"


class SessionError(Exception):
    """A sign-in link or cookie that cannot be honoured; ``expired`` tells stale from forged."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class Visitor:
    """A signed-in person: their spokesperson key, their session (the sign-in link's nonce), until when."""

    key: str
    session: str
    expires_at: datetime


@dataclass(frozen=True)
class SignIn:
    """What a genuine sign-in link says: ``key`` may sign in once (``nonce``) until ``expires_at``."""

    key: str
    nonce: str
    expires_at: datetime


@dataclass(frozen=True)
class SessionKeys:
    secret: str
    base_url: str
    session_ttl: timedelta
    signin_ttl: timedelta

    @property
    def secure_cookie(self) -> bool:
        return self.base_url.lower().startswith("https://")

    def signin_url(self, key: str, now: datetime) -> str:
        token = seal(
            self.secret,
            _SIGNIN,
            {"k": key, "n": secrets.token_urlsafe(12), "x": int((now + self.signin_ttl).timestamp())},
        )
        return f"{self.base_url.rstrip('/')}/signin/{token}"

    def read_signin(self, token: str, now: datetime) -> SignIn:
        data = self._open(_SIGNIN, token, "sign-in link")
        try:
            found = SignIn(key=str(data["k"]), nonce=str(data["n"]), expires_at=_moment(data["x"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise SessionError("this sign-in link is not valid: its contents cannot be read") from exc
        if now >= found.expires_at:
            raise SessionError("this sign-in link has expired", expired=True)
        return found

    def cookie(self, key: str, session: str, now: datetime) -> str:
        expires = int((now + self.session_ttl).timestamp())
        return seal(self.secret, _SESSION, {"k": key, "s": session, "x": expires})

    def visitor(self, cookie: str, now: datetime) -> Visitor:
        data = self._open(_SESSION, cookie, "session")
        try:
            visitor = Visitor(key=str(data["k"]), session=str(data["s"]), expires_at=_moment(data["x"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise SessionError("this session is not valid: its contents cannot be read") from exc
        if now >= visitor.expires_at:
            raise SessionError("this session has ended", expired=True)
        return visitor

    def csrf(self, cookie: str) -> str:
        return signature(self.secret, _CSRF, cookie)

    def csrf_ok(self, cookie: str, token: str) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf(cookie), token)

    def _open(self, domain: bytes, token: str, what: str) -> dict[str, object]:
        try:
            return unseal(self.secret, domain, token)
        except SealError as exc:
            raise SessionError(f"this {what} is {exc}") from None


def session_keys(config: MonitorConfig) -> SessionKeys | None:
    """The dashboard's keys, or None when ``web.base_url`` or the signing key is not configured."""
    web = config.settings.web
    if not web.base_url or not config.web_secret:
        return None
    return SessionKeys(
        secret=config.web_secret,
        base_url=web.base_url,
        session_ttl=timedelta(hours=web.session_hours),
        signin_ttl=timedelta(minutes=web.signin_link_minutes),
    )


class EmailThrottle(Protocol):
    def allow(self, key: str, now: datetime) -> bool: ...


class Throttle:
    """At most one sign-in email per person per ``every``: the form cannot flood a mailbox (this
    process; :mod:`monitor.distributed.web_state` shares it between processes through Redis)."""

    def __init__(self, every: timedelta) -> None:
        self.every = every
        self._last: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: datetime) -> bool:
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self.every:
                return False
            self._last[key] = now
            return True


def _moment(value: object) -> datetime:
    return datetime.fromtimestamp(int(str(value)), UTC)
