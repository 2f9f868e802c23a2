"""The digest's HTML email body: inline styles, charts as table cells, every scraped string escaped.

No JavaScript, no images, no SVG, no external fonts. Thread titles link to their thread only
when the URL is absolute http/https (:func:`safe_href`); any other URL is shown as text. Every
string that came from a forum or a configuration file goes through :func:`html.escape` with
``quote=True``, in text and in attributes alike.
"""

from __future__ import annotations

from monitor.alerting.email_html import email_head
from monitor.alerting.render import clean_text, safe_href
from monitor.digest import headings as h
from monitor.digest.alert_facts import alert_facts, first_contact
from monitor.digest.alert_wording import beside_last_week, summary_rows
from monitor.digest.charts import NEGATIVE_COLOUR, OTHER_COLOUR, html_bar, html_thin_bar, percent_of
from monitor.digest.headings import category_label
from monitor.digest.html_now import attention_html, open_on_html
from monitor.digest.html_style import (
    ENGLISH,
    MUTED,
    NUM,
    SEVERITY_COLOURS,
    SMALL,
    TABLE,
    TD,
    VERDICT_COLOURS,
    e,
    said_html,
    section,
)
from monitor.digest.model import AlertReview, DaySentiment, Digest, GroupVolume, TopThread, WeekFigures
from monitor.digest.reading import reading_lines
from monitor.digest.said import Said
from monitor.digest.sentences import (
    CATEGORIES_NOTE,
    DAYS_NOTE,
    GROUPS_OVERLAP,
    NO_ALERTS,
    NO_CHANGES,
    NONE,
    TOP_NOTE,
    VOLUME_NOTE,
    alert_timing,
    empty_week,
    footer,
    group_noise,
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
    share,
    tier,
    title_of,
)


def render(digest: Digest, subject: str) -> str:
    """The complete HTML document for ``digest``, titled ``subject``."""
    parts = [
        email_head(clean_text(subject)),
        _heading(digest),
        attention_html(digest),
        open_on_html(digest),
        _changes(digest),
        _reading(digest),
    ]
    if digest.week.posts:
        parts += [_volume(digest), _days(digest.week), _top_threads(digest.week)]
    else:
        parts.append(f'<p style="font-weight:bold">{said_html(empty_week(digest))}</p>')
    parts.append(_alerts(digest))
    if digest.week.posts:
        parts.append(_categories(digest))
    parts += [_footer(digest), "</body></html>\n"]
    return "\n".join(parts)


def _reading(digest: Digest) -> str:
    """Forums read: a quiet week and a board that could not be read must not look alike."""
    lines = reading_lines(digest.reading, digest.week.period.timezone)
    if not lines:
        return ""
    head, *boards = [Said(clean_text(line.zh), clean_text(line.en)) for line in lines]
    items = "".join(f"<li>{said_html(line)}</li>" for line in boards)
    partial = digest.reading is not None and (digest.reading.unwatched or digest.reading.watched_from)
    colour = VERDICT_COLOURS[False] if boards else VERDICT_COLOURS[None] if partial else VERDICT_COLOURS[True]
    body = f'<p style="margin:4px 0;color:{colour}">{said_html(head)}</p>' + (
        f"<ul>{items}</ul>" if items else ""
    )
    return section(h.READING, body)


def _heading(digest: Digest) -> str:
    return (
        f'<h1 style="font-size:22px;margin:0 0 4px">{e(h.WEEKLY)}</h1>'
        f'<p style="margin:0 0 8px;{MUTED}">{e(period_heading(digest.week))}</p>'
        f'<p style="margin:0;font-size:16px">'
        f"{said_html(week_summary(digest.week), f'<strong>{e(week_summary(digest.week).zh)}</strong>')}"
        f'<br><span style="{SMALL}">{e(h.LAST_WEEK)}: {e(week_summary(digest.previous).zh)}</span> '
        f'<span lang="en" style="{ENGLISH}">{e(week_summary(digest.previous).en)}</span></p>'
    )


