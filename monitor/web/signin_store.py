"""Dashboard sessions, kept in the database so every web process and restart agrees.

A sign-in link's nonce becomes the session's id (``signin_uses``): using the link inserts the
row — a second use finds it and is refused, in any process — and the session cookie names it.
A session lives while its row says so:

* **sign out** marks that one row: a copy of the cookie opens nothing after;
* **sign out everywhere** marks every row of the person — the dashboard's page for it, or
  ``monitor web signout --who KEY`` for a lost phone;
* a row is kept until both its link and its session would have expired, then cleared on the
  next sign-in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from monitor.store.models import SignInUse
from monitor.web.session import SignIn


class SignInSessions:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def start(self, signin: SignIn, now: datetime, until: datetime) -> bool:
        """Spend the link and start its session (until ``until``); False: the link was used before."""
        with self.sessions.begin() as session:
            session.execute(delete(SignInUse).where(SignInUse.expires_at <= now))
        try:
            with self.sessions.begin() as session:
                session.add(
                    SignInUse(
                        nonce=signin.nonce,
                        member_key=signin.key,
                        used_at=now,
                        expires_at=max(signin.expires_at, until),
                    )
                )
        except IntegrityError:
            return False
        return True

    def live(self, session_id: str, key: str, now: datetime) -> bool:
        """Whether the session is still on: started, of ``key``, not signed out, not expired."""
        with self.sessions() as session:
            row = session.get(SignInUse, session_id)
        return (
            row is not None and row.member_key == key and row.signed_out_at is None and now < row.expires_at
        )

    def sign_out(self, session_id: str, now: datetime) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(SignInUse)
                .where(SignInUse.nonce == session_id, SignInUse.signed_out_at.is_(None))
                .values(signed_out_at=now)
            )

    def sign_out_everywhere(self, key: str, now: datetime) -> int:
        """End every session of ``key``; how many were on."""
        with self.sessions.begin() as session:
            ended = session.execute(
                update(SignInUse)
                .where(
                    SignInUse.member_key == key, SignInUse.signed_out_at.is_(None), SignInUse.expires_at > now
                )
                .values(signed_out_at=now)
            )
        return int(getattr(ended, "rowcount", 0) or 0)
