"""How both digest bodies say how each alert was handled, in Chinese and English
(:class:`~monitor.digest.said.Said`): who owns it and who it came from, who acknowledged it (or that
only the first contact did), whether the backup and leadership had to be called, the first contact
and its verdict, the checklist and progress notes. The week's figures under them are
:mod:`monitor.digest.alert_wording`.

Everything here returns plain, cleaned text; the HTML body escapes it.
"""

from __future__ import annotations

from datetime import datetime

from monitor.digest.model import Actor, AlertReview, AskedAgain, OwnerChange, SlaCall
from monitor.digest.said import Said
from monitor.digest.sentences import status, took
from monitor.digest.wording import counted, name_of, short_time

ROLES_ZH = {"backup": "备岗", "leadership": "领导"}
_NONE = Said("", "")


def first_contact(review: AlertReview, now: datetime, timezone: str) -> tuple[bool | None, Said]:
    """The verdict (see :meth:`AlertReview.contact_on_time`) and how to say it, with who made it."""
    verdict = review.contact_on_time(now)
    due = short_time(review.respond_by, timezone)  # an escalation may have brought it forward
    if review.contacted_at is not None:
        after = took((review.contacted_at - review.round_started_at).total_seconds() / 60)
        by = actor(review.contacted_by) if review.contacted_by else _NONE
        by_en = f" by {by.en}" if by.en else ""
        if verdict:
            if review.reopened_at:
                return verdict, Said(
                    f"{by.zh}按时完成首次联系（重开后 {after.zh}）",
                    f"first contact{by_en} on time ({after.en} after the reopening)",
                )
            return verdict, Said(
                f"{by.zh}按时完成首次联系（{after.zh}）", f"first contact{by_en} on time ({after.en})"
            )
        since = Said("重开", "the reopening") if review.reopened_at else Said("开启", "opening")
        return verdict, Said(
            f"{by.zh}首次联系超时（{since.zh}后 {after.zh}，应在 {due} 前）",
            f"first contact{by_en} late ({after.en} after {since.en}, due by {due})",
        )
    if verdict is False:
        return verdict, Said(f"尚未首次联系，{due} 起已超时", f"no first contact, overdue since {due}")
    if review.closed_uncontacted:
        return verdict, Said(
            f"未首次联系即已解决，当时尚未到期（{due}）",
            f"resolved without a first contact, before it was due ({due})",
        )
    return verdict, Said(
        f"尚未首次联系，仍在时限内（{due} 前）", f"no first contact yet, still within SLA (due {due})"
    )


def actor(who: Actor) -> Said:
    """``李娜`` for the spokesperson then (or anyone else), ``李娜（备岗）`` / ``李娜 (backup)``,
    ``赵敏（领导）`` / ``赵敏 (leadership)``."""
    name = name_of(who.name)
    if not who.role:
        return Said(name, name)
    return Said(f"{name}（{ROLES_ZH.get(who.role, who.role)}）", f"{name} ({who.role})")


def acknowledged(review: AlertReview, timezone: str) -> Said:
    """``李娜（备岗）5 分钟内确认`` / ``acknowledged by 李娜 (backup) in 5 min``; ``仅由首次联系确认，用时
    13 分钟`` / ``acknowledged only by the first contact, after 13 min`` when nobody pressed acknowledge
    (recording the first contact counts as one). The time is to the first acknowledgement; when an
    escalation gave the alert to someone else since, who had to acknowledge it afresh, whether they
    did: ``, then by 陈洁 5 min after the change of hands`` or ``; 陈洁 has not acknowledged it since
    the change of hands 12-02 10:30``."""
    minutes = review.minutes_to_acknowledge
    reopened = review.reopened_at is not None  # the round's: timed from the reopening, and said so
    if minutes is None:
        if reopened:
            return Said("重开后未确认", "not acknowledged since the reopening")
        return Said("未确认", "not acknowledged")
    wait = took(minutes)
    if review.acknowledged_by_contact:  # nobody pressed acknowledge: who made the contact is said with it
        said = Said(
            f"仅由首次联系确认，{f'重开后 {wait.zh}' if reopened else f'用时 {wait.zh}'}",
            "acknowledged only by the first contact, "
            + (f"{wait.en} after the reopening" if reopened else f"after {wait.en}"),
        )
    else:
        by = actor(review.acknowledged_by) if review.acknowledged_by else _NONE
        by_en = f" by {by.en}" if by.en else ""
        zh = (
            f"重开后 {wait.zh}由{by.zh}确认"
            if reopened and by.zh
            else f"重开后 {wait.zh}确认"
            if reopened
            else ""
        )
        said = Said(
            zh or f"{by.zh}{'在 ' if by.zh else ''}{wait.zh}内确认",
            f"acknowledged{by_en} {f'{wait.en} after the reopening' if reopened else f'in {wait.en}'}",
        )
    return said + _again(review.acknowledged_again, timezone)


