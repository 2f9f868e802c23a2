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

from monitor.alerting.render import clean_text, local_time, safe_href
from monitor.digest import headings as h
from monitor.digest import html_body
from monitor.digest.alert_wording import (
    alert_facts,
    called,
    handling,
    hands,
    moved_hands,
    opened_count,
    within_sla,
)
from monitor.digest.attention import attention_heading, attention_lines, very_urgent_note
from monitor.digest.charts import NO_SPARK, SPARKS, sparkline, text_bar
from monitor.digest.headings import category_label
from monitor.digest.model import AlertReview, DaySentiment, Digest, GroupVolume, TopThread, WeekFigures
from monitor.digest.open_on import open_on, open_on_heading
from monitor.digest.reading import reading_lines
from monitor.digest.wording import (
    CATEGORIES_COVER,
    COVERAGE,
    GROUPS_OVERLAP,
    NO_ALERTS,
    NO_CHANGES,
    alert_timing_note,
    category_rows,
    changes,
    complaint_category,
    counted,
    day_labels,
    display_width,
    duration,
    empty_week,
    group_noise,
    group_rows,
    headline,
    name_of,
    not_complaints,
    padded,
    people_line,
    period_heading,
    period_label,
    share,
    tier,
    title_of,
    week_summary,
    zone_name,
)


def render_subject(digest: Digest) -> str:
    """``Weekly digest 11-30 – 12-06: 412 posts, 62 % negative, 3 alerts`` (days in the team's zone),
    ``… 3 alerts (1 非常紧迫 open)`` while very urgent alerts are open; ``Weekly digest 12-01 – 12-07
    (until 03:33): …`` when the last day is partial (``--until now``)."""
    return f"{h.WEEKLY} {period_label(digest.week, '%m-%d')}: {headline(digest, very_urgent_note(digest))}"


def render_text(digest: Digest) -> str:
    """The plain-text body, for email and ``monitor digest preview``."""
    sections = [
        _text_heading(digest),
        *_text_attention(digest),
        *_text_open_on(digest),
        _text_changes(digest),
    ]
    if digest.reading is not None:
        lines = reading_lines(digest.reading, digest.week.period.timezone)
        sections.append([h.READING, *(f"  {clean_text(line)}" for line in lines)])
    if digest.week.posts:
        sections += [_text_volume(digest), _text_days(digest.week), _text_top_threads(digest.week)]
    else:
        sections.append([empty_week(digest)])
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
        f"{h.THIS_WEEK}: {week_summary(digest.week)} opened",
        f"{h.LAST_WEEK}: {week_summary(digest.previous)} opened",
    ]


def _text_attention(digest: Digest) -> list[list[str]]:
    """Needs attention now, as of the digest's making: ``!`` marks an overdue contact or a board not read."""
    lines = attention_lines(digest)
    if not lines:
        return []
    return [[attention_heading(digest), *(f"  {'!' if line.urgent else '-'} {line.text}" for line in lines)]]


def _text_open_on(digest: Digest) -> list[list[str]]:
    """Open on each spokesperson: ``!`` marks one with an overdue first contact."""
    lines = open_on(digest)
    if not lines:
        return []
    return [[open_on_heading(digest), *(f"  {'!' if line.overdue else '-'} {line.text}" for line in lines)]]


def _text_changes(digest: Digest) -> list[str]:
    lines = changes(digest)
    return [h.CHANGES] + ([f"  - {line}" for line in lines] or [f"  {NO_CHANGES}"])


def _text_volume(digest: Digest) -> list[str]:
    week, before = digest.week, digest.previous
    lines = [
        f"{h.VOLUME} (this week, last week in brackets)",
        f"  {h.ALL_WATCHED}: {counted(week.posts, 'post', 'posts')} ({before.posts:,}) · "
        f"{share(week.negative_share)} negative ({share(before.negative_share)})",
    ]
    for group, previous in group_rows(digest):
        noise = group_noise(group)
        lines += [f"  {_group_line(group, previous)}", *([f"    {noise}"] if noise else [])]
    return [*lines, f"  ({GROUPS_OVERLAP})"]


def _group_line(group: GroupVolume, previous: GroupVolume | None) -> str:
    last = previous or GroupVolume(group.watch_group, 0, 0, 0, 0, 0)
    return (
        f"{name_of(group.watch_group)}: {counted(group.posts, 'post', 'posts')} ({last.posts:,}) · "
        f"{counted(group.threads, 'thread', 'threads')} ({last.threads:,}) · "
        f"{group.new_threads:,} new ({last.new_threads:,}) · "
        f"{share(group.negative_share)} negative ({share(last.negative_share)})"
    )


