"""What the dashboard's sign-in keeps in the database, so every web process and restart agrees.

* **Spent sign-in links** (``signin_uses``): a link signs in once, not once per process; a row is
  kept until its link would have expired anyway, then cleared on the next sign-in.
* **Sign out everywhere** (``signouts``): one row per person, the moment before which every
  session of theirs ends — from the dashboard's button, or ``monitor web signout`` for a lost
  phone. Cookies are not stored, so this is the one way to end a session that is not in hand.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from monitor.store.models import SignInUse, SignOut
from monitor.web.session import SignIn


class StoredNonces:
    """Spent sign-in links in the database (:class:`~monitor.web.session.NonceStore`)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def spend(self, signin: SignIn, now: datetime) -> bool:
        """True the first time a link is used, by any web process; False after."""
        with self.sessions.begin() as session:
            session.execute(delete(SignInUse).where(SignInUse.expires_at <= now))
        try:
            with self.sessions.begin() as session:
                session.add(
                    SignInUse(
                        nonce=signin.nonce, member_key=signin.key, used_at=now, expires_at=signin.expires_at
                    )
                )
        except IntegrityError:
            return False
        return True


def signed_out_at(session: Session, key: str) -> datetime | None:
    """When ``key`` last signed out everywhere (sessions begun then or before are over); None: never."""
    row = session.get(SignOut, key)
    return None if row is None else row.at


def sign_out_everywhere(sessions: sessionmaker[Session], key: str, now: datetime, by: str) -> None:
    """End every dashboard session of ``key`` begun at or before ``now``."""
    for attempt in range(2):  # two web processes at once: the second finds the first's row
        try:
            with sessions.begin() as session:
                row = session.get(SignOut, key)
                if row is None:
                    session.add(SignOut(member_key=key, at=now, by=by))
                else:
                    row.at, row.by = max(row.at, now), by
            return
        except IntegrityError:
            if attempt:
                raise