def _changes(digest: Digest) -> str:
    lines = changes(digest)
    if not lines:
        return section(h.CHANGES, f"<p>{said_html(NO_CHANGES)}</p>")
    items = "".join(f'<li style="margin:0 0 2px">{said_html(line)}</li>' for line in lines)
    return section(h.CHANGES, f'<ul style="margin:0;padding-left:20px">{items}</ul>')


def _with_last(now: str, before: str) -> str:
    return f'{e(now)} <span style="{MUTED}">({e(before)})</span>'


def _header_row(*labels: str) -> str:
    """Column headings: the first (a name) and the last (the bar) to the left, figures to the right;
    a column with no heading (the bars) has an empty cell, not an empty header."""
    cells = []
    for n, label in enumerate(labels):
        style = (
            f"{TD};text-align:{'left' if n in (0, len(labels) - 1) else 'right'};{SMALL};font-weight:normal"
        )
        tag = 'th scope="col"' if label else "td"
        cells.append(f'<{tag} style="{style}">{e(label)}</{tag.split()[0]}>')
    return f"<tr>{''.join(cells)}</tr>"


def _volume(digest: Digest) -> str:
    rows = group_rows(digest)
    biggest = max([g.posts for g, _ in rows] + [p.posts for _, p in rows if p is not None] + [0])
    week, before = digest.week, digest.previous
    total = (
        f'<tr><td style="{TD}"><strong>{e(h.ALL_WATCHED)}</strong></td>'
        f'<td style="{NUM}">{_with_last(f"{week.posts:,}", f"{before.posts:,}")}</td>'
        f'<td style="{NUM}"></td><td style="{NUM}"></td>'
        f'<td style="{NUM}">{_with_last(share(week.negative_share), share(before.negative_share))}</td>'
        f'<td style="{TD}"></td></tr>'
    )
    body = "".join(_group_row(group, previous, biggest) for group, previous in rows)
    legend = (
        f'<p style="{SMALL}">条形：本周帖子数，{_swatch(NEGATIVE_COLOUR)} 负面占比；细条：上周。'
        f'{e(GROUPS_OVERLAP.zh)} <span lang="en" style="{ENGLISH}">Bar: posts this week, '
        f"{_swatch(NEGATIVE_COLOUR)} negative share; thin bar: last week. {e(GROUPS_OVERLAP.en)}</span></p>"
    )
    header = _header_row(h.WATCH_GROUP, h.POSTS, h.THREADS, h.NEW_THREADS, h.NEGATIVE, "")
    table = f"<table {TABLE}>{header}{total}{body}</table>"
    return section(noted(h.VOLUME, VOLUME_NOTE), table + legend)


def _group_row(group: GroupVolume, previous: GroupVolume | None, biggest: int) -> str:
    last = previous or GroupVolume(group.watch_group, 0, 0, 0, 0, 0)
    bars = html_bar(percent_of(group.posts, biggest), group.negative_share) + html_thin_bar(
        percent_of(last.posts, biggest)
    )
    return (
        f'<tr><td style="{TD}">{e(name_of(group.watch_group))}</td>'
        f'<td style="{NUM}">{_with_last(f"{group.posts:,}", f"{last.posts:,}")}</td>'
        f'<td style="{NUM}">{_with_last(f"{group.threads:,}", f"{last.threads:,}")}</td>'
        f'<td style="{NUM}">{_with_last(f"{group.new_threads:,}", f"{last.new_threads:,}")}</td>'
        f'<td style="{NUM}">{_with_last(share(group.negative_share), share(last.negative_share))}</td>'
        f'<td style="{TD};width:35%">{bars}</td></tr>'
    ) + _noise_row(group)


def _noise_row(group: GroupVolume) -> str:
    """Under a group's figures: how many of its threads are not complaints, and what matched them."""
    noise = group_noise(group)
    if not noise:
        return ""
    style = "padding:0 8px 6px 12px;overflow-wrap:break-word;color:#52606d;font-size:12px"
    return f'<tr><td colspan="6" style="{style}">{said_html(noise)}</td></tr>'


