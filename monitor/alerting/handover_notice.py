"""What a handover tells the new owner and the owner until now, Chinese first then English
(:func:`monitor.alerting.lifecycle.hand_over` queues them)."""

from __future__ import annotations

from monitor.alerting.render import local_time
from monitor.store.models import Alert


def to_new_owner(alert: Alert, zone: str, giver: str, owner: str, *, taken: bool, why: str) -> str:
    """The new owner's notice: who gave it to them (``taken``: they took it themselves from
    ``owner``), that they speak for it now, where its clock stands, and why (``why``)."""
    if alert.contacted_at:
        clock_zh = f"已于 {local_time(alert.contacted_at, zone)} 联系投诉人"
        clock = f"the complainant was contacted at {local_time(alert.contacted_at, zone)}"
    else:
        clock_zh = f"仍须在 {local_time(alert.respond_by, zone)} 前首次联系投诉人"
        clock = f"first contact is still due by {local_time(alert.respond_by, zone)}"
    if taken:
        given_zh = f"你已从 {owner} 手中接手此告警"
        given = f"you took this alert over from {owner}"
    else:
        given_zh = f"{giver} 已把此告警转交给你" + ("" if giver == owner else f"（原属 {owner}）")
        given = f"{giver} has handed this alert to you" + ("" if giver == owner else f" (it was {owner}'s)")
    return (
        f"转交：{given_zh}。现在由你担任发言人，时限照旧：{clock_zh}。"
        + (f" 原因：{why}" if why else "")
        + f" Handed over: {given}. You are its spokesperson now; its clocks run on: {clock}."
        + (f" Why: {why}" if why else "")
    )


def to_previous_owner(giver: str, new_owner: str, *, taken: bool) -> str:
    """One voice: the spokesperson until now hears that ``new_owner`` speaks for the company now."""
    if taken:
        moved_zh, moved = (
            f"{new_owner} 已从你手中接手此告警",
            f"{new_owner} has taken this alert over from you",
        )
    else:
        moved_zh = f"{giver} 已把此告警转交给 {new_owner}"
        moved = f"{giver} has handed this alert to {new_owner}"
    return (
        f"转交：{moved_zh}，现在由对方代表公司发言；请把你了解的情况告诉对方。 "
        f"Handed over: {moved}; they speak for the company on it now. Tell them what you know."
    )
