"""The digest's headings and labels, Chinese first then English, as the alerts word theirs
(``紧迫 urgent``, ``转交 Handed over``, ``统一口径 One voice``) and the dashboard its pages
(``周报 Digests``): the team reads Chinese, and the English keeps the figures' wording plain.

Both bodies, text and HTML, take their headings from here, so they cannot drift apart.
"""

from __future__ import annotations

WEEKLY = "周报 Weekly digest"
THIS_WEEK = "本周 This week"
LAST_WEEK = "上周 Last week"
ATTENTION = "待处理 Needs attention now"
OPEN_ON = "各发言人未结告警 Open on each spokesperson"
CHANGES = "本周变化 What changed since last week"
READING = "论坛抓取 Forums read"
VOLUME = "各监测组声量 Volume by watch group"
DAYS = "每日情感 Sentiment by day"
TOP_THREADS = "热门帖子 Top threads"
ALERTS = "告警及处理 Alerts and how they were handled"
CATEGORIES = "投诉分类 Complaint categories"
PEOPLE = "人员 People"

# The week's handling summary, beside last week's
OPENED = "本周新开 Opened this week"
MEDIAN_ACK = "确认用时中位数 Median time to acknowledge"
NOT_ACKED = "未及时确认 Not acknowledged in time"
CHANGED_HANDS = "换人 Changed hands"
WITHIN_SLA = "按时首次联系 First contact within SLA"

# Table columns (HTML)
WATCH_GROUP = "监测组 Watch group"
POSTS = "帖数 Posts"
THREADS = "主题 Threads"
NEW_THREADS = "新主题 New threads"
NEGATIVE = "负面 Negative"
DAY = "日期 Day"
CATEGORY = "类别 Category"
ALL_WATCHED = "全部监测帖 All watched threads"

# Complaint categories (seed 003: 产品/服务/经销商/政策), as the playbook's triage step names them
CATEGORY_NAMES = {"product": "产品", "service": "服务", "dealer": "经销商", "policy": "政策", "other": "其他"}


def category_label(category: str) -> str:
    """``服务 service``; a category not known is shown as it is."""
    chinese = CATEGORY_NAMES.get(category)
    return f"{chinese} {category}" if chinese else category
