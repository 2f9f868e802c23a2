"""The line above a message's links, saying what they are and do, in Chinese and then in English.

An owner's (or a backup's, or leadership's once escalated) links act on the alert; a copy for
information (a route's ``also``) opens it to read — unless the copy reaches the owner's backup,
whose page gives them every button, so their copy says so and carries their links.
"""

from __future__ import annotations

from monitor.alerting.message import AlertMessage

CONFIRM = "each opens a page with one button to confirm"
CONFIRM_ZH = "每个链接打开一个页面，点一个按钮确认"


def links_note(msg: AlertMessage, who: str, owner: str, until: str) -> str:
    """The note for ``msg``'s links, in the name of ``who`` until ``until``; ``owner`` is the
    alert's spokesperson (names already cleaned for the medium)."""
    zh, en = _note(msg, who, owner, until)
    return f"{zh} {en}"


def _note(msg: AlertMessage, who: str, owner: str, until: str) -> tuple[str, str]:
    """The note in Chinese, then in English."""
    only_view = all(action.kind == "view" for action in msg.actions)
    if msg.for_information and msg.as_backup:
        head_zh = f"仅供参考：抄送给 {who}；作为 {owner} 的备岗，你可在告警页面处理。"
        head = f"For information — a copy for {who}; as {owner}'s backup you can act on it on its page"
        if only_view:
            return (
                f"{head_zh}链接以 {who} 的名义打开告警，有效期至 {until}。",
                f"{head}: the link opens it, in the name of {who}, valid until {until}",
            )
        return (
            f"{head_zh}以下链接以 {who} 的名义操作，有效期至 {until}；{CONFIRM_ZH}。",
            f"{head}: links in the name of {who}, valid until {until}; {CONFIRM}",
        )
    if msg.for_information:
        return (
            f"仅供参考：抄送给 {who}。链接只打开告警供阅读，有效期至 {until}；"
            f"页面上没有操作按钮（由 {owner} 处理）。",
            f"For information — a copy for {who}: the link opens the alert to read, valid until {until}; "
            f"its page has no button to act ({owner} acts on it)",
        )
    if only_view:
        return (
            f"打开告警：链接以 {who} 的名义打开，有效期至 {until}。",
            f"Open the alert — a link in the name of {who}, valid until {until}",
        )
    return (
        f"处理告警：以下链接以 {who} 的名义操作，有效期至 {until}；{CONFIRM_ZH}。",
        f"Act on it — links in the name of {who}, valid until {until}; {CONFIRM}",
    )
