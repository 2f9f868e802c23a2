"""Wire the configured parts together: database, scorer, pipeline, channels.

Entry points (the CLI, the demo) call :func:`build`; nothing here reads the
environment or configures logging.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerting.channels.console import ConsoleChannel
from monitor.alerting.channels.email import EmailChannel, SmtpSettings
from monitor.alerting.outbox import Channels
from monitor.config.loader import MonitorConfig
from monitor.enrich.sentiment import Scorer, SnowNLPScorer
from monitor.pipeline import Pipeline
from monitor.store.db import ensure_schema, make_engine, session_factory


@dataclass
class App:
    config: MonitorConfig
    engine: Engine
    sessions: sessionmaker[Session]
    pipeline: Pipeline
    channels: Channels

    def close(self) -> None:
        self.engine.dispose()


def build(config: MonitorConfig, *, stream: TextIO | None = None, scorer: Scorer | None = None) -> App:
    """Open the database (migrating it when allowed) and build the pipeline and channels."""
    settings = config.settings
    engine = make_engine(settings.database_url())
    ensure_schema(engine, settings.database.auto_migrate)
    sessions = session_factory(engine)
    fetch = settings.fetch

    def client_factory() -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=fetch.timeout_seconds, follow_redirects=True)

    pipeline = Pipeline(config, sessions, scorer or SnowNLPScorer(), client_factory)
    return App(config, engine, sessions, pipeline, make_channels(config, stream))


def make_channels(config: MonitorConfig, stream: TextIO | None) -> Channels:
    smtp = config.settings.smtp
    email = None
    if smtp.enabled:
        email = EmailChannel(
            SmtpSettings(
                host=smtp.host,
                port=smtp.port,
                sender=smtp.sender,
                username=smtp.username or None,
                password=config.smtp_password,
                starttls=smtp.starttls,
                use_ssl=smtp.use_ssl,
                timeout=smtp.timeout_seconds,
            )
        )
    return Channels(console=ConsoleChannel(), console_stream=stream or sys.stdout, email=email)
