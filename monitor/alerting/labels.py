"""An alert message's field labels, Chinese first then English, as its tier and kind already read
(``【非常紧迫 very urgent】``, ``备岗提醒 for the backup``) and the digest's headings
(:mod:`monitor.digest.headings`): the PR team reads Chinese; the English keeps the wording plain.

The email (text and HTML, :mod:`monitor.alerting.render`) and the chat messages
(:mod:`monitor.alerting.channels.markdown`) take their labels from here, so they cannot drift apart;
the words follow the dashboard's alert page where it has them (``为什么报警 Why it fired``,
``危机信号 Crisis signals``, ``处置清单 Checklist``).

The plain-text body lines its values up after the labels by display width, a Chinese character
taking two columns (:func:`monitor.display_text.padded`).
"""

from __future__ import annotations

from monitor.display_text import display_width, padded

THREAD = "帖子 Thread"
LINK = "链接 Link"
BOARD = "版块 Board"
WATCH_GROUPS = "监测组 Watch groups"
ALSO_ON = "另见于 Also on"
SPOKESPERSON = "发言人 Spokesperson"
BACKUP = "备岗 Backup"
RESPOND_BY = "首次联系截止 Respond by"
CONTACTED = "首次联系 Contacted"
OPENED = "告警时间 Opened"
WHY_IT_FIRED = "为什么报警 Why it fired"
SIGNALS = "危机信号 Crisis signals"
EXCERPT = "原帖摘录 Excerpt"
CHECKLIST = "处置清单 Checklist"
ONE_VOICE = "统一口径 One voice"

WAS_CONTACTED = "已联系投诉人 the complainant has been contacted"
ALERT = "告警 Alert"
UNTITLED = "（无标题 untitled）"
NONE = "（无 none）"
NOT_A_WEB_LINK = "（不是 http/https 链接 not an http/https link）"


def alert_number(alert_id: int) -> str:
    """``告警 Alert #7``."""
    return f"{ALERT} #{alert_id}"


def times_in(zone: str) -> str:
    """``时间为 Asia/Shanghai 时间 times in Asia/Shanghai``: what zone a message's times are in."""
    return f"时间为 {zone} 时间 times in {zone}"


def one_voice_rule(name: str) -> str:
    """The one-voice rule (统一口径) for ``name``, the spokesperson, Chinese first."""
    return (
        f"只有 {name} 代表公司就此帖对外发言，其他员工一律不得对外发表评论。 "
        f"Only {name} speaks for the company on this thread; all other staff must not comment publicly."
    )


def more(count: int, what_zh: str = "条", what_en: str = "more") -> str:
    """``另有 3 条 3 more``: what a list leaves out."""
    return f"另有 {count} {what_zh} {count} {what_en}"


def first_contact_within(hours: str) -> str:
    """``4 小时内首次联系 first contact within 4 h`` (``hours`` as ``4 h``)."""
    return f"{hours.removesuffix(' h')} 小时内首次联系 first contact within {hours}"


ROWS = (THREAD, LINK, BOARD, WATCH_GROUPS, ALSO_ON, SPOKESPERSON, BACKUP, RESPOND_BY, CONTACTED, OPENED)
TEXT_COLUMN = max(display_width(label) for label in ROWS) + 3
"""The display column the plain-text values start at: after the widest label, its colon and two spaces."""


def text_row(label: str, value: str) -> str:
    """``版块 Board:               投诉维权 (天涯论坛)``: the value at :data:`TEXT_COLUMN`, whatever
    the label's width."""
    return padded(f"{label}:", TEXT_COLUMN) + value