def _again(asked: AskedAgain | None, timezone: str) -> Said:
    if asked is None:
        return _NONE
    if asked.by is None or asked.minutes is None:
        since, owner = short_time(asked.since, timezone), name_of(asked.owner)
        return Said(
            f"；{since} 换人后{owner}尚未确认",
            f"; {owner} has not acknowledged it since the change of hands {since}",
        )
    by, wait = actor(asked.by), took(asked.minutes)
    return Said(f"，换人后 {wait.zh}由{by.zh}确认", f", then by {by.en} {wait.en} after the change of hands")


def sla_calls(review: AlertReview, timezone: str) -> Said:
    """``未及时确认：12-01 10:30 通知备岗王强，11:00 通知领导赵敏`` / ``not acknowledged in time: backup
    王强 called 12-01 10:30, leadership 赵敏 called 12-01 11:00``; empty when the SLA clocks called nobody."""
    calls = [
        _call(kind, call, timezone, _owner_then(review, call.at) if kind == "backup" else None)
        for kind, call in (("backup", review.backup_called), ("leadership", review.leadership_called))
        if call is not None
    ]
    if not calls:
        return _NONE
    return Said(
        "未及时确认：" + "，".join(call.zh for call in calls),
        "not acknowledged in time: " + ", ".join(call.en for call in calls),
    )


def _owner_then(review: AlertReview, at: datetime) -> str | None:
    """Whose the alert was at ``at`` when it has changed hands since (``None``: the owner now's)."""
    later = [change for change in review.owner_changes if change.at is not None and change.at > at]
    return later[0].previous if later else None


def _call(kind: str, call: SlaCall, timezone: str, owner_then: str | None = None) -> Said:
    """``12-01 10:30 通知备岗陈洁`` / ``backup 陈洁 called 12-01 10:30``; ``（当时李娜的备岗）`` /
    ``(李娜's backup then)`` after the names when the alert has changed hands since — its
    spokesperson now may be the very backup called then."""
    people = ", ".join(name_of(name) for name in call.people)
    people_zh = "、".join(name_of(name) for name in call.people)
    then = (
        Said(f"（当时{name_of(owner_then)}的备岗）", f" ({name_of(owner_then)}'s backup then)")
        if owner_then
        else _NONE
    )
    when = short_time(call.at, timezone)
    return Said(f"{when} 通知{ROLES_ZH[kind]}{people_zh}{then.zh}", f"{kind} {people}{then.en} called {when}")


def spokesperson(review: AlertReview, timezone: str) -> Said:
    """``发言人陈洁（12-01 10:30 升级时由李娜转来）`` / ``spokesperson 陈洁 (from 李娜 at the escalation
    12-01 10:30)``: who owns it now, and each spokesperson it came from, oldest first."""
    moves = [_moved(change, timezone) for change in review.owner_changes]
    name = name_of(review.spokesperson)
    said = Said(f"发言人 {name}", f"spokesperson {name}")
    if moves:
        said += Said(
            "（" + "，之后".join(move.zh for move in moves) + "）",
            " (" + ", then ".join(m.en for m in moves) + ")",
        )
    return said


