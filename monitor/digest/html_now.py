"""The digest's HTML blocks about the moment it is made: "Needs attention now" and "Open on each
spokesperson" (:mod:`monitor.digest.attention`, :mod:`monitor.digest.open_on`)."""

from __future__ import annotations

from monitor.digest.attention import attention_heading, attention_lines
from monitor.digest.html_style import e, said_html, section
from monitor.digest.model import Digest
from monitor.digest.open_on import open_on, open_on_heading


def attention_html(digest: Digest) -> str:
    """Needs attention now: the overdue contacts and boards not read in red."""
    lines = attention_lines(digest)
    if not lines:
        return ""
    marked = ";color:#b91c1c;font-weight:bold"
    items = "".join(
        f'<li style="margin:2px 0{marked if line.urgent else ""}">{said_html(line.said)}</li>'
        for line in lines
    )
    return (
        '<div style="margin:16px 0 0;padding:6px 10px;border-left:3px solid #b91c1c;background:#fdf2f2">'
        f'<h2 style="font-size:16px;margin:0 0 4px">{e(attention_heading(digest))}</h2>'
        f'<ul style="margin:0;padding-left:20px">{items}</ul></div>'
    )


def open_on_html(digest: Digest) -> str:
    """Open on each spokesperson: the name in bold, an overdue first contact in red."""
    lines = open_on(digest)
    if not lines:
        return ""
    marked = ' style="color:#b91c1c;font-weight:bold"'
    items = "".join(
        f'<li style="margin:2px 0"><strong>{e(line.who)}</strong>：{e(line.alerts)} · '
        + said_html(line.next, f"<span{marked if line.overdue else ''}>{e(line.next.zh)}</span>")
        + "</li>"
        for line in lines
    )
    return section(open_on_heading(digest), f'<ul style="margin:0;padding-left:20px">{items}</ul>')
