"""The dashboard's forums page: how every configured forum's boards are being read (``monitor
sources status`` for everyone), so a quiet week and a broken or stopped crawl do not look alike.
Forum text goes through :func:`~monitor.web.pages.h`, as on every page."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.admin.forum_health import BoardHealth, SourceHealth
from monitor.detect.velocity import counted
from monitor.web.dashboard_pages import Nav
from monitor.web.html import column_headings
from monitor.web.pages import h, page_html, when

_STATE_COLOURS = {
    "ok": "#2f6f3e",
    "failing": "#b91c1c",
    "degraded": "#c2410c",
    "empty": "#b45309",
    "never polled": "#52606d",
    "stale": "#b91c1c",
}


def sources_page(nav: Nav, sources: Sequence[SourceHealth], zone: str) -> str:
    """How every configured forum's boards are being read (``monitor sources status``), for everyone:
    a quiet week and a broken crawl must not look alike."""
    failing = sum(source.failing for source in sources)
    degraded = sum(source.degraded for source in sources)  # lists read, none of their thread pages
    stale = sum(source.stale for source in sources)  # nothing polls them: the crawl has stopped
    body = [nav.html(), "<h1>论坛 Forums</h1>"]
    if failing or degraded or stale:
        counts = [f"{failing} board(s) failing"] if failing else []
        counts += [f"{degraded} board(s) degraded (list read, no thread page)"] if degraded else []
        counts += [f"{stale} board(s) not polled lately (is the crawl running?)"] if stale else []
        body.append(
            f'<p class="problem" role="alert">{", ".join(counts)}: what they post is not being read. '
            "The events below say why (login wall, captcha, a page that stopped yielding posts …).</p>"
        )
    if not sources:
        body.append('<p class="muted">No forums configured (sources.yaml).</p>')
    for source in sources:
        off = "" if source.enabled else ' <span class="muted">(disabled)</span>'
        where = f'<span class="muted">{h(source.key)} · {h(source.base_url)}</span>'
        body.append(f"<h2>{h(source.name)} {where}{off}</h2>")
        if source.resting_until is not None:
            body.append(
                f'<p class="problem">Not asked anything before {when(source.resting_until, zone)}: '
                f"{h(source.resting_cause)}</p>"
            )
        body.append(
            '<table class="list">'
            + column_headings(
                "Board", "State", "Last success", "Failures in a row", "Last poll", "Last error"
            )
        )
        body.extend(_board_row(board, zone) for board in source.boards)
        body.append("</table>")
        if source.events:
            body.append('<table class="list muted">' + column_headings("When", "Event", "Page", "Detail"))
            for event in source.events:
                kept = f" (raw page kept: {h(event.kept_as)})" if event.kept_as else ""
                seen, times = when(event.at, zone), ""
                if event.times > 1:  # an outage: first and last seen, and how often
                    seen += f" – {when(event.last_at or event.at, zone)}"
                    times = f" ×{event.times}"
                if event.pages > 1:
                    times += f" on {event.pages} pages"
                body.append(
                    f'<tr><td class="nw">{seen}</td><td>{h(event.kind)}{times}</td>'
                    f"<td>{h(event.url)}</td><td>{h(event.detail[:300])}{kept}</td></tr>"
                )
            body.append("</table>")
    body.append(
        f'<p class="muted">Times in {h(zone)}. From a terminal: <code>monitor sources status</code>.</p>'
    )
    return page_html("论坛 Forums · BBS crisis monitor", body, wide=True)


def _board_row(board: BoardHealth, zone: str) -> str:
    colour = _STATE_COLOURS.get(board.state, "#52606d")
    state = f'<span class="badge" style="background:{colour}">{h(board.state)}</span>'
    if board.state == "degraded" and board.degraded_since:
        state += f' <span class="muted nw">since {when(board.degraded_since, zone)}</span>'
    if board.state == "stale" and board.last_polled_at:
        state += f' <span class="muted nw">last poll {when(board.last_polled_at, zone)}</span>'
    if board.state == "stale" and not board.stored:
        state += (
            ' <span class="muted">never polled: start or restart the service '
            "(it reads sources.yaml at start)</span>"
        )
    last_poll = "—"
    if board.stored:
        last_poll = (
            f"{counted(board.last_threads_seen, 'thread', 'threads')}, "
            f"{counted(board.last_posts_new, 'new post', 'new posts')}"
        )
        if board.thread_pages_failed:
            tried = board.thread_pages_read + board.thread_pages_failed
            last_poll += f", {board.thread_pages_failed} of {tried} thread pages failed"
    return (
        f"<tr><td>{h(board.board_id)} {h(board.name)}</td><td>{state}</td>"
        f'<td class="nw">{when(board.last_success_at, zone)}</td><td>{board.consecutive_failures}</td>'
        f"<td>{last_poll}</td><td>{h(board.last_error[:300])}</td></tr>"
    )