def _moved(change: OwnerChange, timezone: str) -> Said:
    when = short_time(change.at, timezone) if change.at else ""
    previous = name_of(change.previous)
    if change.how == "escalation":
        return Said(
            f"{when + ' ' if when else ''}升级时由{previous}转来",
            f"from {previous} at the escalation{' ' + when if when else ''}",
        )
    by = "" if not change.by or change.by == change.previous else name_of(change.by)
    return Said(
        f"{when + ' ' if when else ''}由{previous}转交" + (f"，{by}操作" if by else ""),
        f"handed over from {previous}{f' by {by}' if by else ''}{' ' + when if when else ''}",
    )


def opened(review: AlertReview, timezone: str) -> Said:
    when = short_time(review.opened_at, timezone)
    if review.opened_in_period:
        return Said(f"{when} 开启", f"opened {when}")
    return Said(f"{when} 开启（本周之前）", f"opened {when} (before this week)")


def alert_facts(review: AlertReview, now: datetime, timezone: str) -> list[list[Said]]:
    """The facts, a line each: who (spokesperson, opened, acknowledged); the SLA's calls, when it
    made any; how far (first contact, checklist, notes, status)."""
    reopening = reopened(review, timezone)
    who = [
        spokesperson(review, timezone),
        opened(review, timezone),
        *([reopening] if reopening else []),
        acknowledged(review, timezone),
    ]
    calls = sla_calls(review, timezone)
    progress = [
        first_contact(review, now, timezone)[1],
        checklist(review),
        notes(review),
        status(review.status),
    ]
    return [who, [calls], progress] if calls else [who, progress]


def reopened(review: AlertReview, timezone: str) -> Said:
    """``12-05 10:00 解决，12-06 15:00 重开`` / ``resolved 12-05 10:00, reopened 12-06 15:00``
    (``（第 2 次重开）`` / ``(its 2nd reopening)`` after more than one); empty for an alert never
    reopened. The figures beside it are the new round's."""
    if review.reopened_at is None:
        return _NONE
    closed = review.resolved_before_reopening
    said = _NONE
    if closed is not None:
        said = Said(f"{short_time(closed, timezone)} 解决，", f"resolved {short_time(closed, timezone)}, ")
    again = short_time(review.reopened_at, timezone)
    said += Said(f"{again} 重开", f"reopened {again}")
    if review.reopenings > 1:
        said += Said(f"（第 {review.reopenings} 次重开）", f" (its {_ordinal(review.reopenings)} reopening)")
    return said


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def checklist(review: AlertReview) -> Said:
    """``清单 3/16`` / ``checklist 3/16``; a reopened alert's steps stay done across rounds, so it says
    how many the new round did: ``清单 3/16（重开后完成 0 项）`` / ``(0 done since the reopening)``."""
    done = f"{review.checklist_done}/{review.checklist_total}"
    said = Said(f"清单 {done}", f"checklist {done}")
    if review.reopened_at is not None:
        since = review.checklist_done_since_reopening
        said += Said(f"（重开后完成 {since} 项）", f" ({since} done since the reopening)")
    return said


def notes(review: AlertReview) -> Said:
    """``2 条进展记录`` / ``2 progress notes`` written in the week; a reopened alert's are the new
    round's, with the week's earlier ones said apart: ``重开后无进展记录（之前 1 条）`` / ``no progress
    note since the reopening (1 before it)``."""
    if review.reopened_at is None:
        return _notes(review.notes)
    since = review.notes_since_reopening
    before = review.notes - since
    said = Said("重开后", "") + _notes(since) + Said("", " since the reopening")
    if before:
        said += Said(f"（之前 {before:,} 条）", f" ({before:,} before it)")
    return said


def _notes(n: int) -> Said:
    if not n:
        return Said("无进展记录", "no progress note")
    return Said(f"{n:,} 条进展记录", counted(n, "progress note", "progress notes"))
