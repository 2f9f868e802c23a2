"""A real local SMTP server for the demo and the tests: it keeps what it receives.

:class:`MailSink` runs aiosmtpd in a background thread on a loopback port, parses every
message it accepts (``email.policy.default``) into :attr:`MailSink.messages` and writes the
raw bytes as ``.eml`` files into a directory (:attr:`MailSink.paths`), so a demo user can
open the alert emails in a mail client.

With ``port=0`` the sink binds a free port itself and hands the bound socket to aiosmtpd
(aiosmtpd's own ``Controller`` would try to reach port 0 when it checks the server is up).
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

logger = logging.getLogger(__name__)

_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class SinkEnvelope:
    """Who a received message was sent from and to, as the SMTP session said."""

    mail_from: str
    rcpt_tos: tuple[str, ...]


class _BoundSocketController(Controller):
    """aiosmtpd's threaded controller, serving on a socket that is already bound."""

    def __init__(self, handler: object, sock: socket.socket, **kwargs: Any) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **kwargs)
        self._sock = sock

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)


class MailSink:
    """An SMTP server on loopback that records every message; use it as a context manager.

    >>> with MailSink(tmp_path) as sink:            # doctest: +SKIP
    ...     send_through("127.0.0.1", sink.port)
    ...     sink.messages[0]["Subject"]
    """

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.directory = Path(directory)
        self.host = host
        self.port = port
        self._requested_port = port
        self.messages: list[EmailMessage] = []
        self.paths: list[Path] = []
        self.envelopes: list[SinkEnvelope] = []
        self._received = threading.Condition()
        self._controller: _BoundSocketController | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> MailSink:
        """Bind and start serving; returns self. Starting a running sink is an error."""
        if self._controller is not None:
            raise RuntimeError("the mail sink is already running")
        self.directory.mkdir(parents=True, exist_ok=True)
        sock = _bind(self.host, self._requested_port)
        controller = _BoundSocketController(
            _Handler(self), sock, server_hostname="localhost", ready_timeout=10.0
        )
        try:
            controller.start()
        except BaseException:
            with contextlib.suppress(Exception):
                controller.stop(no_assert=True)
            if not controller.loop.is_running() and not controller.loop.is_closed():
                controller.loop.close()
            sock.close()
            raise
        self._controller = controller
        self.host, self.port = controller.hostname, controller.port
        logger.info("mail sink listening", extra={"host": self.host, "port": self.port})
        return self

    def stop(self) -> None:
        """Stop serving and release the port; stopping a stopped sink does nothing."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()
            logger.info("mail sink stopped", extra={"received": len(self.messages)})

    def wait_for(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until at least ``count`` messages have arrived; False on timeout."""
        with self._received:
            return self._received.wait_for(lambda: len(self.messages) >= count, timeout)

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _keep(self, raw: bytes, envelope: SinkEnvelope) -> None:
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(parsed, EmailMessage)
        with self._received:
            number = len(self.messages) + 1
            path = self.directory / f"{number:04d}-{_slug(parsed.get('Message-ID'))}.eml"
            path.write_bytes(raw)
            self.messages.append(parsed)
            self.paths.append(path)
            self.envelopes.append(envelope)
            self._received.notify_all()


class _Handler:
    """aiosmtpd handler: hands each accepted message to its sink."""

    def __init__(self, sink: MailSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        received = SinkEnvelope(
            mail_from=str(envelope.mail_from or ""), rcpt_tos=tuple(str(r) for r in envelope.rcpt_tos)
        )
        try:
            self._sink._keep(raw, received)
        except OSError:
            logger.exception("mail sink could not store a message")
            return "451 Requested action aborted: could not store the message"
        return "250 Message accepted for delivery"


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def _slug(message_id: object) -> str:
    text = str(message_id or "").strip().strip("<>")
    slug = _SLUG_UNSAFE.sub("-", text).strip(".-")[:80]
    return slug or "no-message-id"
