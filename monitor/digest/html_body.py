"""The digest's HTML email body: inline styles, charts as table cells, every scraped string escaped.

No JavaScript, no images, no SVG, no external fonts. Thread titles link to their thread only
when the URL is absolute http/https (:func:`safe_href`); any other URL is shown as text. Every
string that came from a forum or a configuration file goes through :func:`html.escape` with
``quote=True``, in text and in attributes alike.
"""

from __future__ import annotations

from html import escape

from monitor.alerting.email_html import email_head
from monitor.alerting.render import clean_text, local_time, safe_href
from monitor.detect.severity import Severity
from monitor.digest.alert_wording import (
    alert_facts,
    called,
    first_contact,
    handling,
    hands,
    moved_hands,
    within_sla,
)
from monitor.digest.attention import attention_heading, attention_lines
from monitor.digest.charts import NEGATIVE_COLOUR, OTHER_COLOUR, html_bar, html_thin_bar, percent_of
from monitor.digest.model import AlertReview, DaySentiment, Digest, GroupVolume, TopThread, WeekFigures
from monitor.digest.open_on import open_on, open_on_heading
from monitor.digest.reading import reading_lines
from monitor.digest.wording import (
    CATEGORIES_COVER,
    CATEGORIES_HEADING,
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
    duration,
    empty_week,
    group_noise,
    group_rows,
    name_of,
    not_complaints,
    period_heading,
    share,
    tier,
    title_of,
    week_summary,
    zone_name,
)

_H2 = "font-size:16px;margin:24px 0 8px;padding-bottom:4px;border-bottom:1px solid #d9e2ec"
# a table of figures, its headers read out with each figure (no role="presentation", which hid them);
# the bars inside (charts.py) are layout, and say so
_TABLE = 'cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%"'
# The email body lets long strings break anywhere (monitor.alerting.email_html); in a table that also
# lets the browser squeeze a column to one character ("acknowl|edge", 途|乐|旅|行 down a phone screen):
# table cells break only between words, or inside a word too long for the cell.
_TD = "padding:3px 8px 3px 0;vertical-align:middle;overflow-wrap:break-word"
_NUM = f"{_TD};text-align:right;white-space:nowrap"
_MUTED = "color:#52606d"
_SMALL = "color:#52606d;font-size:12px"
_SEVERITY_COLOURS = {
    Severity.GENERAL.value: "#2f6690",
    Severity.URGENT.value: "#b45309",
    Severity.VERY_URGENT.value: "#b91c1c",
}
# text on white, each at least 4.5:1 (WCAG 1.4.3): the amber for "not yet" was #b7791f, 3.6:1
_VERDICT_COLOURS = {True: "#2f855a", False: "#b91c1c", None: "#975a16"}


def render(digest: Digest, subject: str) -> str:
    """The complete HTML document for ``digest``, titled ``subject``."""
    parts = [
        email_head(clean_text(subject)),
        _heading(digest),
        _attention(digest),
        _open_on(digest),
        _changes(digest),
        _reading(digest),
    ]
    if digest.week.posts:
        parts += [_volume(digest), _days(digest.week), _top_threads(digest.week)]
    else:
        parts.append(f'<p style="font-weight:bold">{_e(empty_week(digest))}</p>')
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
    head, *boards = lines
    items = "".join(f"<li>{_e(clean_text(line))}</li>" for line in boards)
    partial = digest.reading is not None and (digest.reading.unwatched or digest.reading.watched_from)
    colour = (
        _VERDICT_COLOURS[False] if boards else _VERDICT_COLOURS[None] if partial else _VERDICT_COLOURS[True]
    )
    body = f'<p style="margin:4px 0;color:{colour}">{_e(head)}</p>' + (f"<ul>{items}</ul>" if items else "")
    return _section("Forums read", body)


def _e(text: str) -> str:
    """Escaped for HTML text and attribute values alike."""
    return escape(text, quote=True)


def _section(title: str, body: str) -> str:
    return f'<h2 style="{_H2}">{_e(title)}</h2>\n{body}'


