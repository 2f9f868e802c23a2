"""DiscuzSource.plan: which formats to crawl given robots.txt, and the plan used as a Source.

Fixtures: tests/fixtures/discuz/robots.txt (the file Discuz! X3.5 ships), utf8/ pages.
"""

from __future__ import annotations

import pytest

from monitor.errors import DisallowedByRobots
from monitor.fetch.robots import RobotsTxt
from monitor.sources.base import Source
from monitor.sources.discuz import DiscuzSource

SOURCE = DiscuzSource("http://127.0.0.1:8081/")
AGENT = "bbs-crisis-monitor/0.1"


def allows(robots_txt: str):
    robots = RobotsTxt.parse(robots_txt)
    return lambda url: robots.allows(AGENT, url)


def test_default_discuz_robots_txt_means_html(discuz) -> None:
    """Discuz!'s own robots.txt disallows /api/: boards and threads come from the web pages."""
    robots = (discuz.root / "robots.txt").read_text(encoding="utf-8")
    plan = SOURCE.plan(allows(robots))
    assert (plan.board_format, plan.thread_format) == ("html", "html")
    assert plan.posts_have_ids and not plan.whole_thread_on_one_page
    assert plan.board_url("2") == SOURCE.board_url("2")
    assert plan.thread_url("2", 3) == SOURCE.thread_url("2", 3)


def test_api_preferred_where_robots_allow_it() -> None:
    plan = SOURCE.plan(lambda url: True)
    assert (plan.board_format, plan.thread_format) == ("api", "api")
    assert plan.board_url("2", 2) == SOURCE.api_board_url("2", 2)
    assert plan.thread_url("4") == SOURCE.api_thread_url("4")


def test_excluded_format_is_skipped() -> None:
    """A forum whose mobile plugin is off: the crawler re-plans without the API."""
    plan = SOURCE.plan(lambda url: True, exclude={"api"})
    assert (plan.board_format, plan.thread_format) == ("html", "html")


def test_fallbacks_when_forum_php_is_disallowed() -> None:
    robots = (
        "User-agent: *\nDisallow: /api/\n"
        "Disallow: /forum.php?mod=viewthread&tid=\nDisallow: /forum.php?mod=forumdisplay\n"
    )
    plan = SOURCE.plan(allows(robots))
    assert (plan.board_format, plan.thread_format) == ("archiver", "printable")
    assert plan.whole_thread_on_one_page and not plan.posts_have_ids
    robots += "Disallow: /forum.php\n"
    plan = SOURCE.plan(allows(robots))
    assert (plan.board_format, plan.thread_format) == ("archiver", "archiver")
    assert plan.thread_url("2", 2) == "http://127.0.0.1:8081/archiver/?tid-2.html&page=2"


def test_nothing_allowed_is_an_error() -> None:
    with pytest.raises(DisallowedByRobots, match="board lists"):
        SOURCE.plan(lambda url: False)


@pytest.mark.parametrize(
    ("allowed", "board_page", "thread_page", "tid"),
    [
        (
            lambda url: True,
            "utf8/mobileapi_forumdisplay_fid2.json",
            "utf8/mobileapi_viewthread_tid4.json",
            "4",
        ),
        (
            lambda url: "/api/" not in url,
            "utf8/forumdisplay_fid2_p1.html",
            "utf8/viewthread_tid4_p1.html",
            "4",
        ),
        (
            lambda url: "/api/" not in url and "mod=viewthread&tid" not in url and "forumdisplay" not in url,
            "utf8/archiver_fid-2.html",
            "utf8/printable_tid4.html",
            "4",
        ),
    ],
)
def test_plan_is_a_source_reading_its_formats(
    discuz, allowed, board_page: str, thread_page: str, tid: str
) -> None:
    """Reads the page of each planned format through the plan's parse_board/parse_thread."""
    plan: Source = SOURCE.plan(allowed)
    assert plan.engine == "discuz"
    html, now = discuz.page(board_page)
    board = plan.parse_board(html, plan.board_url("2"), now)
    assert board.board_id == "2" and len(board.threads) == 20
    html, now = discuz.page(thread_page)
    thread = plan.parse_thread(html, plan.thread_url(tid), now)
    assert thread.thread_id == tid and len(thread.posts) == 7
