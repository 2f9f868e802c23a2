"""The weekly digest's sending tests share this: the packaged demo configuration (three
spokespeople, Asia/Shanghai, digest on Monday 09:00) with SMTP to a loopback sink
(monitor.demo.smtp_sink.MailSink, the ``sink`` fixture in conftest.py), a real database — the SQLite
file in the data directory, or the ``db_url`` one — and one watched thread with posts in the week
before :data:`SLOT`.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerting.channels.email import EmailChannel, SmtpSettings
from monitor.config.files import SourceConfig
from monitor.config.loader import MonitorConfig, load_config
from monitor.demo.smtp_sink import MailSink
from monitor.digest.send import send_due
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import DigestRow, WatchGroupRow, WatchMatch

SHANGHAI = ZoneInfo("Asia/Shanghai")
SLOT = datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)  # a Monday, 09:00 on the team's clock
SOURCE = SourceConfig.model_validate(
    {"key": "bbs", "name": "演示论坛", "engine": "discuz", "base_url": "http://127.0.0.1:1/", "boards": ["2"]}
)
TITLE = "途乐旅行退款三个月没到账 <b>急</b>"
NEGATIVE_BELOW = 0.5


def config_dir(
    directory: Path, smtp_port: int, digest: str = "", *, smtp: bool = True, database_url: str | None = None
) -> Path:
    """The packaged demo config, its SQLite file in ``directory`` (or ``database_url``), SMTP to the
    loopback sink."""
    shutil.copytree(Path(str(resources.files("monitor.demo") / "config")), directory / "config")
    database = f'[database]\nurl = "{database_url}"\n' if database_url else ""
    (directory / "config" / "monitor.toml").write_text(
        f'[general]\ntimezone = "Asia/Shanghai"\ndata_dir = "{directory.as_posix()}"\n{database}'
        f'[smtp]\nenabled = {str(smtp).lower()}\nhost = "127.0.0.1"\nport = {smtp_port}\n'
        'sender = "crisis-monitor@demo.invalid"\n'
        f"[schedule]\ndelivery_retry_minutes = 2\n{digest}",
        encoding="utf-8",
    )
    return directory / "config"


def seed(sessions: sessionmaker[Session]) -> None:
    """One watched thread: its opening post and 3 replies in the week before the slot, 2 negative."""
    posted = SLOT - timedelta(days=2)
    with sessions.begin() as session:
        source = repo.ensure_source(session, SOURCE)
        board = repo.ensure_board(session, source, "2", "投诉维权")
        summary = ThreadSummary(
            thread_id="26", title=TITLE, author="维权人", author_id="1", replies=3, views=90,
            sticky=False, url="http://127.0.0.1:1/forum.php?mod=viewthread&tid=26",
        )  # fmt: skip
        thread, _ = repo.upsert_thread(session, source, board, summary, posted)
        posts = [
            PostRecord(
                post_id=str(floor),
                floor=floor,
                author=f"网友{floor}",
                author_id=str(floor),
                posted_at=posted + timedelta(minutes=floor),
                text="途乐旅行不退款",
                quoted="",
            )
            for floor in range(1, 5)
        ]
        rows = repo.save_posts(session, thread, posts, posted)
        for row, score in zip(rows, [0.1, 0.2, 0.9, None], strict=True):
            row.sentiment = score
        group = WatchGroupRow(name="途乐旅行")
        session.add(group)
        session.flush()
        session.add(
            WatchMatch(watch_group_id=group.id, thread_id=thread.id, term="途乐旅行", matched_at=posted)
        )


class Setup:
    def __init__(
        self, tmp_path: Path, sink: MailSink, digest: str = "", *, database_url: str | None = None
    ) -> None:
        self.dir = config_dir(tmp_path, sink.port, digest, database_url=database_url)
        self.config: MonitorConfig = load_config(self.dir, environ={})
        self.engine = make_engine(self.config.settings.database_url())
        ensure_schema(self.engine, auto_migrate=True)
        self.sessions = session_factory(self.engine)
        self.channel = EmailChannel(
            SmtpSettings(host=sink.host, port=sink.port, sender="crisis-monitor@demo.invalid", timeout=5.0)
        )
        seed(self.sessions)

    def tick(self, now: datetime) -> None:
        with self.sessions() as session:
            send_due(session, self.config, self.channel, now.astimezone(UTC), lambda: NEGATIVE_BELOW)
            session.commit()

    def rows(self) -> list[DigestRow]:
        with self.sessions() as session:
            return list(session.scalars(select(DigestRow)))

    def close(self) -> None:
        self.engine.dispose()
