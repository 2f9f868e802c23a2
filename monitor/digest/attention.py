"""Needs attention now: what the head of PR must act on at the moment the digest is composed — open
alerts nobody has acknowledged, first contacts due and not yet made (the overdue ones marked),
messages not getting through (:mod:`monitor.digest.not_delivered`) and boards the monitor cannot read
now. The rest of the digest looks back at the week; this block looks at its ``generated_at``, and says
so (``as of 12-07 09:00``).

It is kept short (:data:`MOST` lines, then ``and 3 more``): the worst first — overdue first contacts,
then the highest tier, then the earliest deadline — then the messages not delivered (the highest tier
first, then those given up, then the most), then the boards. When lines must be left out, the worst
line of each kind stays: a mail server down is never hidden behind five alerts it kept from anyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerting.sla import OPEN
from monitor.detect.severity import Severity
from monitor.digest.headings import ATTENTION
from monitor.digest.model import Attention, BoardTrouble, Digest, NotDelivered, OpenAlert
from monitor.digest.not_delivered import not_delivered, not_delivered_said
from monitor.digest.reading import PROBLEM_LABELS, PROBLEM_LABELS_ZH, STATES, STATES_ZH, TROUBLED_STATUSES
from monitor.digest.said import Said
from monitor.digest.sentences import as_of
from monitor.digest.wording import name_of, short_time, shortened, tier
from monitor.store.models import Alert, Thread

__all__ = [
    "MOST",
    "AttentionLine",
    "attention_heading",
    "attention_lines",
    "attention_now",
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


def attention_now(
    session: Session, now: datetime, people: Mapping[str, str], *, week_start: datetime
) -> Attention:
    """The alerts open at ``now`` and the messages not getting through then: retried for an open
    alert, or given up since ``week_start``."""
    return replace(
        open_alerts(session, now, people), not_delivered=not_delivered(session, now, week_start, people)
    )


@dataclass(frozen=True)
class AttentionLine:
    """One line of the block, in both languages; ``urgent`` lines (an overdue first contact, a board
    not read) are marked."""

    said: Said
    urgent: bool = False


def attention_lines(digest: Digest) -> list[AttentionLine]:
    """The block's lines, cleaned (the HTML body escapes them); empty when nothing needs attention."""
    timezone, now = digest.week.period.timezone, digest.generated_at
    alerts = digest.attention.open_alerts if digest.attention is not None else ()
    waiting = [alert for alert in alerts if not alert.contacted]  # not acknowledged: not contacted either
    waiting.sort(key=lambda alert: (alert.respond_by >= now, -tier_rank(alert.severity), alert.respond_by))
    undelivered = sorted(
        digest.attention.not_delivered if digest.attention is not None else (),
        key=lambda item: (
            -tier_rank(item.severity),
            -item.given_up,
            -(item.retrying + item.given_up),
            item.since,
        ),
    )
    boards = digest.reading.troubled if digest.reading is not None and not digest.reading.unwatched else ()
    kinds = [
        [_alert_line(alert, now, timezone) for alert in waiting],
        [_not_delivered_line(item, timezone) for item in undelivered],
        [_board_line(board, timezone) for board in boards if board.status in TROUBLED_STATUSES],
    ]
    return _cut(kinds)


def _cut(kinds: list[list[AttentionLine]]) -> list[AttentionLine]:
    """The lines in order, at most :data:`MOST`: past that, :data:`MOST` - 1 of them — the first (worst)
    of each kind, then the rest in order — and ``and N more``."""
    lines = [line for kind in kinds for line in kind]
    if len(lines) <= MOST:
        return lines
    firsts, at = set(), 0
    for kind in kinds:
        if kind:
            firsts.add(at)
        at += len(kind)
    kept = sorted(firsts | set(sorted(set(range(len(lines))) - firsts)[: MOST - 1 - len(firsts)]))
    rest = len(lines) - len(kept)
    return [*(lines[at] for at in kept), AttentionLine(Said(f"另有 {rest} 项", f"and {rest} more"))]


def tier_rank(severity: str) -> int:
    """Higher for a higher tier (非常紧迫 highest); -1 for a tier not known."""
    try:
        return Severity(severity).rank
    except ValueError:
        return -1


def _alert_line(alert: OpenAlert, now: datetime, timezone: str) -> AttentionLine:
    """``#3 [非常紧迫 very urgent] 途乐导游强制购物 — 李娜：未确认，首次联系 12-06 23:00 起已超时`` /
    ``not acknowledged, first contact overdue since 12-06 23:00``; ``… — 王强：首次联系截止 12-07 15:00``
    / ``first contact due 12-07 15:00``. The tag, title and name are said once, before the Chinese."""
    due = short_time(alert.respond_by, timezone)
    overdue = alert.respond_by < now
    if overdue:
        contact = Said(f"首次联系 {due} 起已超时", f"first contact overdue since {due}")
    else:
        contact = Said(f"首次联系截止 {due}", f"first contact due {due}")
    what = contact if alert.acknowledged else Said("未确认，", "not acknowledged, ") + contact
    title = shortened(alert.title, TITLE_CHARS) or "(untitled)"
    who = f"#{alert.alert_id} [{tier(alert.severity)}] {title} — {name_of(alert.spokesperson)}"
    return AttentionLine(Said(f"{who}：{what.zh}", what.en), overdue)


def _not_delivered_line(item: NotDelivered, timezone: str) -> AttentionLine:
    """A message not getting through is always marked: someone is not being told."""
    return AttentionLine(not_delivered_said(item, timezone), True)


def _board_line(board: BoardTrouble, timezone: str) -> AttentionLine:
    """``演示论坛 · 投诉维权：当前读取失败（登录墙），最后读取 12-06 08:00`` / ``failing now (login wall),
    last read 12-06 08:00``."""
    kinds = [kind for kind, _ in board.problems]
    zh = "、".join(PROBLEM_LABELS_ZH.get(kind, kind) for kind in kinds)
    en = ", ".join(PROBLEM_LABELS.get(kind, kind) for kind in kinds)
    read = board.last_success_at
    last = Said("，从未读取成功", ", never read")
    if read is not None:
        last = Said(f"，最后读取 {short_time(read, timezone)}", f", last read {short_time(read, timezone)}")
    state = Said(STATES_ZH[board.status], STATES[board.status])
    said = state + (Said(f"（{zh}）", f" ({en})") if kinds else Said("", "")) + last
    return AttentionLine(Said(f"{name_of(board.forum)} · {name_of(board.board)}：{said.zh}", said.en), True)


def attention_heading(digest: Digest) -> str:
    """``待处理 Needs attention now（截至 as of 12-07 09:00）``: the moment the digest was composed."""
    return as_of(ATTENTION, short_time(digest.generated_at, digest.week.period.timezone))


def very_urgent_note(digest: Digest) -> Said:
    """``1 个非常紧迫未结`` / ``1 very urgent open`` for the subject when very urgent alerts are open
    now; else empty."""
    count = digest.attention.very_urgent_open() if digest.attention else 0
    if not count:
        return Said("", "")
    return Said(f"{count} 个{Severity.VERY_URGENT.label_zh}未结", f"{count} very urgent open")
