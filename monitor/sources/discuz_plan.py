"""Which of a Discuz! forum's formats a crawler reads, given its robots.txt.

Preference, for board lists: ``api`` > ``html`` > ``archiver``; for threads: ``api`` >
``html`` > ``printable`` > ``archiver``. The JSON API first (exact dates, counts on every
page, least bytes), the web pages next: Discuz!'s default robots.txt disallows ``/api/``,
so on most forums the web pages carry everything. The printable view and the archiver
come last because they lack post ids (posts get ``#<floor>`` stand-ins) and the archiver
lacks counts.

A :class:`FormatPlan` is itself a :class:`~monitor.sources.base.Source`: the crawler uses it
wherever it would use the adapter. RSS is never planned (no reply counts): it is a cheap
"what is new" probe the crawler may poll between board passes (``DiscuzSource.rss_url``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from monitor.errors import DisallowedByRobots
from monitor.sources.base import BoardPage, ThreadPage

if TYPE_CHECKING:
    from monitor.sources.discuz import DiscuzSource

logger = logging.getLogger(__name__)

BOARD_FORMATS = ("api", "html", "archiver")
THREAD_FORMATS = ("api", "html", "printable", "archiver")
# Probe ids: robots.txt rules are about paths and query shapes, not particular boards.
_PROBE_ID = "1"
# The formats last said per forum (base URL) in this process: the boards of a forum are planned
# side by side at the start of a pass, and each would say the same.
_said: dict[str, tuple[str, str]] = {}


@dataclass(frozen=True)
class FormatPlan:
    """Read boards in ``board_format`` and threads in ``thread_format`` of ``source``."""

    source: DiscuzSource
    board_format: str
    thread_format: str
    engine = "discuz"

    @property
    def posts_have_ids(self) -> bool:
        """False for formats whose posts carry ``#<floor>`` stand-ins instead of pids: never
        mix them with posts read in a format that has pids."""
        return self.thread_format in ("api", "html")

    @property
    def whole_thread_on_one_page(self) -> bool:
        """True for the printable view: fetch page 1 only, it holds every post."""
        return self.thread_format == "printable"

    def board_url(self, board_id: str, page: int = 1) -> str:
        return _board_urls(self.source)[self.board_format](board_id, page)

    def thread_url(self, thread_id: str, page: int = 1) -> str:
        return _thread_urls(self.source)[self.thread_format](thread_id, page)

    def parse_board(self, html: str, url: str, now: datetime) -> BoardPage:
        source = self.source
        parsers = {
            "api": source.parse_api_board,
            "html": source.parse_board,
            "archiver": source.parse_archiver_board,
        }
        return parsers[self.board_format](html, url, now)

    def parse_thread(self, html: str, url: str, now: datetime) -> ThreadPage:
        source = self.source
        parsers = {
            "api": source.parse_api_thread,
            "html": source.parse_thread,
            "printable": source.parse_printable,
            "archiver": source.parse_archiver_thread,
        }
        return parsers[self.thread_format](html, url, now)


def choose(
    source: DiscuzSource, robots_allows: Callable[[str], bool], exclude: Collection[str]
) -> FormatPlan:
    """See :meth:`DiscuzSource.plan`."""

    def allowed(url_of: Callable[[str, int], str]) -> bool:
        return all(robots_allows(url_of(_PROBE_ID, page)) for page in (1, 2))

    board_urls, thread_urls = _board_urls(source), _thread_urls(source)
    board = next((f for f in BOARD_FORMATS if f not in exclude and allowed(board_urls[f])), None)
    thread = next((f for f in THREAD_FORMATS if f not in exclude and allowed(thread_urls[f])), None)
    if board is None or thread is None:
        what = "board lists" if board is None else "threads"
        raise DisallowedByRobots(source.base_url, f"robots.txt allows no Discuz format for {what}")
    if _said.get(source.base_url) != (board, thread):  # once per forum, and again if it changes
        _said[source.base_url] = (board, thread)
        logger.info(
            "%s: reading board lists as %s, threads as %s (what robots.txt allows)",
            source.base_url,
            board,
            thread,
        )
    return FormatPlan(source, board, thread)


def _board_urls(source: DiscuzSource) -> dict[str, Callable[[str, int], str]]:
    return {"api": source.api_board_url, "html": source.board_url, "archiver": source.archiver_board_url}


def _thread_urls(source: DiscuzSource) -> dict[str, Callable[[str, int], str]]:
    return {
        "api": source.api_thread_url,
        "html": source.thread_url,
        "printable": source.printable_url,
        "archiver": source.archiver_thread_url,
    }