def _days(week: WeekFigures) -> str:
    busiest = max((day.posts for day in week.days), default=0)
    rows = "".join(
        f'<tr><td style="{TD}">{_day_cell(label)}</td>'
        f'<td style="{NUM}">{day.posts:,}</td>'
        f'<td style="{NUM}">{e(share(day.negative_share))}</td>'
        f'<td style="{TD};width:60%">{_day_bar(day, busiest)}</td></tr>'
        for label, day in zip(day_labels(week), week.days, strict=True)
    )
    legend = (
        f'<p style="{SMALL}">条形：帖子数，最多的一天为满格；{_swatch(NEGATIVE_COLOUR)} 负面，'
        f"{_swatch(OTHER_COLOUR)} 其他帖子（按有情感评分的帖子计）。"
        f' <span lang="en" style="{ENGLISH}">Bar: posts, the busiest day full width; '
        f"{_swatch(NEGATIVE_COLOUR)} negative, {_swatch(OTHER_COLOUR)} other posts "
        "(share of posts with a sentiment score).</span></p>"
    )
    header = _header_row(h.DAY, h.POSTS, h.NEGATIVE, "")
    return section(noted(h.DAYS, DAYS_NOTE), f"<table {TABLE}>{header}{rows}</table>{legend}")


def _day_cell(label: str) -> str:
    """``周二 Tue 12-08`` kept on one line; a partial day's ``(截至 until 02:52)`` may wrap under it, so
    on a phone it does not squeeze the bar."""
    day, _, note = label.partition(" (")
    shown = f'<span style="white-space:nowrap">{e(day)}</span>'
    return shown + (f' <span style="{SMALL};white-space:nowrap">({e(note)}</span>' if note else "")


def _day_bar(day: DaySentiment, busiest: int) -> str:
    return html_bar(percent_of(day.posts, busiest), day.negative_share)


def _swatch(colour: str) -> str:
    return f'<span style="display:inline-block;width:10px;height:10px;background:{colour}"></span>'


def _top_threads(week: WeekFigures) -> str:
    if not week.top_threads:
        return section(h.TOP_THREADS, f"<p>{said_html(NONE)}</p>")
    items = "".join(_thread_item(thread) for thread in week.top_threads)
    listing = f'<ol style="margin:0;padding-left:24px">{items}</ol>'
    return section(noted(h.TOP_THREADS, TOP_NOTE), listing)


def _title_link(title: str, url: str) -> str:
    """The title linked to ``url`` if it is http/https; otherwise the title, then the URL as text."""
    href = safe_href(url)
    if href is not None:
        return f'<a href="{e(href)}" style="color:#2f6690">{e(title_of(title))}</a>'
    shown = e(title_of(title))
    if clean_text(url):
        note = "（不是 http/https 链接 not an http/https link）"
        shown += f' <span style="{SMALL}">{e(clean_text(url))}{note}</span>'
    return shown


def _thread_item(thread: TopThread) -> str:
    where = f"{name_of(thread.board)} · {name_of(thread.source)}"
    groups = ", ".join(name_of(group) for group in thread.watch_groups)
    figures, said, when = thread_figures(thread), thread_alert(thread), alert_timing(thread)
    alert = ""
    if said:  # an alert not open this week: its badge greyed, and said
        label = f"#{thread.alert_id} {tier(thread.alert_severity)}"
        alert = " · " + _badge(None if when else thread.alert_severity, label)
        alert += f' <span style="{MUTED}">{e(when.zh)}</span>' if when else ""
    english = figures.en + (f" · {said.en}" if said else "")
    return (
        f'<li style="margin:0 0 8px">{_title_link(thread.title, thread.url)}'
        f'<br><span style="{SMALL}">{e(where)}{e(f" [{groups}]" if groups else "")}</span>'
        f'<br><span style="font-size:13px">{e(figures.zh)}{alert}</span>'
        f'<br><span lang="en" style="{ENGLISH}">{e(english)}</span></li>'
    )


