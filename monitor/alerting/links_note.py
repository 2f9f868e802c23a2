"""The line above a message's links, saying what they are and do.

An owner's (or a backup's, or leadership's once escalated) links act on the alert; a copy for
information (a route's ``also``) opens it to read — unless the copy reaches the owner's backup,
whose page gives them every button, so their copy says so and carries their links.
"""

from __future__ import annotations

from monitor.alerting.message import AlertMessage

CONFIRM = "each opens a page with one button to confirm"


def links_note(msg: AlertMessage, who: str, owner: str, until: str) -> str:
    """The note for ``msg``'s links, in the name of ``who`` until ``until``; ``owner`` is the
    alert's spokesperson (names already cleaned for the medium)."""
    only_view = all(action.kind == "view" for action in msg.actions)
    if msg.for_information and msg.as_backup:
        head = f"For information — a copy for {who}; as {owner}'s backup you can act on it on its page"
        if only_view:
            return f"{head}: the link opens it, in the name of {who}, valid until {until}"
        return f"{head}: links in the name of {who}, valid until {until}; {CONFIRM}"
    if msg.for_information:
        return (
            f"For information — a copy for {who}: the link opens the alert to read, valid until {until}; "
            f"its page has no button to act ({owner} acts on it)"
        )
    if only_view:
        return f"Open the alert — a link in the name of {who}, valid until {until}"
    return f"Act on it — links in the name of {who}, valid until {until}; {CONFIRM}"