def _heading(digest: Digest) -> str:
    return (
        '<h1 style="font-size:22px;margin:0 0 4px">Weekly digest</h1>'
        f'<p style="margin:0 0 8px;{_MUTED}">{_e(period_heading(digest.week))}</p>'
        f'<p style="margin:0;font-size:16px"><strong>{_e(week_summary(digest.week))} opened</strong>'
        f'<br><span style="{_SMALL}">Last week: {_e(week_summary(digest.previous))} opened</span></p>'
    )


def _attention(digest: Digest) -> str:
    """Needs attention now: the overdue contacts and boards not read in red."""
    lines = attention_lines(digest)
    if not lines:
        return ""
    marked = ";color:#b91c1c;font-weight:bold"
    items = "".join(
        f'<li style="margin:2px 0{marked if line.urgent else ""}">{_e(line.text)}</li>' for line in lines
    )
    return (
        '<div style="margin:16px 0 0;padding:6px 10px;border-left:3px solid #b91c1c;background:#fdf2f2">'
        f'<h2 style="font-size:16px;margin:0 0 4px">{_e(attention_heading(digest))}</h2>'
        f'<ul style="margin:0;padding-left:20px">{items}</ul></div>'
    )


def _open_on(digest: Digest) -> str:
    """Open on each spokesperson: the name in bold, an overdue first contact in red."""
    lines = open_on(digest)
    if not lines:
        return ""
    marked = 'style="color:#b91c1c;font-weight:bold"'
    items = "".join(
        f'<li style="margin:2px 0"><strong>{_e(line.who)}</strong>: {_e(line.alerts)} · '
        f"<span{' ' + marked if line.overdue else ''}>{_e(line.next)}</span></li>"
        for line in lines
    )
    return _section(open_on_heading(digest), f'<ul style="margin:0;padding-left:20px">{items}</ul>')


def _changes(digest: Digest) -> str:
    lines = changes(digest)
    if not lines:
        return _section("What changed since last week", f"<p>{_e(NO_CHANGES)}</p>")
    items = "".join(f"<li>{_e(line)}</li>" for line in lines)
    return _section("What changed since last week", f'<ul style="margin:0;padding-left:20px">{items}</ul>')


def _with_last(now: str, before: str) -> str:
    return f'{_e(now)} <span style="{_MUTED}">({_e(before)})</span>'


def _header_row(*labels: str) -> str:
    """Column headings: the first (a name) and the last (the bar) to the left, figures to the right;
    a column with no heading (the bars) has an empty cell, not an empty header."""
    cells = []
    for n, label in enumerate(labels):
        style = (
            f"{_TD};text-align:{'left' if n in (0, len(labels) - 1) else 'right'};{_SMALL};font-weight:normal"
        )
        tag = 'th scope="col"' if label else "td"
        cells.append(f'<{tag} style="{style}">{_e(label)}</{tag.split()[0]}>')
    return f"<tr>{''.join(cells)}</tr>"


def _volume(digest: Digest) -> str:
    rows = group_rows(digest)
    biggest = max([g.posts for g, _ in rows] + [p.posts for _, p in rows if p is not None] + [0])
    week, before = digest.week, digest.previous
    total = (
        f'<tr><td style="{_TD}"><strong>All watched threads</strong></td>'
        f'<td style="{_NUM}">{_with_last(f"{week.posts:,}", f"{before.posts:,}")}</td>'
        f'<td style="{_NUM}"></td><td style="{_NUM}"></td>'
        f'<td style="{_NUM}">{_with_last(share(week.negative_share), share(before.negative_share))}</td>'
        f'<td style="{_TD}"></td></tr>'
    )
    body = "".join(_group_row(group, previous, biggest) for group, previous in rows)
    legend = (
        f'<p style="{_SMALL}">This week (last week in brackets). Bar: posts this week, '
        f"{_swatch(NEGATIVE_COLOUR)} negative share; thin bar: last week. {_e(GROUPS_OVERLAP)}</p>"
    )
    header = _header_row("Watch group", "Posts", "Threads", "New threads", "Negative", "")
    table = f"<table {_TABLE}>{header}{total}{body}</table>"
    return _section("Volume by watch group", table + legend)


