"""The set-up of the given-up-message tests: a real SMTP server (aiosmtpd) that keeps what it is sent
and refuses the addresses it is told to (550, for good), and the demo configuration with li_na's
chat channels and SMTP on that server; alerts opened on li_na (the 途乐旅行 group's spokesperson,
backup wang_qiang) through the real alerting service.
"""

from __future__ import annotations

import io
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import select

from monitor.alerting.service import consider
from monitor.app import App, build
from monitor.config.loader import MonitorConfig, load_config
from monitor.detect.assess import Assessment
from monitor.detect.severity import Severity
from monitor.sources.base import ThreadSummary
from monitor.store import repo
from monitor.store.models import Alert, AlertEvent, Delivery

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "monitor" / "demo" / "config"
LI_NA = "li.na@pr.demo.invalid"
WANG_QIANG = "wang.qiang@pr.demo.invalid"


@dataclass
class Mail:
    """What the SMTP server was sent, and the addresses it refuses."""

    port: int
    refused: set[str] = field(default_factory=set)
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [message for rcpt, message in self.received if address in rcpt]


def smtp_server() -> Iterator[Mail]:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mail = Mail(port)

    class Keeping:
        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            if address in mail.refused:
                return f"550 5.1.1 <{address}>: user unknown"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            mail.received.append((list(envelope.rcpt_tos), parsed))
            return "250 Message accepted"

    controller = Controller(Keeping(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mail
    finally:
        controller.stop()


def write_config(tmp_path: Path, channels: list[str], smtp_port: int | None) -> Path:
    """The demo configuration, li_na reached on ``channels`` too, email through ``smtp_port`` (off
    when None), no console."""
    directory = tmp_path / "config"
    if not directory.exists():
        shutil.copytree(DEMO_CONFIG, directory)
    original = (DEMO_CONFIG / "routing.yaml").read_text(encoding="utf-8")
    listed = ", ".join(f'"{url}"' for url in channels)
    (directory / "routing.yaml").write_text(
        original.replace(
            "    backup: wang_qiang\n", f"    backup: wang_qiang\n    channels: [{listed}]\n", 1
        ),
        encoding="utf-8",
    )
    mail = (
        f'[smtp]\nenabled = true\nhost = "127.0.0.1"\nport = {smtp_port}\nsender = "m@demo.invalid"\n'
        if smtp_port is not None
        else "[smtp]\nenabled = false\n"
    )
    (directory / "monitor.toml").write_text(
        f'[general]\ndata_dir = "{tmp_path.as_posix()}"\n{mail}[alerting]\nconsole = false\n',
        encoding="utf-8",
    )
    return directory


def start(tmp_path: Path, channels: list[str], smtp_port: int | None) -> App:
    config = load_config(write_config(tmp_path, channels, smtp_port), environ={})
    return build(config, stream=io.StringIO())


TITLES = {"26": "途乐旅行不退款", "27": "途乐导游强制购物", "28": "途乐酒店被降级", "29": "途乐签证材料丢失"}


def open_alert(app: App, tid: str, at: datetime) -> int:
    """An urgent alert on li_na for a new thread ``tid`` (26 … 29, each another story), opened at
    ``at``; its id."""
    config: MonitorConfig = app.config
    with app.sessions.begin() as session:
        source = repo.ensure_source(session, config.sources[0])
        board = repo.ensure_board(session, source, "2", "投诉维权")
        summary = ThreadSummary(tid, TITLES[tid], "维权小王", "2", 9, 10, False, f"http://bbs.test/t{tid}")
        thread, _ = repo.upsert_thread(session, source, board, summary, at)
        assessment = Assessment(True, Severity.URGENT, ["9 replies in the last 60 min"], [], 0.8, 9.0)
        change = consider(session, config, thread, config.watch_groups[0], assessment, at)
        assert change is not None and change.kind == "opened"
        alert = session.get(Alert, change.alert_id)
        assert alert is not None and alert.spokesperson == "li_na"
        return alert.id


def deliveries(app: App, **where: str) -> list[Delivery]:
    with app.sessions() as session:
        query = select(Delivery).order_by(Delivery.id)
        for name, value in where.items():
            query = query.where(getattr(Delivery, name) == value)
        return list(session.scalars(query))


def trail(app: App, kind: str) -> list[str]:
    with app.sessions() as session:
        return list(
            session.scalars(select(AlertEvent.detail).where(AlertEvent.kind == kind).order_by(AlertEvent.id))
        )


def alert_row(app: App, alert_id: int) -> Alert:
    with app.sessions() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        return alert


def plain(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())  # type: ignore[attr-defined]
