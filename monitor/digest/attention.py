"""Needs attention now: what the head of PR must act on at the moment the digest is composed — open
alerts nobody has acknowledged, first contacts due and not yet made (the overdue ones marked), and
boards the monitor cannot read now. The rest of the digest looks back at the week; this block looks
at its ``generated_at``, and says so (``as of 12-07 09:00``).

It is kept short (:data:`MOST` lines, then ``and 3 more``): the worst first — overdue first contacts,
then the highest tier, then the earliest deadline — and the boards after the alerts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting.sla import OPEN
from monitor.detect.severity import Severity
from monitor.digest.headings import ATTENTION
from monitor.digest.model import Attention, BoardTrouble, Digest, OpenAlert
from monitor.digest.reading import PROBLEM_LABELS, STATES, TROUBLED_STATUSES
from monitor.digest.wording import name_of, short_time, shortened, tier
from monitor.store.models import Alert, Thread

__all__ = [
    "MOST",
    "AttentionLine",
    "attention_heading",
    "attention_lines",
    "open_alerts",
    "tier_rank",
    "very_urgent_note",
]

MOST = 6  # lines in the block, then "and N more"
TITLE_CHARS = 30


def open_alerts(session: Session, now: datetime, people: Mapping[str, str]) -> Attention:
    """The alerts open at ``now`` (opened by then, not resolved), oldest first."""
    rows = session.execute(
        select(
            Alert.id,
            Alert.severity,
            Thread.title,
            Alert.spokesperson,
            Alert.acknowledged_at,
            Alert.contacted_at,
            Alert.respond_by,
        )
        .join(Thread, Thread.id == Alert.thread_id)
        .where(Alert.status.in_(OPEN), Alert.opened_at <= now)
        .order_by(Alert.opened_at, Alert.id)
    )
    return Attention(
        tuple(
            OpenAlert(
                alert_id=alert_id,
                severity=severity,
                title=title,
                spokesperson=people.get(owner, owner),
                acknowledged=acknowledged_at is not None,
                contacted=contacted_at is not None,
                respond_by=respond_by,
            )
            for alert_id, severity, title, owner, acknowledged_at, contacted_at, respond_by in rows
        )
    )


@dataclass(frozen=True)
class AttentionLine:
    """One line of the block; ``urgent`` lines (an overdue first contact, a board not read) are marked."""

    text: str
    urgent: bool = False


def attention_lines(digest: Digest) -> list[AttentionLine]:
    """The block's lines, cleaned (the HTML body escapes them); empty when nothing needs attention."""
    timezone, now = digest.week.period.timezone, digest.generated_at
    alerts = digest.attention.open_alerts if digest.attention is not None else ()
    waiting = [alert for alert in alerts if not alert.contacted]  # not acknowledged: not contacted either
    waiting.sort(key=lambda alert: (alert.respond_by >= now, -tier_rank(alert.severity), alert.respond_by))
    lines = [_alert_line(alert, now, timezone) for alert in waiting]
    boards = digest.reading.troubled if digest.reading is not None and not digest.reading.unwatched else ()
    lines += [_board_line(board, timezone) for board in boards if board.status in TROUBLED_STATUSES]
    if len(lines) > MOST:
        rest = len(lines) - (MOST - 1)
        lines = [*lines[: MOST - 1], AttentionLine(f"and {rest} more")]
    return lines


def tier_rank(severity: str) -> int:
    """Higher for a higher tier (非常紧迫 highest); -1 for a tier not known."""
    try:
        return Severity(severity).rank
    except ValueError:
        return -1


def _alert_line(alert: OpenAlert, now: datetime, timezone: str) -> AttentionLine:
    """``#3 [非常紧迫 very urgent] 途乐导游强制购物 — 李娜: not acknowledged, first contact overdue since
    12-06 23:00``; ``… — 王强: first contact due 12-07 15:00``."""
    due = short_time(alert.respond_by, timezone)
    overdue = alert.respond_by < now
    contact = f"first contact overdue since {due}" if overdue else f"first contact due {due}"
    what = contact if alert.acknowledged else f"not acknowledged, {contact}"
    title = shortened(alert.title, TITLE_CHARS) or "(untitled)"
    return AttentionLine(
        f"#{alert.alert_id} [{tier(alert.severity)}] {title} — {name_of(alert.spokesperson)}: {what}", overdue
    )


def _board_line(board: BoardTrouble, timezone: str) -> AttentionLine:
    """``演示论坛 · 投诉维权: failing now (login wall), last read 12-06 08:00``."""
    kinds = ", ".join(PROBLEM_LABELS.get(kind, kind) for kind, _ in board.problems)
    read = board.last_success_at
    last = f", last read {short_time(read, timezone)}" if read is not None else ", never read"
    said = f"{name_of(board.forum)} · {name_of(board.board)}: {STATES[board.status]}"
    return AttentionLine(said + (f" ({kinds})" if kinds else "") + last, True)


def attention_heading(digest: Digest) -> str:
    """``Needs attention now (as of 12-07 09:00)``: the moment the digest was composed."""
    return f"{ATTENTION} (as of {short_time(digest.generated_at, digest.week.period.timezone)})"


def very_urgent_note(digest: Digest) -> str:
    """``1 非常紧迫 open`` for the subject when very urgent alerts are open now; else empty."""
    count = digest.attention.very_urgent_open() if digest.attention else 0
    return f"{count} {Severity.VERY_URGENT.label_zh} open" if count else ""
