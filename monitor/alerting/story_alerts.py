"""The open alert a thread's story belongs to: another thread of the same watch group telling the
same story (a cross-post, a retelling) joins that alert instead of opening one of its own.

The two texts are compared as the spread check compares them (:mod:`monitor.detect.spread`):
without the group's watch terms and aliases, and without the boards' boilerplate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from monitor.config.files import WatchGroupConfig
from monitor.config.loader import MonitorConfig
from monitor.detect.story import story_similarity
from monitor.store.models import Alert, Post, Thread, WatchGroupRow, WatchMatch

OPEN_STATUSES = ("open", "acknowledged")


def _story_text(session: Session, thread: Thread) -> str:
    first = session.scalar(select(Post.text).where(Post.thread_id == thread.id).order_by(Post.floor).limit(1))
    return f"{thread.title}\n{first or ''}"


def open_story(
    session: Session,
    config: MonitorConfig,
    group: WatchGroupConfig,
    thread: Thread,
    now: datetime,
    boilerplate: Callable[[int], frozenset[int]] | None = None,
) -> Alert | None:
    """An open alert of the same watch group whose origin thread tells the same story as ``thread``.

    The alert's origin may name several groups and the alert carry another's (the group whose route
    owns it): it is a candidate when its origin thread matched this group too. ``boilerplate`` gives
    a board's boilerplate trigrams by board id (see :meth:`monitor.facts.FactsReader.boilerplate`)."""
    settings = config.settings.detect
    origins_of_group = (
        select(WatchMatch.thread_id)
        .join(WatchGroupRow, WatchGroupRow.id == WatchMatch.watch_group_id)
        .where(WatchGroupRow.name == group.name)
    )
    candidates = session.scalars(  # most often none: then the thread's own text is not read
        select(Alert)
        .where(
            or_(Alert.watch_group == group.name, Alert.thread_id.in_(origins_of_group)),
            Alert.status.in_(OPEN_STATUSES),
            Alert.updated_at >= now - timedelta(hours=settings.story_window_hours),
            Alert.thread_id != thread.id,
        )
        .order_by(Alert.opened_at.desc())
    ).all()
    text = _story_text(session, thread) if candidates else ""
    terms = [*group.include, *group.aliases]
    own = boilerplate(thread.board_id) if boilerplate is not None else frozenset()
    for alert in candidates:
        drop = own | boilerplate(alert.thread.board_id) if boilerplate is not None else own
        similarity = story_similarity(text, _story_text(session, alert.thread), terms, drop)
        if similarity >= settings.story_similarity:
            return alert
    return None
