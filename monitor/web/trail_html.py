"""An alert's trail on its page: the monitor's long runs summed up (:mod:`monitor.alerting.trail`)."""

from __future__ import annotations

from monitor.alerting.trail import TrailLine, readable_trail
from monitor.store.models import Alert
from monitor.web import words
from monitor.web.html import column_headings, h, when


def trail_section(alert: Alert, zone: str, *, full: bool) -> list[str]:
    """The trail: the monitor's long runs summed up (:mod:`monitor.alerting.trail`) unless
    ``?trail=all`` asked for every line, with a link to it when lines were summed up."""
    every = [TrailLine(e.at, e.kind, e.actor, e.detail) for e in alert.events]
    readable = readable_trail(alert.events)
    html = ["<h2>记录 Trail</h2><table>" + column_headings(words.WHEN, words.WHAT, words.WHO, words.DETAIL)]
    for line in every if full else readable:
        at, said = when(line.at, zone), h(line.detail)
        if line.until is not None:
            at = f"{at} … {when(line.until, zone)}"
            said = f"监测系统的 {line.events} 条记录 {line.events} lines by the monitor — {said}"
        html.append(f"<tr><td>{at}</td><td>{h(line.kind)}</td><td>{h(line.actor)}</td><td>{said}</td></tr>")
    html.append("</table>")
    if not full and len(readable) < len(every):
        n = len(every)
        html.append(f'<p><a href="?trail=all">全部记录（{n} 条）Every line of the trail ({n})</a></p>')
    return html
