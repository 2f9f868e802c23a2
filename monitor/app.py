"""Wire the configured parts together: database, scorer, channels, and the pipeline.

Entry points (the CLI, the demo) call :func:`build`; nothing here reads the
environment or configures logging.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from monitor.alerting.channels.console import ConsoleChannel
from monitor.alerting.channels.email import EmailChannel, SmtpSettings
from monitor.alerting.channels.registry import ChatChannels
from monitor.alerting.outbox import Channels, OutboxReport, deliver_pending
from monitor.alerting.sla import SlaAction, check_sla
from monitor.config.loader import MonitorConfig
from monitor.digest.send import SendReport, WeekTaken, send_due
from monitor.enrich.sentiment import Scorer, load_scorer, negative_threshold
from monitor.enrich.watch_admin import WATCH_FILE, WatchGroupsReloader
from monitor.fetch.addresses import Resolver, guarded_client, policy_for, system_resolve
from monitor.fetch.tls import tls_context
from monitor.pipeline import Pipeline
from monitor.store.db import ensure_schema, make_engine, session_factory

log = logging.getLogger(__name__)


@dataclass
class App:
    config: MonitorConfig
    engine: Engine
    sessions: sessionmaker[Session]
    scorer: Scorer
    channels: Channels
    stopping: threading.Event = field(default_factory=threading.Event)  # set at shutdown: send no more
    _watch: WatchGroupsReloader = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # from the groups as loaded with the config: an edit after this is picked up (_config_now)
        path = self.config.directory / WATCH_FILE
        self._watch = WatchGroupsReloader(path, self.config.watch_groups, record_hand_edits=False)

    @asynccontextmanager
    async def pipeline(self, resolve: Resolver = system_resolve) -> AsyncIterator[Pipeline]:
        """A pipeline with the process's one HTTP client, open for the life of the block.

        The client connects only to public addresses, the sources' own IP addresses and
        ``[fetch] private_networks`` (:mod:`monitor.fetch.addresses`; forums' names looked up by
        ``resolve``): sources are read at start, so the policy is fixed for the life of the client.
        HTTPS certificates are checked against the public CAs and ``[fetch] ca_bundle``.
        """
        fetch = self.config.settings.fetch
        policy = policy_for(fetch.private_networks, (str(source.base_url) for source in self.config.sources))
        async with guarded_client(
            policy,
            proxy=fetch.proxy,
            verify=tls_context(fetch.ca_bundle),
            resolve=resolve,
            timeout=fetch.timeout_seconds,
            follow_redirects=True,
            max_redirects=fetch.max_redirects,
        ) as client:
            yield Pipeline(self.config, self.sessions, self.scorer, client)

    def deliver(self, now: datetime) -> OutboxReport:
        """Send what the outbox holds; a channel that is down leaves its deliveries queued."""
        with self.sessions() as session:
            report = deliver_pending(
                session, self.config, self.channels, now, commit_each=True, stopping=self.stopping.is_set
            )
            session.commit()
            return report

    def check_sla(self, now: datetime) -> list[SlaAction]:
        """Run the SLA clocks; reminders and escalations go into the outbox."""
        with self.sessions.begin() as session:
            return check_sla(session, self.config, now)

    @property
    def negative_below(self) -> float:
        """A post reads negative below this score: the model's calibrated threshold or the override."""
        return negative_threshold(self.scorer, self.config.settings.sentiment.negative_threshold)

    @property
    def email(self) -> EmailChannel | None:
        """The SMTP channel, when ``[smtp]`` is enabled."""
        return self.channels.email if isinstance(self.channels.email, EmailChannel) else None

    def send_due_digest(self, now: datetime) -> SendReport:
        """Compose the weekly digest when its time has come, and send it until it is sent."""
        try:
            with self.sessions() as session:
                return send_due(session, self._config_now(now), self.email, now, lambda: self.negative_below)
        except WeekTaken as taken:  # a send by hand (or another scheduler) had the week: fine
            log.info("weekly digest: %s", taken)
            return SendReport(None, False)

    def _config_now(self, now: datetime) -> MonitorConfig:
        """The config with ``watch_groups.yaml`` as last saved: a service running for weeks finds the
        terms of a group added since its start (the digest's "matched by")."""
        return self._watch.config_now(self.config, now)

    def prune(self, now: datetime) -> list[str]:
        """Delete what ``[retention]`` says is old enough (a batch per transaction); "table N" per table
        that lost rows."""
        from monitor.store.retention import prune

        with self.sessions() as session:
            report = prune(session, self.config.settings, now)
        return [f"{table} {count:,}" for table, count in report.deleted.items() if count]

    def close(self) -> None:
        if isinstance(self.channels.chat, ChatChannels):
            self.channels.chat.close()
        self.engine.dispose()


def build(config: MonitorConfig, *, stream: TextIO | None = None, scorer: Scorer | None = None) -> App:
    """Open the database (migrating it when allowed) and build the scorer and channels."""
    settings = config.settings
    engine = make_engine(settings.database_url())
    ensure_schema(engine, settings.database.auto_migrate)
    return App(
        config,
        engine,
        session_factory(engine),
        scorer or load_scorer(settings.sentiment.model),
        make_channels(config, stream),
    )


def make_channels(config: MonitorConfig, stream: TextIO | None) -> Channels:
    fetch = config.settings.fetch
    chat = (  # a chat service or webhook on your own network: its private CA in [fetch] ca_bundle
        ChatChannels(timeout=fetch.timeout_seconds, verify=tls_context(fetch.ca_bundle))
        if config.chat_targets
        else None
    )
    return Channels(
        console=ConsoleChannel(), console_stream=stream or sys.stdout, email=email_channel(config), chat=chat
    )


def email_channel(config: MonitorConfig) -> EmailChannel | None:
    """The SMTP channel, when ``[smtp]`` is enabled."""
    smtp = config.settings.smtp
    if not smtp.enabled:
        return None
    return EmailChannel(
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