def _text_days(week: WeekFigures) -> list[str]:
    busiest = max((day.posts for day in week.days), default=0)
    labels = day_labels(week)
    width = max(map(display_width, labels), default=0)
    lines = [f"{h.DAYS} (bar: posts, the busiest day full width)"]
    lines += [
        f"  {padded(label, width)}  {_day_line(day, busiest)}".rstrip()
        for label, day in zip(labels, week.days, strict=True)
    ]
    lines += [
        f"  Posts     {sparkline([day.posts for day in week.days])}",
        f"  Negative  {sparkline([day.negative_share for day in week.days], top=1.0)}"
        f"  ({SPARKS[0]} 0 % … {SPARKS[-1]} 100 %, {NO_SPARK} no scored posts)",
    ]
    return lines


def _day_line(day: DaySentiment, busiest: int) -> str:
    negative, bar = share(day.negative_share), text_bar(day.posts, busiest)
    posts = "post " if day.posts == 1 else "posts"  # the columns stay aligned
    return f"{day.posts:>6,} {posts}  {negative:>5} negative  {bar}"


def _text_top_threads(week: WeekFigures) -> list[str]:
    lines = [f"{h.TOP_THREADS} (by posts this week)"]
    for rank, thread in enumerate(week.top_threads, start=1):
        lines += _thread_lines(rank, thread)
    if not week.top_threads:
        lines.append("  (none)")
    return lines


def _thread_lines(rank: int, thread: TopThread) -> list[str]:
    where = f"{name_of(thread.board)} · {name_of(thread.source)}"
    groups = ", ".join(name_of(group) for group in thread.watch_groups)
    link = clean_text(thread.url) or "(no link)"
    if thread.url and safe_href(thread.url) is None:
        link += " (not an http/https link)"
    figures = [
        f"{counted(thread.posts, 'post', 'posts')} this week",
        counted(thread.replies, "reply", "replies") + " in all",  # the forum's count, not this week's
        f"{share(thread.negative_share)} negative",
        complaint_category(thread.category, thread.complaint),
    ]
    if thread.alert_id is not None:
        when = alert_timing_note(thread.alert_timing)
        figures.append(
            f"alert #{thread.alert_id} [{tier(thread.alert_severity)}]" + (f" {when}" if when else "")
        )
    return [
        f"  {rank}. {title_of(thread.title)} — {where}" + (f" [{groups}]" if groups else ""),
        f"     {link}",
        f"     {' · '.join(figures)}",
    ]


def _text_alerts(digest: Digest) -> list[str]:
    timezone = digest.week.period.timezone
    lines = [h.ALERTS]
    for review in digest.week.alerts:
        lines += _alert_lines(review, digest, timezone)
    if not digest.week.alerts:
        lines.append(f"  {NO_ALERTS}")
    return lines + [f"  {line}" for line in handling_summary(digest)]


def _alert_lines(review: AlertReview, digest: Digest, timezone: str) -> list[str]:
    facts = alert_facts(review, digest.generated_at, timezone)
    return [
        f"  #{review.alert_id} [{tier(review.severity)}] {title_of(review.title)}"
        f" — {name_of(review.watch_group)}",
        *(f"     {' · '.join(line)}" for line in facts),
    ]


def handling_summary(digest: Digest) -> list[str]:
    """Alerts opened, median time to acknowledge (and how often the backup and leadership had to be
    called), how many changed hands (when any did, this week or last), and first contacts within SLA,
    beside last week's."""
    now, before = handling(digest.week, digest.generated_at), handling(digest.previous, digest.generated_at)
    moved = [f"{h.CHANGED_HANDS}: {hands(now)} (last week {hands(before)})"]
    return [
        f"{h.OPENED}: {opened_count(now)} (last week {opened_count(before)})",
        f"{h.MEDIAN_ACK}: {duration(now.median_minutes_to_acknowledge)} "
        f"(last week {duration(before.median_minutes_to_acknowledge)})",
        f"{h.NOT_ACKED}: {called(now)} (last week {called(before)})",
        *(moved if moved_hands(now, before) else []),
        f"{h.WITHIN_SLA}: {within_sla(now)} (last week {within_sla(before)})",
    ]


def _text_categories(digest: Digest) -> list[str]:
    lines = [f"{h.CATEGORIES} ({CATEGORIES_COVER}; last week in brackets)"]
    rows = [(category_label(name_of(name)), now, before) for name, now, before in category_rows(digest)]
    width = max([12, *(display_width(label) for label, _, _ in rows)])
    lines += [f"  {padded(label, width)} {threads:>5,} ({before:,})" for label, threads, before in rows]
    if not rows:
        lines.append("  (none)")
    left_out = not_complaints(digest)
    return lines + ([f"  {left_out}"] if left_out else [])


def _footer(digest: Digest) -> list[str]:
    timezone = digest.week.period.timezone
    named = people_line(digest)
    return [
        "--",
        *([named] if named else []),
        f"{COVERAGE} Times in {zone_name(timezone)}.",
        f"Generated {local_time(digest.generated_at, zone_name(timezone))}.",
    ]
