"""The digest's HTML styles and the two helpers every part of its body uses: inline styles only
(mail clients drop style sheets), every string escaped."""

from __future__ import annotations

from html import escape

from monitor.detect.severity import Severity
from monitor.digest.said import Said

H2 = "font-size:16px;margin:24px 0 8px;padding-bottom:4px;border-bottom:1px solid #d9e2ec"
# a table of figures, its headers read out with each figure (no role="presentation", which hid them);
# the bars inside (charts.py) are layout, and say so
TABLE = 'cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%"'
# The email body lets long strings break anywhere (monitor.alerting.email_html); in a table that also
# lets the browser squeeze a column to one character ("acknowl|edge", 途|乐|旅|行 down a phone screen):
# table cells break only between words, or inside a word too long for the cell.
TD = "padding:3px 8px 3px 0;vertical-align:middle;overflow-wrap:break-word"
NUM = f"{TD};text-align:right;white-space:nowrap"
MUTED = "color:#52606d"
SMALL = "color:#52606d;font-size:12px"
SEVERITY_COLOURS = {
    Severity.GENERAL.value: "#2f6690",
    Severity.URGENT.value: "#b45309",
    Severity.VERY_URGENT.value: "#b91c1c",
}
# text on white, each at least 4.5:1 (WCAG 1.4.3): the amber for "not yet" was #b7791f, 3.6:1
VERDICT_COLOURS = {True: "#2f855a", False: "#b91c1c", None: "#975a16"}


def e(text: str) -> str:
    """Escaped for HTML text and attribute values alike."""
    return escape(text, quote=True)


def section(title: str, body: str) -> str:
    return f'<h2 style="{H2}">{e(title)}</h2>\n{body}'


# the English after a Chinese sentence: quieter than MUTED, still 5.2:1 on white (#7b8794 was 3.7:1)
ENGLISH = "color:#616e7c;font-size:12px"


def said_html(said: Said, zh: str | None = None) -> str:
    """The Chinese sentence, then the English in a small grey span; both escaped. ``zh``: the Chinese
    already marked up (escaped by the caller), for a sentence with a coloured part."""
    chinese = e(said.zh) if zh is None else zh
    if not said.en:
        return chinese
    return f'{chinese} <span lang="en" style="{ENGLISH}">{e(said.en)}</span>'
