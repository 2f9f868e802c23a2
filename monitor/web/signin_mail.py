"""The sign-in email: one link to the dashboard, for the person who asked for it."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid

from monitor.alerting.channels.email import sender_domain

SUBJECT = "登录链接 Sign-in link · BBS crisis monitor"


def signin_email(
    sender: str, name: str, address: str, url: str, valid_minutes: float, now: datetime
) -> EmailMessage:
    email = EmailMessage(policy=SMTP_POLICY)
    email["Subject"] = SUBJECT
    email["From"] = sender
    email["To"] = address
    email["Date"] = format_datetime(now.astimezone(UTC))
    email["Message-ID"] = make_msgid(idstring="signin", domain=sender_domain(sender))
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(
        f"{name}，\n\n"
        "Someone (we hope you) asked to sign in to the BBS crisis monitor's dashboard.\n"
        f"Open this link within {valid_minutes:g} minutes and press the button on the page.\n"
        "It works once.\n\n"
        f"  {url}\n\n"
        "If it was not you, ignore this email: nothing happens until the button is pressed.\n",
        subtype="plain",
        charset="utf-8",
        cte="base64",
    )
    return email
