"""The digest's running sentences in both languages (:class:`~monitor.digest.said.Said`): the week's
figures, an empty week, the volume section's noise line, a top thread's figures, the sections'
notes and legends, and the footer. Chinese counts take their measure word (3 条帖子, 2 个主题帖,
1 个告警); every figure, date and name is the same in both.

Everything here returns plain, cleaned text; the HTML body escapes it.
"""

from __future__ import annotations

from monitor.alerting.render import clean_text, local_time
from monitor.detect.severity import Severity
from monitor.digest.headings import CATEGORY_NAMES
from monitor.digest.model import Digest, GroupVolume, TopThread, WeekFigures
from monitor.digest.said import Said
from monitor.digest.wording import (
    NOTHING,
    TERMS_SHOWN,
    alert_timing_note,
    counted,
    duration,
    name_of,
    share,
    spelled_duration,
    tier,
    until,
    zone_name,
)

NO_ALERTS = Said("本周没有未结告警。", "No alerts were open this week.")
NO_CHANGES = Said("与上周相比没有明显变化。", "Nothing notable changed since last week.")
GROUPS_OVERLAP = Said(
    "一个主题帖被两个监测组匹配时两组都计入，所以各组相加可能多于全部监测帖。",
    "A thread two watch groups match counts in both, so the groups' rows can add up to more than "
    "all watched threads.",
)
NONE = Said("（无）", "(none)")
_TIMING_ZH = {"opened_after": "在本周之后开启", "resolved_before": "在本周之前已解决"}
STATUS_ZH = {"open": "未结", "acknowledged": "已确认", "resolved": "已解决"}


def minutes_zh(minutes: float | None) -> str:
    """``25 分钟``, ``3 小时 05 分``, ``2 天 4 小时``: :func:`~monitor.digest.wording.duration` in Chinese."""
    return spelled_duration(minutes, ("不到 1 分钟", "{m} 分钟", "{h} 小时 {m:02d} 分", "{d} 天 {h} 小时"))


def took(minutes: float | None) -> Said:
    return Said(minutes_zh(minutes), duration(minutes))


def tier_zh(severity: str | None) -> str:
    """``非常紧迫``; a tier not known is shown as it was stored."""
    try:
        return Severity(severity or "").label_zh
    except ValueError:
        return clean_text(severity or "") or NOTHING


def tier_en(severity: str | None) -> str:
    try:
        return Severity(severity or "").value.replace("_", " ")
    except ValueError:
        return clean_text(severity or "") or NOTHING


def status(value: str) -> Said:
    shown = clean_text(value) or NOTHING
    return Said(STATUS_ZH.get(shown, shown), shown)


def week_summary(figures: WeekFigures) -> Said:
    """``83 条帖子，负面 80 %，新开 1 个告警`` / ``83 posts, 80 % negative, 1 alert opened``."""
    zh = [f"{figures.posts:,} 条帖子"]
    en = [counted(figures.posts, "post", "posts")]
    if figures.negative_share is not None:
        zh.append(f"负面 {share(figures.negative_share)}")
        en.append(f"{share(figures.negative_share)} negative")
    zh.append(f"新开 {figures.alerts_opened:,} 个告警")
    en.append(counted(figures.alerts_opened, "alert", "alerts") + " opened")
    return Said("，".join(zh), ", ".join(en))


def headline(figures: WeekFigures, very_urgent_open: Said) -> str:
    """The subject's figures, said once, in Chinese (the subject's prefix is bilingual already):
    ``412 条帖子，负面 62 %，3 个告警``, with ``，1 个非常紧迫未结`` when ``very_urgent_open`` says so
    (the negative share left out when nothing was scored)."""
    said = [f"{figures.posts:,} 条帖子"]
    if figures.negative_share is not None:
        said.append(f"负面 {share(figures.negative_share)}")
    said.append(f"{figures.alerts_opened:,} 个告警")
    if very_urgent_open:
        said.append(very_urgent_open.zh)
    return "，".join(said)


def empty_week(digest: Digest) -> Said:
    """``本周监测帖没有帖子。上周 4 条。`` / ``No posts on watched threads this week. Last week: 4 posts.``"""
    said = Said("本周监测帖没有帖子。", "No posts on watched threads this week.")
    before = digest.previous.posts
    if before:
        said += Said(f"上周 {before:,} 条。", f" Last week: {counted(before, 'post', 'posts')}.")
    return said


def not_complaints(digest: Digest) -> Said:
    """``未计入：2 个主题帖读来不像投诉（上周 1 个）`` / ``Not counted: 2 threads that do not read as
    complaints (1 last week)``; empty when none."""
    now, before = digest.week.not_complaints, digest.previous.not_complaints
    if not now and not before:
        return Said("", "")
    reads = "does not read as a complaint" if now == 1 else "do not read as complaints"
    return Said(
        f"未计入：{now:,} 个主题帖读来不像投诉（上周 {before:,} 个）",
        f"Not counted: {counted(now, 'thread', 'threads')} that {reads} ({before:,} last week)",
    )


