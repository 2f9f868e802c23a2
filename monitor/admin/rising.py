"""``monitor threads rising``: the detector's view of every watched thread, alerting or not.

For the PR team asking "what is close to alerting?" and for ops tuning thresholds: each thread
that matched a watch group and was seen within the last ``hours`` is assessed from what is
stored, exactly as the next poll would assess it (same facts, baseline, spread and rules), and
listed by escalation score with its reasons. Nothing is written and no alert is opened.

At a past moment (``--at``) it shows what was known then: posts read by then, the snapshots and
alerts of then, and the story's copies on other boards with their reply counts of then (a copy
not read by then is left out).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting.render import clean_text
from monitor.alerting.service import alert_for_thread
from monitor.alerting.severity_at import alert_severity_at
from monitor.config.files import WatchGroupConfig
from monitor.config.loader import MonitorConfig
from monitor.detect.assess import ThreadFacts, assess
from monitor.detect.severity import Severity
from monitor.detect.velocity import counted
from monitor.facts import FactsReader
from monitor.store import repo
from monitor.store.models import Alert, Thread, WatchGroupRow, WatchMatch

TITLE_CHARS = 40


@dataclass(frozen=True)
class RisingThread:
    """One watched thread as the detector sees it now."""

    thread_id: int
    source: str
    board: str
    title: str
    url: str
    replies: int
    watch_group: str
    score: float | None  # None: no reply times stored yet (the skeleton rule applies)
    would_alert: bool  # the thread would open (or keep) an alert now
    severity: str  # the tier it would have
    alert_id: int | None  # the open alert it belongs to, if any
    alert_severity: str | None  # that alert's tier
    spread_of_alert: bool  # it joined that alert as a copy of the story (not the alert's own thread)
    figures: tuple[str, ...]  # the reasons, as an alert would give them
    also_groups: tuple[str, ...] = ()  # the thread's other watch groups, by name

    def as_dict(self) -> dict[str, object]:
        return asdict(self) | {"figures": list(self.figures), "also_groups": list(self.also_groups)}

    @property
    def groups_said(self) -> str:
        """``途乐旅行 · also 退款监控, 售后``: the group it is listed under, then its others."""
        also = f" · also {', '.join(self.also_groups)}" if self.also_groups else ""
        return self.watch_group + also


def rising_threads(
    config: MonitorConfig,
    facts: FactsReader,
    session: Session,
    now: datetime,
    hours: float,
    watch_groups: Sequence[WatchGroupConfig] | None = None,
) -> list[RisingThread]:
    """Watched threads seen since ``now - hours``, highest escalation score first.

    ``watch_groups``: the current ones (a long-running reader passes its reloaded groups); by default
    the configuration's. A thread in several watch groups is listed once: under its open alert's
    group when it is in that group, else under the group that scores it highest, naming its other
    groups (``also_groups``). Groups no longer in the configuration are skipped.
    """
    groups = {group.name: group for group in (config.watch_groups if watch_groups is None else watch_groups)}
    rows = session.execute(
        select(Thread, WatchGroupRow.name)
        .join(WatchMatch, WatchMatch.thread_id == Thread.id)
        .join(WatchGroupRow, WatchGroupRow.id == WatchMatch.watch_group_id)
        .where(Thread.last_seen_at >= now - timedelta(hours=hours))
        .order_by(Thread.id, WatchGroupRow.name)
    )
    with facts.held_groups():  # a group's recent threads read once, not once per thread of it
        listed: dict[int, list[RisingThread]] = {}  # thread id -> its row in each of its groups
        for thread, name in rows:
            group = groups.get(name)
            snapshot = repo.snapshot_before(session, thread, now)
            if group is None or snapshot is None:
                continue
            # what was known at ``now`` (``--at`` a past moment): posts read by then, the snapshot then
            posts = [p for p in repo.thread_posts(session, thread) if p.first_seen_at <= now]
            known = _copies_then(session, facts.read(session, thread, posts, snapshot, group, now), now)
            found = assess(known, config.settings.detect)
            alert = alert_for_thread(session, thread)
            if alert is not None and alert.opened_at > now:
                alert = None
            row = RisingThread(
                thread_id=thread.id,
                source=thread.source.name,
                board=thread.board.name or thread.board.external_id,
                title=thread.title,
                url=thread.url,
                replies=snapshot.replies,
                watch_group=name,
                score=found.score,
                would_alert=found.escalating,
                severity=found.severity.value,
                alert_id=alert.id if alert is not None else None,
                alert_severity=alert_severity_at(session, alert, now).value if alert is not None else None,
                spread_of_alert=alert is not None and alert.thread_id != thread.id,
                figures=tuple(found.figures),
            )
            listed.setdefault(thread.id, []).append(row)
    return sorted((_one_row(rows, session) for rows in listed.values()), key=_rank)


def _one_row(rows: list[RisingThread], session: Session) -> RisingThread:
    """A thread's row: in its open alert's group (the group the PR team was told), else the
    group scoring it highest; its other groups named."""
    shown = min(rows, key=_rank)
    if shown.alert_id is not None:
        alert = session.get(Alert, shown.alert_id)
        own = next((row for row in rows if alert is not None and row.watch_group == alert.watch_group), None)
        shown = own or shown
    also = tuple(row.watch_group for row in rows if row.watch_group != shown.watch_group)
    return replace(shown, also_groups=also)


def _copies_then(session: Session, known: ThreadFacts, now: datetime) -> ThreadFacts:
    """The story's copies as known at ``now``: each copy's reply count from its last snapshot at or
    before ``now`` (not the count read since); a copy not read by then is left out."""
    if known.spread is None or not known.spread.copies:
        return known
    copies = [copy.thread.thread_id for copy in known.spread.copies]
    return replace(known, spread=known.spread.as_of(repo.replies_before(session, copies, now)))


def _rank(row: RisingThread) -> tuple[float, int]:
    return (-(row.score if row.score is not None else -math.inf), row.thread_id)


def render_rising(rows: list[RisingThread], hours: float, general: float, urgent: float, very: float) -> str:
    """Plain text for a terminal; scraped text is cleaned of control characters."""
    lines = [
        f"Watched threads seen in the last {hours:g} h, by escalation score "
        f"(alert at {general:+.1f}, 紧迫 at {urgent:+.1f}, 非常紧迫 at {very:+.1f}):"
    ]
    for row in rows:
        score = f"{row.score:+.1f}" if row.score is not None else "  n/a"
        if row.alert_id is not None and row.spread_of_alert:
            state = f"spread of #{row.alert_id}"
        elif row.alert_id is not None and row.alert_severity is not None:
            state = f"alert #{row.alert_id} {Severity(row.alert_severity).label_zh}"
        elif row.would_alert:
            state = f"would alert {Severity(row.severity).label_zh}"
        elif row.severity != Severity.GENERAL.value:  # a signal's floor: the tier it would alert at
            state = f"below (would be {Severity(row.severity).label_zh})"
        else:
            state = "below"
        title = clean_text(row.title)
        if len(title) > TITLE_CHARS:
            title = title[:TITLE_CHARS] + "…"
        lines.append(
            f"{score:>5}  {state:<16} {title} — {clean_text(row.board)} · {clean_text(row.source)}, "
            f"{counted(row.replies, 'reply', 'replies')} [{clean_text(row.groups_said)}]"
        )
        lines.extend(f"         - {clean_text(figure)}" for figure in row.figures)
    if not rows:
        lines.append("  (none)")
    return "\n".join(lines)