def _group_row(group: GroupVolume, previous: GroupVolume | None, biggest: int) -> str:
    last = previous or GroupVolume(group.watch_group, 0, 0, 0, 0, 0)
    bars = html_bar(percent_of(group.posts, biggest), group.negative_share) + html_thin_bar(
        percent_of(last.posts, biggest)
    )
    return (
        f'<tr><td style="{_TD}">{_e(name_of(group.watch_group))}</td>'
        f'<td style="{_NUM}">{_with_last(f"{group.posts:,}", f"{last.posts:,}")}</td>'
        f'<td style="{_NUM}">{_with_last(f"{group.threads:,}", f"{last.threads:,}")}</td>'
        f'<td style="{_NUM}">{_with_last(f"{group.new_threads:,}", f"{last.new_threads:,}")}</td>'
        f'<td style="{_NUM}">{_with_last(share(group.negative_share), share(last.negative_share))}</td>'
        f'<td style="{_TD};width:35%">{bars}</td></tr>'
    ) + _noise_row(group)


def _noise_row(group: GroupVolume) -> str:
    """Under a group's figures: how many of its threads are not complaints, and what matched them."""
    noise = group_noise(group)
    if not noise:
        return ""
    style = "padding:0 8px 6px 12px;overflow-wrap:break-word;color:#52606d;font-size:12px"
    return f'<tr><td colspan="6" style="{style}">{_e(noise)}</td></tr>'


def _days(week: WeekFigures) -> str:
    busiest = max((day.posts for day in week.days), default=0)
    rows = "".join(
        f'<tr><td style="{_TD};white-space:nowrap">{_e(label)}</td>'
        f'<td style="{_NUM}">{day.posts:,}</td>'
        f'<td style="{_NUM}">{_e(share(day.negative_share))}</td>'
        f'<td style="{_TD};width:60%">{_day_bar(day, busiest)}</td></tr>'
        for label, day in zip(day_labels(week), week.days, strict=True)
    )
    legend = (
        f'<p style="{_SMALL}">Bar: posts, the busiest day full width; {_swatch(NEGATIVE_COLOUR)} negative, '
        f"{_swatch(OTHER_COLOUR)} other posts (share of posts with a sentiment score).</p>"
    )
    header = _header_row("Day", "Posts", "Negative", "")
    return _section("Sentiment by day", f"<table {_TABLE}>{header}{rows}</table>{legend}")


def _day_bar(day: DaySentiment, busiest: int) -> str:
    return html_bar(percent_of(day.posts, busiest), day.negative_share)


def _swatch(colour: str) -> str:
    return f'<span style="display:inline-block;width:10px;height:10px;background:{colour}"></span>'


def _top_threads(week: WeekFigures) -> str:
    if not week.top_threads:
        return _section("Top threads", "<p>(none)</p>")
    items = "".join(_thread_item(thread) for thread in week.top_threads)
    listing = f'<ol style="margin:0;padding-left:24px">{items}</ol>'
    return _section("Top threads (by posts this week)", listing)


def _title_link(title: str, url: str) -> str:
    """The title linked to ``url`` if it is http/https; otherwise the title, then the URL as text."""
    href = safe_href(url)
    if href is not None:
        return f'<a href="{_e(href)}" style="color:#2f6690">{_e(title_of(title))}</a>'
    shown = _e(title_of(title))
    if clean_text(url):
        shown += f' <span style="{_SMALL}">{_e(clean_text(url))} (not an http/https link)</span>'
    return shown


def _thread_item(thread: TopThread) -> str:
    where = f"{name_of(thread.board)} · {name_of(thread.source)}"
    groups = ", ".join(name_of(group) for group in thread.watch_groups)
    figures = [
        f"{counted(thread.posts, 'post', 'posts')} this week",
        counted(thread.replies, "reply", "replies") + " in all",  # the forum's count, not this week's
        f"{share(thread.negative_share)} negative",
        complaint_category(thread.category, thread.complaint),
    ]
    alert = ""
    if thread.alert_id is not None:
        label = f"alert #{thread.alert_id} {tier(thread.alert_severity)}"
        when = alert_timing_note(thread.alert_timing)  # not open this week: greyed, and said
        alert = " · " + _badge(None if when else thread.alert_severity, label)
        alert += f' <span style="{_MUTED}">{_e(when)}</span>' if when else ""
    return (
        f'<li style="margin:0 0 8px">{_title_link(thread.title, thread.url)}'
        f'<br><span style="{_SMALL}">{_e(where)}{_e(f" [{groups}]" if groups else "")}</span>'
        f'<br><span style="font-size:13px">{_e(" · ".join(figures))}{alert}</span></li>'
    )


