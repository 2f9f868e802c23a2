"""The web pages' labels, Chinese first then English, as the alerts (:mod:`monitor.alerting.labels`)
and the digest (:mod:`monitor.digest.headings`) word theirs: the PR team reads Chinese; the English
keeps the wording plain.

Where a page means what an alert message or the digest means, the label is theirs (``帖子 Thread``,
``处置清单 Checklist``, ``监测组 Watch group``), so the three cannot drift apart; the words only the
pages have are here. Tier names, statuses and message kinds have their own helpers
(:func:`~monitor.alerting.render.severity_label`, :data:`monitor.web.pages.STATUS`,
:func:`~monitor.alerting.compose.kind_label`). tests/web/test_chinese_first.py walks every page and
fails on a heading, button, label or sentence in English only.
"""

from __future__ import annotations

from monitor.alerting import labels
from monitor.digest import headings

# the alert list (a column heading and, on a phone, the card's label for the same cell)
SEVERITY = "级别 Severity"
THREAD = labels.THREAD
FIRST_CONTACT = "首次联系 First contact"
WATCH_GROUP = headings.WATCH_GROUP
STATUS = "状态 Status"
OWNER = "负责人 Owner"
OPENED = labels.OPENED
CHECKLIST = labels.CHECKLIST

# an alert's page
SPOKESPERSON = labels.SPOKESPERSON
RESPOND_BY = labels.RESPOND_BY
ACKNOWLEDGED = "确认时间 Acknowledged"
CONTACTED = labels.CONTACTED
FIRST_HOUR_ROWS = (
    "发帖 post published",
    "首次抓取 first crawled",
    "告警 alert opened",
    "送达 delivered",
    "确认 acknowledged",
    "首次联系 contacted",
)
WHEN = "时间 When"
WHAT = "事项 What"
WHO = "操作人 Who"
DETAIL = "详情 Detail"
OVERDUE = "已超时 overdue"

# the rising threads
SCORE = "升温分 Score"
NOW = "现状 Now"
WHY = "原因 Why"

# the digests kept
WEEK = "周 Week"
SUBJECT = "标题 Subject"
SENT = "发送时间 Sent"

# the forums page
BOARD = labels.BOARD
STATE = "状态 State"
LAST_SUCCESS = "上次成功 Last success"
FAILURES = "连续失败 Failures in a row"
LAST_POLL = "上次抓取 Last poll"
LAST_ERROR = "上次错误 Last error"
EVENT = "事件 Event"
PAGE = "页面 Page"

# messages not delivered
CHANNEL = "渠道 Channel"
RECIPIENT = "收件人 Recipient"
MESSAGE = "消息 Message"
TRIES = "尝试次数 Tries"

UNTITLED = labels.UNTITLED
RELOAD = "请重新加载页面再试。 Reload the page and try again."


def link_problem(problem: object) -> str:
    """``此链接无法使用：this link is not valid: …``: why a link (signed, or to sign in) was refused."""
    return f"此链接无法使用：{problem}."


def times_in(zone: str) -> str:
    """``时间为 Asia/Shanghai 时间 Times in Asia/Shanghai.``: the zone a page's times are in."""
    return f"{labels.times_in(zone)}."
