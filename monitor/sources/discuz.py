"""Discuz! X (X2.5-X3.5) adapter: every format a Discuz! forum serves to a guest.

=============  =====================================================  =================================
format         URL (``base_url`` + …)                                 module
=============  =====================================================  =================================
html           ``forum.php?mod=forumdisplay&fid=N&page=P``,           :mod:`.discuz_html`
               ``forum.php?mod=viewthread&tid=T&page=P``
               (rewritten ``forum-N-P.html``/``thread-T-P-1.html``
               read the same)
printable      ``forum.php?mod=viewthread&action=printable&tid=T``    :mod:`.discuz_printable`
api            ``api/mobile/index.php?version=4&module=forumdisplay`` :mod:`.discuz_api`
               ``…&module=viewthread`` (JSON)
rss            ``forum.php?mod=rss[&fid=N]``                          :mod:`.discuz_rss`
archiver       ``archiver/?fid-N.html``, ``archiver/?tid-T.html``     :mod:`.discuz_archiver`
=============  =====================================================  =================================

Each ``parse_*`` takes the decoded page, its URL and ``now`` (the response's ``Date``: the
server renders ``3 小时前`` from its own clock) and returns the same value objects;
:class:`ParseError` when the page is not what that parser reads (a ``提示信息`` message
page — login wall, deleted thread — included). Which fields each format lacks is listed in
its module and in ``missing`` on the records. :meth:`DiscuzSource.plan` picks the formats a
crawler should use given robots.txt.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from zoneinfo import ZoneInfo

from monitor.sources import discuz_api, discuz_archiver, discuz_html, discuz_printable, discuz_rss
from monitor.sources.base import BoardPage, ThreadPage
from monitor.sources.discuz_plan import FormatPlan, choose


class DiscuzSource:
    """A Discuz! X forum at ``base_url`` (its root, where ``forum.php`` lives).

    ``posts_per_page`` is the forum's ``ppp`` setting (Discuz! default 10): the archiver
    needs it to number floors.
    """

    engine = "discuz"

    def __init__(self, base_url: str, timezone: str = "Asia/Shanghai", posts_per_page: int = 10) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.tz = ZoneInfo(timezone)
        self.posts_per_page = posts_per_page

    # ------------------------------------------------------------ html (the Source protocol)

    def board_url(self, board_id: str, page: int = 1) -> str:
        return f"{self.base_url}forum.php?mod=forumdisplay&fid={board_id}&page={page}"

    def thread_url(self, thread_id: str, page: int = 1) -> str:
        return f"{self.base_url}forum.php?mod=viewthread&tid={thread_id}&page={page}"

    def parse_board(self, html: str, url: str, now: datetime) -> BoardPage:
        return discuz_html.parse_forumdisplay(html, url, now, self.tz, self._listed_thread_url)

    def parse_thread(self, html: str, url: str, now: datetime) -> ThreadPage:
        return discuz_html.parse_viewthread(html, url, now, self.tz)

    # ------------------------------------------------------------ printable view

    def printable_url(self, thread_id: str, page: int = 1) -> str:
        """The whole thread on one page (``page`` is accepted for symmetry and ignored)."""
        return f"{self.base_url}forum.php?mod=viewthread&action=printable&tid={thread_id}"

    def parse_printable(self, html: str, url: str, now: datetime) -> ThreadPage:
        return discuz_printable.parse_printable(html, url, now, self.tz)

    # ------------------------------------------------------------ mobile JSON API v4

    def api_board_url(self, board_id: str, page: int = 1) -> str:
        return f"{self.base_url}api/mobile/index.php?version=4&module=forumdisplay&fid={board_id}&page={page}"

    def api_thread_url(self, thread_id: str, page: int = 1) -> str:
        return f"{self.base_url}api/mobile/index.php?version=4&module=viewthread&tid={thread_id}&page={page}"

    def parse_api_board(self, text: str, url: str, now: datetime) -> BoardPage:
        return discuz_api.parse_api_board(text, url, now, self.tz, self._listed_thread_url)

    def parse_api_thread(self, text: str, url: str, now: datetime) -> ThreadPage:
        return discuz_api.parse_api_thread(text, url, now, self.tz)

    # ------------------------------------------------------------ RSS

    def rss_url(self, board_id: str | None = None) -> str:
        """The board's feed, or with no board the whole forum's."""
        suffix = f"&fid={board_id}" if board_id else ""
        return f"{self.base_url}forum.php?mod=rss{suffix}"

    def parse_rss(self, xml: str, url: str, now: datetime) -> BoardPage:
        return discuz_rss.parse_rss(xml, url, now, self.tz, self._listed_thread_url)

    # ------------------------------------------------------------ archiver

    def archiver_board_url(self, board_id: str, page: int = 1) -> str:
        suffix = f"&page={page}" if page > 1 else ""
        return f"{self.base_url}archiver/?fid-{board_id}.html{suffix}"

    def archiver_thread_url(self, thread_id: str, page: int = 1) -> str:
        suffix = f"&page={page}" if page > 1 else ""
        return f"{self.base_url}archiver/?tid-{thread_id}.html{suffix}"

    def parse_archiver_board(self, html: str, url: str, now: datetime) -> BoardPage:
        return discuz_archiver.parse_archiver_board(html, url, now, self.tz, self._listed_thread_url)

    def parse_archiver_thread(self, html: str, url: str, now: datetime) -> ThreadPage:
        return discuz_archiver.parse_archiver_thread(html, url, now, self.tz, self.posts_per_page)

    # ------------------------------------------------------------ choosing

    def plan(self, robots_allows: Callable[[str], bool], exclude: Collection[str] = ()) -> FormatPlan:
        """The formats to crawl this forum in: the JSON API where robots.txt allows it, else the
        web pages, else (threads) the printable view, else the archiver. ``exclude`` names
        formats found not to work on this forum (e.g. ``{"api"}`` when its mobile plugin is
        off). Raises :class:`~monitor.errors.DisallowedByRobots` when no format is allowed."""
        return choose(self, robots_allows, exclude)

    def _listed_thread_url(self, thread_id: str) -> str:
        return self.thread_url(thread_id)