def _badge(severity: str | None, label: str) -> str:
    colour = _SEVERITY_COLOURS.get(severity or "", "#52606d")
    return (
        f'<span style="background:{colour};color:#fff;padding:1px 6px;border-radius:3px;'
        f'font-size:12px;white-space:nowrap">{_e(label)}</span>'
    )


def _alerts(digest: Digest) -> str:
    timezone = digest.week.period.timezone
    cards = "".join(_alert_card(review, digest, timezone) for review in digest.week.alerts)
    if not cards:
        cards = f"<p>{_e(NO_ALERTS)}</p>"
    return _section("Alerts and how they were handled", cards + _handling(digest))


def _alert_card(review: AlertReview, digest: Digest, timezone: str) -> str:
    verdict, said = first_contact(review, digest.generated_at, timezone)
    lines = [
        " · ".join(
            _e(fact)
            if fact != said
            else f'<strong style="color:{_VERDICT_COLOURS[verdict]}">{_e(fact)}</strong>'
            for fact in facts
        )
        for facts in alert_facts(review, digest.generated_at, timezone)
    ]
    return (
        '<div style="margin:0 0 10px;padding:6px 10px;border-left:3px solid '
        f'{_SEVERITY_COLOURS.get(review.severity, "#52606d")}">'
        f"{_badge(review.severity, tier(review.severity))} #{review.alert_id} "
        f"{_title_link(review.title, review.url)} "
        f'<span style="{_MUTED}">— {_e(name_of(review.watch_group))}</span>'
        f'<br><span style="font-size:13px">{"<br>".join(lines)}</span></div>'
    )


def _handling(digest: Digest) -> str:
    now, before = handling(digest.week, digest.generated_at), handling(digest.previous, digest.generated_at)
    rows = [
        ("Opened this week", str(now.opened), str(before.opened)),
        (
            "Median time to acknowledge",
            duration(now.median_minutes_to_acknowledge),
            duration(before.median_minutes_to_acknowledge),
        ),
        ("Not acknowledged in time", called(now), called(before)),
        *([("Changed hands", hands(now), hands(before))] if moved_hands(now, before) else []),
        ("First contact within SLA", within_sla(now), within_sla(before)),
    ]
    cells = "".join(
        f'<tr><th scope="row" style="{_TD};text-align:left;font-weight:normal;{_MUTED}">{_e(label)}</th>'
        f'<td style="{_TD}"><strong>{_e(this)}</strong> '
        f'<span style="{_MUTED}">(last week {_e(last)})</span></td></tr>'
        for label, this, last in rows
    )
    return f'<table style="border-collapse:collapse;margin-top:8px">{cells}</table>'


def _categories(digest: Digest) -> str:
    rows = category_rows(digest)
    left_out = not_complaints(digest)
    note = f'<p style="{_SMALL}">{_e(left_out)}.</p>' if left_out else ""
    if not rows:
        return _section(CATEGORIES_HEADING, f"<p>(none)</p>{note}")
    biggest = max(max(threads, before) for _, threads, before in rows)
    body = "".join(
        f'<tr><td style="{_TD}">{_e(name_of(name))}</td>'
        f'<td style="{_NUM}">{_with_last(f"{threads:,}", f"{before:,}")}</td>'
        f'<td style="{_TD};width:50%">{html_bar(percent_of(threads, biggest), None)}'
        f"{html_thin_bar(percent_of(before, biggest))}</td></tr>"
        for name, threads, before in rows
    )
    header = _header_row("Category", "Threads", "")
    legend = f'<p style="{_SMALL}">{_e(CATEGORIES_COVER.capitalize())} this week (last week in brackets).</p>'
    return _section(CATEGORIES_HEADING, f"<table {_TABLE}>{header}{body}</table>{legend}{note}")


def _footer(digest: Digest) -> str:
    zone = zone_name(digest.week.period.timezone)
    return (
        f'<p style="{_SMALL};margin-top:24px;border-top:1px solid #d9e2ec;padding-top:8px">'
        f"{_e(COVERAGE)} Times in {_e(zone)}. Generated {_e(local_time(digest.generated_at, zone))}.</p>"
    )
