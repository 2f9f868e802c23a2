"""What acknowledging means, said to the one about to press 确认 and to the one who pressed it.

Acknowledging stops the alert's escalation (to the backup, then leadership); it makes the alert
yours only if you own it. The owner is told they own it; the owner's backup that they have it in
hand as the backup, the owner staying the spokesperson; anyone else (leadership, a colleague
signed in) that the owner stays the spokesperson.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from monitor.store.models import Alert

OWNER_DONE = (
    "已确认 此告警现在由你负责，不会再通知备岗。 "
    "Acknowledged: you own this alert now; the backup will not be called."
)
ONE_VOICE = "统一口径: one spokesperson"


@dataclass(frozen=True)
class Acker:
    """Who is acknowledging (a spokesperson's key) and what the page knows around them."""

    me: str
    names: Mapping[str, str]  # spokesperson key -> name
    leadership: bool  # someone besides the owner is told when nobody acknowledges in time

    def name(self, key: str) -> str:
        return self.names.get(key, key)


def ack_why(alert: Alert, acker: Acker, backup_due: str | None) -> str:
    """The line above the 确认 button: what pressing it does (``backup_due``: when the backup is told,
    as the page shows times)."""
    owner = acker.name(alert.spokesperson)
    if acker.me == alert.backup and acker.me != alert.spokesperson:
        return _backup_why(alert, acker, owner)
    if acker.me == alert.spokesperson:
        zh = "确认即表示此告警由你负责（统一口径）。"
        why = f"Acknowledging says you own this alert ({ONE_VOICE})."
    else:
        zh = f"确认表示已有人处理，并停止升级；{owner} 仍是发言人。"
        why = f"Acknowledging says it is in hand and stops its escalation; {owner} stays its spokesperson."
    backup = acker.name(alert.backup) if alert.backup else ""
    if backup and alert.ack_escalation >= 1:
        zh += f"备岗 {backup} 已收到通知。"
        why += f" The backup, {backup}, has already been told."
    elif backup and backup_due:
        zh += f"否则 {backup_due} 通知备岗 {backup}。"
        why += f" Otherwise the backup, {backup}, is told at {backup_due}."
    return f"{zh} {why}"


def _backup_why(alert: Alert, acker: Acker, owner: str) -> str:
    zh = f"以 {owner} 的备岗身份确认，表示你在处理"
    why = f"Acknowledging as {owner}'s backup says you have it in hand"
    if alert.ack_escalation >= 2:
        zh += "；领导已收到通知：请告诉他们你在处理。"
        why += "; leadership has already been told: tell them you have it."
    elif acker.leadership:
        zh += "，并停止向领导升级。"
        why += " and stops the escalation to leadership."
    else:
        zh += "。"
        why += "."
    return (
        f"{zh}{owner} 仍是发言人（统一口径）；要自己接手，请在下方转交给自己。 "
        f"{why} {owner} stays its spokesperson ({ONE_VOICE}); to take it on yourself, hand it over to "
        "yourself below."
    )


def acknowledged(alert: Alert, acker: Acker, at: str) -> str:
    """What pressing 确认 did, for the one who pressed it (``at``: when it was acknowledged, as the
    page shows times): someone else may have been first (two people at once), and acknowledging
    someone else's alert does not make it yours."""
    by = alert.acknowledged_by or ""
    if by != acker.me and not by.startswith(f"{acker.me} ("):
        return (
            f"已确认 {by} 已于 {at} 确认，未作任何更改。 "
            f"Already acknowledged by {by} at {at}; nothing was changed."
        )
    owner = acker.name(alert.spokesperson)
    take_on = "to take it on yourself, hand it over to yourself below."
    take_on_zh = "要自己接手，请在下方转交给自己。"
    if alert.spokesperson == acker.me:
        told = _told_before(alert, acker)  # the backup (or leadership) called: not oneself, taken over since
        if told:
            return (
                f"已确认 {told_zh(alert, acker)}已收到通知：请告诉他们你在处理。 "
                f"Acknowledged: you own this alert now; {told} told already: tell them you have it."
            )
        return OWNER_DONE
    if acker.me != alert.backup:
        said = f"已确认 {owner} 仍是发言人；{take_on_zh} "
        return said + f"Acknowledged: {owner} stays its spokesperson; {take_on}"
    if alert.ack_escalation >= 2:
        zh = "领导已收到通知：请告诉他们你在处理"
        escalation = "leadership was told already: tell them you have it"
    elif acker.leadership:
        zh, escalation = "不会再通知领导", "leadership will not be called"
    else:
        zh, escalation = "升级停止", "the escalation stops"
    return (
        f"已确认 你以 {owner} 的备岗身份在处理，{zh}。{owner} 仍是发言人；{take_on_zh} "
        f"Acknowledged as {owner}'s backup: you have it in hand, and {escalation}. "
        f"{owner} stays its spokesperson; {take_on}"
    )


def _told_before(alert: Alert, acker: Acker) -> str:
    """Who the SLA clocks called because nobody acknowledged (the trail's ``to_backup`` and
    ``to_leadership``) since its acknowledgement clock last started (an opening, a reopening, an
    escalation that gave it to someone else: the calls of an earlier round are not this owner's), but the
    one acknowledging — a backup who took the alert over was one of them:
    "王强 was", "王强 and 赵敏 were", or "" when nobody else."""
    called = [
        event.detail.removeprefix("to ").strip()
        for event in alert.events
        if event.kind in ("to_backup", "to_leadership") and event.at >= alert.ack_clock_start
    ]
    others = [acker.name(key) for key in dict.fromkeys(called) if key != acker.me]
    if not others:
        return ""
    return f"{others[0]} was" if len(others) == 1 else f"{', '.join(others[:-1])} and {others[-1]} were"


def told_zh(alert: Alert, acker: Acker) -> str:
    """:func:`_told_before`'s people in Chinese: "王强" or "王强、赵敏"."""
    called = [
        event.detail.removeprefix("to ").strip()
        for event in alert.events
        if event.kind in ("to_backup", "to_leadership") and event.at >= alert.ack_clock_start
    ]
    return "、".join(acker.name(key) for key in dict.fromkeys(called) if key != acker.me)
