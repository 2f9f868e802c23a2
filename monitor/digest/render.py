"""Render a :class:`Digest` as an email subject, a plain-text body and an HTML body.

Both bodies have the same sections, in this order: needs attention now (when anything does: as of
the digest's making, :mod:`monitor.digest.attention`), open on each spokesperson (when any alert is
open, :mod:`monitor.digest.open_on`), what changed since last week, forums read
(boards that could not always be read), volume by watch group, sentiment by day (a chart), top
threads, alerts and how they were handled, categories, and a footer saying what the figures cover.
Scraped text (titles, boards, sources, watch groups, spokespeople) is cleaned of control characters
and bidi overrides and shortened; the HTML body (:mod:`monitor.digest.html_body`) also escapes it
and links only http/https URLs.
"""

from __future__ import annotations

from monitor.alerting.render import clean_text, safe_href
from monitor.digest import headings as h
from monitor.digest import html_body
from monitor.digest.alert_facts import alert_facts
from monitor.digest.alert_wording import beside_last_week, summary_rows
from monitor.digest.attention import attention_heading, attention_lines, very_urgent_note
from monitor.digest.charts import NO_SPARK, SPARKS, sparkline, text_bar
from monitor.digest.headings import category_label
from monitor.digest.model import AlertReview, DaySentiment, Digest, GroupVolume, TopThread, WeekFigures
from monitor.digest.open_on import open_on, open_on_heading
from monitor.digest.reading import reading_lines
from monitor.digest.said import Said, joined
from monitor.digest.sentences import (
    CATEGORIES_NOTE,
    DAYS_NOTE,
    GROUPS_OVERLAP,
    NO_ALERTS,
    NO_CHANGES,
    NO_SCORE,
    NONE,
    TOP_NOTE,
    VOLUME_NOTE,
    empty_week,
    footer,
    group_noise,
    headline,
    not_complaints,
    noted,
    thread_alert,
    thread_figures,
    week_summary,
)
from monitor.digest.wording import (
    category_rows,
    changes,
    day_labels,
    group_rows,
    name_of,
    people_line,
    period_heading,
    period_label,
    share,
    tier,
    title_of,
)
from monitor.display_text import display_width, padded


def render_subject(digest: Digest) -> str:
    """``周报 Weekly digest 11-30 – 12-06：412 条帖子，负面 62 %，3 个告警`` (days in the team's zone):
    the prefix in both languages, the figures once, in Chinese; ``…，1 个非常紧迫未结`` while very
    urgent alerts are open; ``… 12-01 – 12-07 (截至 until 03:33)：…`` when the last day is partial
    (``--until now``)."""
    figures = headline(digest.week, very_urgent_note(digest))
    return f"{h.WEEKLY} {period_label(digest.week, '%m-%d')}：{figures}"


def render_text(digest: Digest) -> str:
    """The plain-text body, for email and ``monitor digest preview``."""
    sections = [
        _text_heading(digest),
        *_text_attention(digest),
        *_text_open_on(digest),
        _text_changes(digest),
    ]
    if digest.reading is not None:
        sections.append(_text_reading(digest))
    if digest.week.posts:
        sections += [_text_volume(digest), _text_days(digest.week), _text_top_threads(digest.week)]
    else:
        sections.append(empty_week(digest).text_lines())
    sections.append(_text_alerts(digest))
    if digest.week.posts:
        sections.append(_text_categories(digest))
    sections.append(_footer(digest))
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


def render_html(digest: Digest) -> str:
    """The HTML body: inline styles, table-cell charts, every scraped string escaped."""
    return html_body.render(digest, subject=render_subject(digest))


def _text_heading(digest: Digest) -> list[str]:
    return [
        f"{h.WEEKLY} {period_heading(digest.week)}",
        *week_summary(digest.week).text_lines("", f"{h.THIS_WEEK}: "),
        *week_summary(digest.previous).text_lines("", f"{h.LAST_WEEK}: "),
    ]


def _text_attention(digest: Digest) -> list[list[str]]:
    """Needs attention now, as of the digest's making: ``!`` marks an overdue contact or a board not read."""
    lines = attention_lines(digest)
    if not lines:
        return []
    said = [text for line in lines for text in line.said.text_lines("  ", "! " if line.urgent else "- ")]
    return [[attention_heading(digest), *said]]


def _text_open_on(digest: Digest) -> list[list[str]]:
    """Open on each spokesperson: ``!`` marks one with an overdue first contact."""
    lines = open_on(digest)
    if not lines:
        return []
    said = [text for line in lines for text in line.said.text_lines("  ", "! " if line.overdue else "- ")]
    return [[open_on_heading(digest), *said]]


def _text_changes(digest: Digest) -> list[str]:
    lines = [text for line in changes(digest) for text in line.text_lines("  ", "- ")]
    return [h.CHANGES, *(lines or NO_CHANGES.text_lines("  "))]


def _text_reading(digest: Digest) -> list[str]:
    lines = reading_lines(digest.reading, digest.week.period.timezone)
    cleaned = [Said(clean_text(line.zh), clean_text(line.en)) for line in lines]
    head, *boards = cleaned or [Said("", "")]
    return [
        h.READING,
        *head.text_lines("  "),
        *(text for board in boards for text in board.text_lines("  ", "- ")),
    ]


def _text_volume(digest: Digest) -> list[str]:
    week, before = digest.week, digest.previous
    lines = [
        noted(h.VOLUME, VOLUME_NOTE),
        f"  {h.ALL_WATCHED}: {h.POSTS} {week.posts:,} ({before.posts:,}) · "
        f"{h.NEGATIVE} {share(week.negative_share)} ({share(before.negative_share)})",
    ]
    for group, previous in group_rows(digest):
        lines += [f"  {_group_line(group, previous)}", *group_noise(group).text_lines("    ")]
    return [*lines, *GROUPS_OVERLAP.text_lines("  ")]