def group_noise(group: GroupVolume) -> Said:
    """``14 个主题帖中 9 个不像投诉 · 匹配词 matched by：星耀 ×12、星耀Pro14 ×4`` / ``9 of 14 threads
    not complaints``: whether a watch group catches noise (at most :data:`TERMS_SHOWN` terms, then
    how many others). The terms are the same in both languages, so they are said once, with a
    bilingual label, in the Chinese; empty for a group quiet this week."""
    zh: list[str] = []
    en: list[str] = []
    if group.not_complaints:
        zh.append(f"{group.threads:,} 个主题帖中 {group.not_complaints:,} 个不像投诉")
        threads = counted(group.threads, "thread", "threads")
        en.append(f"{group.not_complaints:,} of {threads} not complaints")
    if group.terms:
        shown = [f"{name_of(term)} ×{threads:,}" for term, threads in group.terms[:TERMS_SHOWN]]
        rest = len(group.terms) - TERMS_SHOWN
        others = f"，另有 {rest} 个词 and {counted(rest, 'other term', 'other terms')}" if rest > 0 else ""
        zh.append("匹配词 matched by：" + "、".join(shown) + others)
    return Said(" · ".join(zh), " · ".join(en))


def thread_figures(thread: TopThread) -> Said:
    """A top thread's figures: posts this week, replies in all (the forum's count), negative share,
    category (or not a complaint); its alert is said apart (:func:`thread_alert`)."""
    category = clean_text(thread.category or "")
    if not thread.complaint:
        kind = Said("不像投诉", "not a complaint")
    else:
        kind = Said(CATEGORY_NAMES.get(category, category or "未分类"), category or "uncategorised")
    return Said(
        f"本周 {thread.posts:,} 条帖子 · 共 {thread.replies:,} 条回复 · 负面 {share(thread.negative_share)}"
        f" · {kind.zh}",
        f"{counted(thread.posts, 'post', 'posts')} this week · "
        f"{counted(thread.replies, 'reply', 'replies')} in all · {share(thread.negative_share)} negative"
        f" · {kind.en}",
    )


def alert_timing(thread: TopThread) -> Said:
    """``在本周之后开启`` / ``opened after this week``, ``在本周之前已解决`` / ``resolved before this
    week``; empty for an alert open in the week."""
    return Said(_TIMING_ZH.get(thread.alert_timing or "", ""), alert_timing_note(thread.alert_timing))


def thread_alert(thread: TopThread) -> Said:
    """``告警 #1 [非常紧迫 very urgent] 在本周之后开启`` / ``alert #1 opened after this week``: the tier
    said once, in the Chinese; empty when the thread has no alert."""
    if thread.alert_id is None:
        return Said("", "")
    when = alert_timing(thread)
    return Said(
        f"告警 #{thread.alert_id} [{tier(thread.alert_severity)}]" + (f" {when.zh}" if when.zh else ""),
        f"alert #{thread.alert_id}" + (f" {when.en}" if when.en else ""),
    )


def as_of(label: str, moment: str) -> str:
    """``待处理 Needs attention now（截至 as of 12-08 02:47）``: a heading and when it looks at."""
    return f"{label}（截至 as of {moment}）"


def until_said(figures: WeekFigures) -> str:
    """``截至 until 03:33`` when the period's last day is partial; else empty."""
    stop = until(figures)
    return f"截至 {stop}" if stop else ""


def footer(digest: Digest) -> Said:
    """What the figures cover, the time zone and when the digest was made."""
    zone = zone_name(digest.week.period.timezone)
    made = local_time(digest.generated_at, zone)
    return Said(
        f"数据仅统计监测帖（被监测组匹配的主题帖）。时间均为 {zone} 时区。生成于 {made}。",
        "Figures cover watched threads only (threads matched by a watch group). "
        f"Times in {zone}. Generated {made}.",
    )


# Sections' notes, after their headings
VOLUME_NOTE = Said("本周，括号内为上周", "this week, last week in brackets")
DAYS_NOTE = Said("条形：帖子数，最多的一天为满格", "bar: posts, the busiest day full width")
TOP_NOTE = Said("按本周帖子数", "by posts this week")
CATEGORIES_NOTE = Said(
    "开帖读来负面的监测帖；括号内为上周",
    "watched threads whose opening post reads negative; last week in brackets",
)
NO_SCORE = Said("无评分帖子", "no scored posts")


def noted(heading: str, note: Said) -> str:
    """``各监测组声量 Volume by watch group（本周，括号内为上周 this week, last week in brackets）``."""
    return f"{heading}（{note.zh} {note.en}）"
