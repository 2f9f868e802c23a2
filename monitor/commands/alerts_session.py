"""What the ``monitor alerts`` commands share: the config and the database (:func:`alerts_session`), and
an alert summed up as its list and its ``show`` print it (:func:`summary`)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from monitor.commands.alert_actions import local
from monitor.config.loader import MonitorConfig, load_config
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import Alert


@contextmanager
def alerts_session(
    args: argparse.Namespace, write: bool, *, links: bool = False, routes: bool = False
) -> Iterator[tuple[MonitorConfig, Session]]:
    """The config and a database session; the link-signing key is needed only with ``links``. These
    commands send nothing (the SMTP password is not needed) and read no watch group: a broken
    watch_groups.yaml must not keep anyone from acknowledging an alert. Nor a broken routing.yaml,
    but for those that reach a spokesperson (``routes``: a handover, a link made for one)."""
    config = load_config(
        args.config,
        environ=os.environ,
        links=links,
        sends=False,
        without_watch_groups=True,
        without_routing=not routes,
    )
    engine = make_engine(config.settings.database_url())
    ensure_schema(engine, config.settings.database.auto_migrate)
    sessions = session_factory(engine)
    try:
        with sessions.begin() if write else sessions() as session:
            yield config, session
    finally:
        engine.dispose()


def summary(alert: Alert, zone: str) -> dict[str, Any]:
    return {
        "id": alert.id,
        "severity": alert.severity,
        "status": alert.status,
        "thread": alert.thread.title,
        "url": alert.thread.url,
        "board": alert.thread.board.name,
        "watch_group": alert.watch_group,
        "spokesperson": alert.spokesperson,
        "backup": alert.backup,
        "opened_at": alert.opened_at.isoformat(),
        "respond_by": alert.respond_by.isoformat(),
        "acknowledged_by": alert.acknowledged_by,
        "opened_local": local(alert.opened_at, zone),
        "respond_by_local": local(alert.respond_by, zone),
        "contacted_at": alert.contacted_at.isoformat() if alert.contacted_at else None,
        "contacted_local": local(alert.contacted_at, zone),
    }
