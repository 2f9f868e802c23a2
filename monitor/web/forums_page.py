"""The dashboard's forums page: how every configured forum's boards are being read (``monitor
sources status`` for everyone), so a quiet week and a broken or stopped crawl do not look alike.
Forum text goes through :func:`~monitor.web.pages.h`, as on every page."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.admin.forum_health import BoardHealth, SourceHealth
from monitor.detect.velocity import counted
from monitor.digest.reading import PROBLEM_LABELS_ZH, STATES_ZH
from monitor.web import words
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


_STATE_ZH = {"ok": "正常", "stale": "停止抓取"} | STATES_ZH


_BOARD_COLUMNS = (
    words.BOARD,
    words.STATE,
    words.LAST_SUCCESS,
    words.FAILURES,
    words.LAST_POLL,
    words.LAST_ERROR,
)


def state_label(state: str) -> str:
    """``当前读取失败 failing``: a board's state, Chinese first (the digest's words); one not known
    as it is."""
    chinese = _STATE_ZH.get(state)
    return f"{chinese} {state}" if chinese else state


def _event(kind: str) -> str:
    """``登录墙 login_wall``: a health event's kind, Chinese first where the digest names it."""
    chinese = PROBLEM_LABELS_ZH.get(kind)
    return f"{chinese} {kind}" if chinese else kind


def sources_page(nav: Nav, sources: Sequence[SourceHealth], zone: str) -> str:
    """How every configured forum's boards are being read (``monitor sources status``), for everyone:
    a quiet week and a broken crawl must not look alike."""
    failing = sum(source.failing for source in sources)
    degraded = sum(source.degraded for source in sources)  # lists read, none of their thread pages
    stale = sum(source.stale for source in sources)  # nothing polls them: the crawl has stopped
    body = [nav.html(), "<h1>论坛 Forums</h1>"]
    if failing or degraded or stale:
        zh = [f"{failing} 个版块读取失败"] if failing else []
        zh += [f"{degraded} 个版块读不到帖子页"] if degraded else []
        zh += [f"{stale} 个版块最近没有抓取（抓取在运行吗？）"] if stale else []
        counts = [f"{failing} board(s) failing"] if failing else []
        counts += [f"{degraded} board(s) degraded (list read, no thread page)"] if degraded else []
        counts += [f"{stale} board(s) not polled lately (is the crawl running?)"] if stale else []
        body.append(
            f'<p class="problem" role="alert">{"，".join(zh)}：这些版块的帖子没有被读取，原因见下面的事件。 '
            f"{', '.join(counts)}: what they post is not being read. "
            "The events below say why (login wall, captcha, a page that stopped yielding posts …).</p>"
        )
    if not sources:
        body.append('<p class="muted">没有配置论坛（sources.yaml） No forums configured (sources.yaml).</p>')
    for source in sources:
        off = "" if source.enabled else ' <span class="muted">（已停用 disabled）</span>'
        where = f'<span class="muted">{h(source.key)} · {h(source.base_url)}</span>'
        body.append(f"<h2>{h(source.name)} {where}{off}</h2>")
        if source.resting_until is not None:
            body.append(
                f'<p class="problem">{when(source.resting_until, zone)} 之前暂停抓取 '
                f"Not asked anything before {when(source.resting_until, zone)}: {h(source.resting_cause)}</p>"
            )
        body.append('<table class="list">' + column_headings(*_BOARD_COLUMNS))
        body.extend(_board_row(board, zone) for board in source.boards)
        body.append("</table>")
        if source.events:
            headings = column_headings(words.WHEN, words.EVENT, words.PAGE, words.DETAIL)
            body.append('<table class="list muted">' + headings)
            for event in source.events:
                kept = f"（已保存原始页面 raw page kept: {h(event.kept_as)}）" if event.kept_as else ""
                seen, times = when(event.at, zone), ""
                if event.times > 1:  # an outage: first and last seen, and how often
                    seen += f" – {when(event.last_at or event.at, zone)}"
                    times = f" ×{event.times}"
                if event.pages > 1:
                    times += f"，{event.pages} 个页面 on {event.pages} pages"
                body.append(
                    f'<tr><td class="nw">{seen}</td><td>{h(_event(event.kind))}{times}</td>'
                    f"<td>{h(event.url)}</td><td>{h(event.detail[:300])}{kept}</td></tr>"
                )
            body.append("</table>")
    body.append(
        f'<p class="muted">{h(words.times_in(zone))} 终端里 From a terminal: '
        "<code>monitor sources status</code>.</p>"
    )
    return page_html("论坛 Forums · BBS crisis monitor", body, wide=True)


def _board_row(board: BoardHealth, zone: str) -> str:
    colour = _STATE_COLOURS.get(board.state, "#52606d")
    state = f'<span class="badge" style="background:{colour}">{h(state_label(board.state))}</span>'
    if board.state == "degraded" and board.degraded_since:
        state += f' <span class="muted nw">始于 since {when(board.degraded_since, zone)}</span>'
    if board.state == "stale" and board.last_polled_at:
        state += f' <span class="muted nw">上次抓取 last poll {when(board.last_polled_at, zone)}</span>'
    if board.state == "stale" and not board.stored:
        state += (
            ' <span class="muted">从未抓取：请启动或重启服务（启动时读取 sources.yaml） '
            "never polled: start or restart the service (it reads sources.yaml at start)</span>"
        )
    last_poll = "—"
    if board.stored:
        last_poll = (
            f"{board.last_threads_seen} 个帖子，{board.last_posts_new} 条新回帖 "
            f"{counted(board.last_threads_seen, 'thread', 'threads')}, "
            f"{counted(board.last_posts_new, 'new post', 'new posts')}"
        )
        if board.thread_pages_failed:
            tried = board.thread_pages_read + board.thread_pages_failed
            last_poll += f"；{tried} 个帖子页中 {board.thread_pages_failed} 个失败 "
            last_poll += f"{board.thread_pages_failed} of {tried} thread pages failed"
    if board.first_read_left:  # a first read cut short by a failed page (monitor/first_read_resume.py)
        last_poll += f'<br><span class="muted">{h(board.first_read_left)}</span>'
    return (
        f"<tr><td>{h(board.board_id)} {h(board.name)}</td><td>{state}</td>"
        f'<td class="nw">{when(board.last_success_at, zone)}</td><td>{board.consecutive_failures}</td>'
        f"<td>{last_poll}</td><td>{h(board.last_error[:300])}</td></tr>"
    )