def _group_line(group: GroupVolume, previous: GroupVolume | None) -> str:
    """``途乐旅行: 帖数 Posts 83 (0) · 主题 Threads 4 (0) · …``: the HTML table's columns, labelled."""
    last = previous or GroupVolume(group.watch_group, 0, 0, 0, 0, 0)
    return (
        f"{name_of(group.watch_group)}: {h.POSTS} {group.posts:,} ({last.posts:,}) · "
        f"{h.THREADS} {group.threads:,} ({last.threads:,}) · "
        f"{h.NEW_THREADS} {group.new_threads:,} ({last.new_threads:,}) · "
        f"{h.NEGATIVE} {share(group.negative_share)} ({share(last.negative_share)})"
    )


def _text_days(week: WeekFigures) -> list[str]:
    """A table: the day, then posts and negative share under their bilingual column headings."""
    busiest = max((day.posts for day in week.days), default=0)
    labels = day_labels(week)
    width = max([display_width(h.DAY), *map(display_width, labels)])
    posts, negative = h.POSTS, h.NEGATIVE
    lines = [
        noted(h.DAYS, DAYS_NOTE),
        f"  {padded(h.DAY, width)}  {posts:>{_COLUMN - display_width(posts) + len(posts)}}"
        f"  {negative:>{_COLUMN - display_width(negative) + len(negative)}}",
    ]
    lines += [
        f"  {padded(label, width)}  {_day_line(day, busiest)}".rstrip()
        for label, day in zip(labels, week.days, strict=True)
    ]
    spark_width = max(display_width(posts), display_width(negative))
    lines += [
        f"  {padded(posts, spark_width)}  {sparkline([day.posts for day in week.days])}",
        f"  {padded(negative, spark_width)}  {sparkline([day.negative_share for day in week.days], top=1.0)}"
        f"  ({SPARKS[0]} 0 % … {SPARKS[-1]} 100 %, {NO_SPARK} {NO_SCORE.zh} {NO_SCORE.en})",
    ]
    return lines


_COLUMN = 14  # the days table's figure columns, wide enough for their bilingual headings


def _day_line(day: DaySentiment, busiest: int) -> str:
    negative, bar = share(day.negative_share), text_bar(day.posts, busiest)
    return f"{day.posts:>{_COLUMN},}  {negative:>{_COLUMN}}  {bar}"


def _text_top_threads(week: WeekFigures) -> list[str]:
    lines = [noted(h.TOP_THREADS, TOP_NOTE)]
    for rank, thread in enumerate(week.top_threads, start=1):
        lines += _thread_lines(rank, thread)
    if not week.top_threads:
        lines += NONE.text_lines("  ")
    return lines


def _thread_lines(rank: int, thread: TopThread) -> list[str]:
    where = f"{name_of(thread.board)} · {name_of(thread.source)}"
    groups = ", ".join(name_of(group) for group in thread.watch_groups)
    link = clean_text(thread.url) or "（无链接 no link）"
    if thread.url and safe_href(thread.url) is None:
        link += "（不是 http/https 链接 not an http/https link）"
    figures = thread_figures(thread)
    alert = thread_alert(thread)
    if alert:
        figures = joined([figures, alert])
    return [
        f"  {rank}. {title_of(thread.title)} — {where}" + (f" [{groups}]" if groups else ""),
        f"     {link}",
        *figures.text_lines("     "),
    ]


def _text_alerts(digest: Digest) -> list[str]:
    timezone = digest.week.period.timezone
    lines = [h.ALERTS]
    for review in digest.week.alerts:
        lines += _alert_lines(review, digest, timezone)
    if not digest.week.alerts:
        lines += NO_ALERTS.text_lines("  ")
    return lines + [f"  {line}" for line in handling_summary(digest)]


def _alert_lines(review: AlertReview, digest: Digest, timezone: str) -> list[str]:
    facts = alert_facts(review, digest.generated_at, timezone)
    return [
        f"  #{review.alert_id} [{tier(review.severity)}] {title_of(review.title)}"
        f" — {name_of(review.watch_group)}",
        *(text for line in facts for text in joined(line).text_lines("     ")),
    ]


def handling_summary(digest: Digest) -> list[str]:
    """Alerts opened, median time to acknowledge (and how often the backup and leadership had to be
    called), how many changed hands (when any did, this week or last), and first contacts within SLA,
    beside last week's: ``label: 中文（上周 …）`` then the English, as :meth:`Said.text_lines` puts it."""
    rows = summary_rows(digest.week, digest.previous, digest.generated_at)
    return [
        text
        for label, now, before in rows
        for text in beside_last_week(now, before).text_lines("", f"{label}: ")
    ]


def _text_categories(digest: Digest) -> list[str]:
    lines = [noted(h.CATEGORIES, CATEGORIES_NOTE)]
    rows = [(category_label(name_of(name)), now, before) for name, now, before in category_rows(digest)]
    width = max([12, *(display_width(label) for label, _, _ in rows)])
    lines += [f"  {padded(label, width)} {threads:>5,} ({before:,})" for label, threads, before in rows]
    if not rows:
        lines += NONE.text_lines("  ")
    return lines + not_complaints(digest).text_lines("  ")


def _footer(digest: Digest) -> list[str]:
    named = people_line(digest)
    return ["--", *([named] if named else []), *footer(digest).text_lines()]
