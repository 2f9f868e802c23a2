"""Email channel (``mailto``): a multipart/alternative alert (plain text + HTML) sent over SMTP.

The SMTP password is never logged, never shown in ``repr`` and never part of an error message.
Any SMTP or socket failure becomes :class:`DeliveryError` naming ``host:port``, so the delivery
stays queued for a retry — except a permanent refusal of this message (RFC 5321: a 5yz reply is a
permanent negative completion, the client should not repeat the same request): every recipient
refused with 5xx (``550 5.1.1 user unknown``) or the message refused with 5xx after DATA. That
error is ``permanent`` and the outbox stops; a person fixes the address. A 4xx reply (mailbox busy,
greylisting) stays a retry, and so does a refused login or sender: those are the server's settings,
not this message, and every message would meet them.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid, parseaddr

from monitor.alerting.message import AlertMessage
from monitor.alerting.render import render_html, render_subject, render_text
from monitor.errors import DeliveryError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server. ``password`` is kept out of ``repr``."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    use_ssl: bool = False
    timeout: float = 10.0
    local_hostname: str | None = None  # name sent in EHLO; None asks the OS (socket.getfqdn)

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"SMTP port must be 1-65535, got {self.port}")
        if self.starttls and self.use_ssl:
            raise ValueError("choose either starttls or use_ssl for SMTP, not both")
        if self.timeout <= 0:
            raise ValueError("SMTP timeout must be positive")

    @property
    def address(self) -> str:
        """``host:port``, as error messages and logs name the server."""
        return f"{self.host}:{self.port}"


def set_subject(email: EmailMessage, subject: str) -> None:
    """Set ``subject`` so that a mail client reads it back exactly.

    The email policy's folder puts the space between two RFC 2047 encoded words as folding
    whitespace, which a reader drops ("大家要小心 — 旅游天地" came back "大家要小心— 旅游天地"), so
    a subject that is not plain ASCII is encoded here, every character (spaces too) inside an
    encoded word, already folded (:class:`~email.header.Header`), and stored as it is.
    """
    if subject.isascii() and "=?" not in subject:  # a title may hold what reads as an encoded word
        email["Subject"] = subject
        return
    email.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode(linesep="\n"))


class EmailChannel:
    """Sends alerts as email to a spokesperson (and backup) over SMTP."""

    scheme = "mailto"

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self._ssl_context = ssl_context
        self._clock = clock

    def build(self, msg: AlertMessage, to: list[str]) -> EmailMessage:
        """The email for an alert: UTF-8 text and HTML alternatives, Message-ID and Date set."""
        email = EmailMessage(policy=SMTP_POLICY)
        set_subject(email, render_subject(msg))
        email["From"] = self.settings.sender
        email["To"] = ", ".join(to)
        email["Date"] = format_datetime(self._clock().astimezone(UTC))
        domain = sender_domain(self.settings.sender)
        if msg.delivery_id is not None:
            # The same for every attempt at this delivery, so a message sent again after a process
            # was killed mid-send is recognised (and hidden) as the same one by mail clients;
            # ``opened_at`` keeps two installations sending from one domain apart.
            stamp = int(msg.opened_at.timestamp())
            email["Message-ID"] = f"<monitor.alert{msg.alert_id}.delivery{msg.delivery_id}.{stamp}@{domain}>"
        else:
            email["Message-ID"] = make_msgid(idstring=f"alert{msg.alert_id}", domain=domain)
        # Every notification about one alert (first one, escalations) threads together in mail clients.
        email["References"] = f"<alert-{msg.alert_id}@{domain}>"
        email["X-Monitor-Alert"] = str(msg.alert_id)
        email["X-Monitor-Severity"] = msg.severity.value
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(render_text(msg), subtype="plain", charset="utf-8", cte="base64")
        email.add_alternative(render_html(msg), subtype="html", charset="utf-8", cte="base64")
        return email

    def send(self, msg: AlertMessage, to: list[str]) -> str:
        """Send the alert to ``to``; return the Message-ID. Raises :class:`DeliveryError`."""
        if not to:
            raise ValueError("an email needs at least one recipient")
        return self.send_email(self.build(msg, to), to, {"alert_id": msg.alert_id})

    def send_email(self, email: EmailMessage, to: list[str], about: dict[str, object]) -> str:
        """Send a built email (an alert's, a digest's) to ``to``; return its Message-ID.

        ``about`` names what is sent in the log lines. Raises :class:`DeliveryError`.
        """
        message_id = str(email["Message-ID"])
        settings = self.settings
        try:
            with self._connect() as smtp:
                if settings.starttls:
                    smtp.starttls(context=self._context())
                if settings.username:
                    smtp.login(settings.username, settings.password or "")
                refused = smtp.send_message(email, from_addr=_bare_address(settings.sender), to_addrs=to)
        except (smtplib.SMTPException, OSError) as exc:
            reason = self._scrub(f"{type(exc).__name__}: {exc}")
            for_good = permanent_refusal(exc)
            logger.warning(
                "email delivery failed",
                extra={
                    **about,
                    "smtp_server": settings.address,
                    "reason": reason,
                    "permanent": bool(for_good),
                },
            )
            if for_good:
                raise DeliveryError(
                    f"{for_good} (SMTP server {settings.address}): {self._scrub(refused_detail(exc))}"
                    " — 永久拒收，不再重试 refused for good, not retried: check the address in routing.yaml",
                    permanent=True,
                ) from None
            raise DeliveryError(
                f"email to SMTP server {settings.address} failed: {reason}", unreachable=_unreachable(exc)
            ) from None
        if refused:
            logger.warning(
                "SMTP server refused some recipients",
                extra={**about, "smtp_server": settings.address, "refused": len(refused)},
            )
        logger.info("email sent", extra={**about, "smtp_server": settings.address, "recipients": len(to)})
        return message_id

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        if settings.use_ssl:
            return smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                local_hostname=settings.local_hostname,
                timeout=settings.timeout,
                context=self._context(),
            )
        return smtplib.SMTP(
            settings.host, settings.port, local_hostname=settings.local_hostname, timeout=settings.timeout
        )

    def _context(self) -> ssl.SSLContext:
        return self._ssl_context or ssl.create_default_context()

    def _scrub(self, text: str) -> str:
        """Remove the password from text that may be shown or logged (servers may echo input)."""
        password = self.settings.password
        if password:
            escaped = repr(password.encode("utf-8"))[2:-1]  # as it shows inside a bytes repr
            for form in {password, escaped, password.encode("unicode_escape").decode("ascii")}:
                text = text.replace(form, "<secret>")
        return text


def _bare_address(address: str) -> str:
    """``monitor@example.com`` from ``舆情监控 <monitor@example.com>``: the SMTP envelope sender."""
    return parseaddr(address)[1] or address


def sender_domain(address: str) -> str:
    domain = _bare_address(address).rpartition("@")[2].strip()
    return domain or "localhost"


def permanent_refusal(error: Exception) -> str:
    """What the server refused for good, in words (Chinese first), or "" when a retry may help:
    every recipient refused with 5xx, or the message refused with 5xx after DATA."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            return "邮件服务器拒收收件人 the SMTP server refused the recipient"
    if isinstance(error, smtplib.SMTPDataError) and 500 <= error.smtp_code < 600:
        return "邮件服务器拒收此邮件 the SMTP server refused the message"
    return ""


def refused_detail(error: Exception) -> str:
    """``zhang@example.com: 550 5.1.1 user unknown``: the server's own words, one line."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {_words(said)}" for address, (code, said) in error.recipients.items()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_words(error.smtp_error)}"
    return str(error)


def _words(said: bytes | str) -> str:
    text = said.decode("utf-8", "replace") if isinstance(said, bytes) else said
    return " ".join(text.split())[:200]


def _unreachable(error: Exception) -> bool:
    """The server itself failed (refused, timed out, hung up), not this one message: the next
    message would fail the same way."""
    if isinstance(error, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)  # SMTPException is one
