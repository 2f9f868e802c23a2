"""The forms at the foot of an alert's page for those who act on it: a progress note (also after the
close: what was learnt), the handover to another spokesperson and the resolution. Labels Chinese
first, then English (:mod:`monitor.web.words`); every form carries the page's CSRF token when signed in."""

from __future__ import annotations

from collections.abc import Mapping

from monitor.store.models import Alert
from monitor.web.html import csrf_field, h


def action_forms(alert: Alert, names: Mapping[str, str], csrf: str | None) -> list[str]:
    """The note form, and while the alert is open the handover and resolve forms."""
    forms: list[str] = []
    forms.append(
        "<h2>进展 Progress note</h2>"
        f'<form method="post" action="">{csrf_field(csrf)}'
        '<p><label for="progress">告诉了客户什么、做了什么？（持续反馈；进展提醒重新计时）'
        "What was the customer told, what was done? (it restarts the progress-prompt clock)</label><br>"
        '<textarea id="progress" name="note" rows="3" maxlength="2000" required></textarea></p>'
        '<button type="submit" name="do" value="note">记录 Add note</button></form>'
    )
    if alert.status != "resolved":
        forms += _handover(alert, names, csrf)
        forms.append(
            "<h2>结案 Resolve</h2>"
            f'<form method="post" action="">{csrf_field(csrf)}'
            '<p><label for="note">如何解决的？（投诉总结）How was it resolved?</label><br>'
            '<textarea id="note" name="note" rows="3" maxlength="2000" required></textarea></p>'
            '<button type="submit" name="do" value="resolve">结案 Resolve</button></form>'
        )
    return forms


def _handover(alert: Alert, names: Mapping[str, str], csrf: str | None) -> list[str]:
    """A form handing the alert to another spokesperson (routing.yaml), who is told; none when there
    is nobody else to hand it to."""
    others = [(key, name) for key, name in names.items() if key != alert.spokesperson]
    if not others:
        return []
    options = '<option value="">— 选择 choose —</option>' + "".join(
        f'<option value="{h(key)}">{h(name)} ({h(key)})</option>' for key, name in others
    )
    return [
        "<h2>转交 Hand over</h2>"
        f'<form method="post" action="">{csrf_field(csrf)}'
        '<p><label for="handover_to">转交给（对方成为发言人并收到通知；时限和首次联系截止时间照旧）'
        "Hand this alert to (they become its spokesperson and are told; "
        "the clocks and the first-contact deadline run on)</label><br>"
        f'<select id="handover_to" name="to" required>{options}</select></p>'
        '<p><label for="handover_note">为什么？（记入记录并告知对方）'
        "Why? (kept in the trail and told to them)</label><br>"
        '<textarea id="handover_note" name="note" rows="3" maxlength="2000"></textarea></p>'
        '<button type="submit" name="do" value="handover">转交 Hand over</button></form>'
    ]