def _badge(severity: str | None, label: str) -> str:
    colour = SEVERITY_COLOURS.get(severity or "", "#52606d")
    return (
        f'<span style="background:{colour};color:#fff;padding:1px 6px;border-radius:3px;'
        f'font-size:12px;white-space:nowrap">{e(label)}</span>'
    )


def _alerts(digest: Digest) -> str:
    timezone = digest.week.period.timezone
    cards = "".join(_alert_card(review, digest, timezone) for review in digest.week.alerts)
    if not cards:
        cards = f"<p>{said_html(NO_ALERTS)}</p>"
    return section(h.ALERTS, cards + _handling(digest))


def _alert_card(review: AlertReview, digest: Digest, timezone: str) -> str:
    """The alert's badge, title and watch group, then its facts a line each: the Chinese (the first
    contact's verdict coloured), the English under it, small and grey."""
    verdict, said = first_contact(review, digest.generated_at, timezone)
    lines = []
    for facts in alert_facts(review, digest.generated_at, timezone):
        chinese = " · ".join(
            e(fact.zh)
            if fact != said
            else f'<strong style="color:{VERDICT_COLOURS[verdict]}">{e(fact.zh)}</strong>'
            for fact in facts
        )
        english = " · ".join(fact.en for fact in facts)
        lines.append(f'{chinese}<br><span lang="en" style="{ENGLISH}">{e(english)}</span>')
    return (
        '<div style="margin:0 0 10px;padding:6px 10px;border-left:3px solid '
        f'{SEVERITY_COLOURS.get(review.severity, "#52606d")}">'
        f"{_badge(review.severity, tier(review.severity))} #{review.alert_id} "
        f"{_title_link(review.title, review.url)} "
        f'<span style="{MUTED}">— {e(name_of(review.watch_group))}</span>'
        f'<br><span style="font-size:13px">{"<br>".join(lines)}</span></div>'
    )


def _handling(digest: Digest) -> str:
    rows = summary_rows(digest.week, digest.previous, digest.generated_at)
    cells = "".join(
        f'<tr><th scope="row" style="{TD};text-align:left;font-weight:normal;{MUTED}">{e(label)}</th>'
        f'<td style="{TD}"><strong>{e(this.zh)}</strong> <span style="{MUTED}">（上周 {e(last.zh)}）</span>'
        f'<br><span lang="en" style="{ENGLISH}">{e(beside_last_week(this, last).en)}</span></td></tr>'
        for label, this, last in rows
    )
    return f'<table style="border-collapse:collapse;margin-top:8px">{cells}</table>'


def _categories(digest: Digest) -> str:
    rows = category_rows(digest)
    left_out = not_complaints(digest)
    note = (
        f'<p style="{SMALL}">{said_html(Said(left_out.zh + "。", left_out.en + "."))}</p>' if left_out else ""
    )
    if not rows:
        return section(h.CATEGORIES, f"<p>{said_html(NONE)}</p>{note}")
    biggest = max(max(threads, before) for _, threads, before in rows)
    body = "".join(
        f'<tr><td style="{TD}">{e(category_label(name_of(name)))}</td>'
        f'<td style="{NUM}">{_with_last(f"{threads:,}", f"{before:,}")}</td>'
        f'<td style="{TD};width:50%">{html_bar(percent_of(threads, biggest), None)}'
        f"{html_thin_bar(percent_of(before, biggest))}</td></tr>"
        for name, threads, before in rows
    )
    header = _header_row(h.CATEGORY, h.THREADS, "")
    legend = f'<p style="{SMALL}">{said_html(CATEGORIES_NOTE)}</p>'
    return section(h.CATEGORIES, f"<table {TABLE}>{header}{body}</table>{legend}{note}")


def _footer(digest: Digest) -> str:
    named = people_line(digest)
    return (
        f'<p style="{SMALL};margin-top:24px;border-top:1px solid #d9e2ec;padding-top:8px">'
        f"{e(named) + '<br>' if named else ''}{said_html(footer(digest))}</p>"
    )
