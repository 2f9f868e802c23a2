"""The HTML every page is made of: the style sheet, escaping, times, the page frame, the CSRF field.

On a phone (at most 640 px wide) the style sheet makes the nav's links and buttons 44 px tall tap
targets, and turns the alert list (``#alert-list``) into one card per alert, each cell after the
thread named by its ``data-label``, so the page never scrolls sideways; wider, it is a table.

Everything that came from a forum or a config file goes through :func:`h` (control characters
stripped, HTML escaped). No page carries a script.

Every text colour is at least 4.5:1 against what it is shown on (WCAG 1.4.3): buttons are white, not
the browser's grey, because a severity's colour on a button (the urgent #b45309) was 4.4:1 on grey.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.alerting.render import clean_text

STYLE = """
body{font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",
"Source Han Sans SC",sans-serif;color:#1f2933;
max-width:780px;margin:0 auto;padding:16px;line-height:1.5}
h1{font-size:20px;margin:8px 0}h2{font-size:16px;margin:20px 0 6px}
.badge{color:#fff;padding:2px 8px;border-radius:3px;font-weight:bold;white-space:nowrap}
.flash{background:#e3f9e5;border:1px solid #3f9142;padding:8px 12px;margin:12px 0}
.problem{background:#ffe3e3;border:1px solid #b91c1c;padding:8px 12px;margin:12px 0}
.primary{border:2px solid;padding:12px;margin:12px 0;border-radius:4px}
button{font-size:15px;padding:8px 16px;border-radius:4px;cursor:pointer;background:#fff;color:#1f2933;
border:1px solid #52606d}
.big{font-size:18px;padding:12px 24px;color:#fff;border:0}
table{border-collapse:collapse}td,th{padding:3px 10px 3px 0;text-align:left;vertical-align:top}
.muted{color:#52606d;font-size:13px}textarea{width:100%;max-width:560px}
body.wide{max-width:1180px}nav{border-bottom:1px solid #cbd2d9;padding:4px 0 8px;margin-bottom:8px}
nav a{margin-right:14px}nav form{display:inline;float:right}
.list td{border-top:1px solid #e4e7eb;padding:5px 10px 5px 0}.nw{white-space:nowrap}
.late{color:#b91c1c;font-weight:bold}#steps .due,#steps button{white-space:nowrap}
.chip{display:inline-block;border:1px solid #cbd2d9;border-radius:3px;padding:0 6px;margin-right:6px}
td{overflow-wrap:anywhere}input,select,textarea{font-size:16px}table.list{display:block;max-width:100%;overflow-x:auto}
@media (max-width:640px){body{padding:10px}nav form{float:none;display:block;margin-top:6px}
button{padding:8px 12px}nav a,nav strong,nav button{display:inline-flex;align-items:center;min-height:44px}
nav a{padding:0 4px;margin-right:8px}
#alert-list,#alert-list tbody,#alert-list tr,#alert-list td{display:block}
#alert-list tr:first-child{display:none}#alert-list tr{border-top:1px solid #cbd2d9;padding:6px 0}
#alert-list td{border:0;padding:1px 0}
#alert-list td:nth-child(-n+2),#alert-list td:nth-child(n+5){display:inline-block;margin-right:10px}
#alert-list td[data-label]::before{content:attr(data-label) ": ";color:#52606d}
#steps,#steps tbody,#steps tr{display:block}#steps tr{border-top:1px solid #e4e7eb;padding:4px 0}
#steps td{display:inline-block;padding:1px 8px 1px 0}#steps td:nth-child(3){display:block}}
"""


def h(text: str | None) -> str:
    return escape(clean_text(text or ""), quote=True)


def when(moment: datetime | None, zone: str) -> str:
    """A moment in the page's time zone (named once, at the foot of the page)."""
    if moment is None:
        return "—"
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        local = aware.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        local = aware
    return local.strftime("%Y-%m-%d %H:%M")


def page_html(title: str, body: Iterable[str], *, wide: bool = False, refresh_seconds: int = 0) -> str:
    """A whole page; ``refresh_seconds`` reloads it that often (lists left open on a screen; no script).

    The body is the page's ``<main>``, after the dashboard's ``<nav>`` when ``body`` starts with
    it: a screen reader's user (or a keyboard's, with a landmark key) goes straight to the page's
    content past the navigation (WCAG 2.4.1), and everything on the page is in a landmark.
    """
    refresh = f'<meta http-equiv="refresh" content="{refresh_seconds}">' if refresh_seconds else ""
    parts = list(body)
    nav = parts.pop(0) + "\n" if parts and parts[0].startswith("<nav") else ""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta name="referrer" content="no-referrer">{refresh}'
        f"<title>{h(title)}</title><style>{STYLE}</style></head>"
        + ('<body class="wide">\n' if wide else "<body>\n")
        + f"{nav}<main>\n"
        + "\n".join(parts)
        + "\n</main>\n</body></html>\n"
    )


def column_headings(*labels: str) -> str:
    """A table's heading row, each heading named as its column's (``scope="col"``)."""
    return "<tr>" + "".join(f'<th scope="col">{label}</th>' for label in labels) + "</tr>"


def csrf_field(csrf: str | None) -> str:
    return f'<input type="hidden" name="csrf" value="{escape(csrf, quote=True)}">' if csrf else ""
