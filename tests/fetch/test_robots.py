"""robots.txt matching (fixture: tests/fixtures/discuz/robots.txt, Discuz! X3.5's own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.fetch.robots import RobotsTxt

DISCUZ = RobotsTxt.parse(
    (Path(__file__).resolve().parents[1] / "fixtures" / "discuz" / "robots.txt").read_text(encoding="utf-8")
)
BASE = "http://bbs.test"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/forum.php?mod=forumdisplay&fid=2", True),
        ("/forum.php?mod=viewthread&tid=2&page=3", True),
        ("/forum.php?mod=viewthread&action=printable&tid=2", True),
        ("/forum.php?mod=rss&fid=2", True),
        ("/archiver/?tid-2.html", True),
        ("/thread-2-1-1.html", True),
        ("/api/mobile/index.php?version=4&module=forumdisplay&fid=2", False),
        ("/search.php?mod=forum", False),
        ("/forum.php?mod=redirect&tid=2&goto=lastpost", False),
        ("/forum.php?mod=viewthread&tid=2&mobile=yes", False),  # wildcard rule /*mobile=yes*
        ("/home.php?mod=misc&ac=x", False),  # /*?mod=misc*
        ("/data/attachment/forum/1.jpg", True),  # Allow beats the shorter Disallow: /data/
        ("/data/backup.sql", False),
    ],
)
def test_discuz_default_robots(path: str, allowed: bool) -> None:
    assert DISCUZ.allows("bbs-crisis-monitor/0.1", BASE + path) is allowed


def test_agent_groups_end_of_pattern_and_empty_disallow() -> None:
    robots = RobotsTxt.parse(
        "User-agent: bbs-crisis-monitor\nDisallow: /private$\n\nUser-agent: *\nDisallow: /\n\n"
        "User-agent: friendly\nDisallow:\n"
    )
    assert robots.allows("bbs-crisis-monitor/0.1 (+https://x)", f"{BASE}/forum.php")
    assert not robots.allows("bbs-crisis-monitor/0.1", f"{BASE}/private")
    assert robots.allows("bbs-crisis-monitor/0.1", f"{BASE}/private/page")
    assert not robots.allows("SomeBot/1.0", f"{BASE}/forum.php")
    assert robots.allows("friendly/2", f"{BASE}/anything")
    assert not RobotsTxt.disallow_all().allows("x", f"{BASE}/")
    assert RobotsTxt.parse("").allows("x", f"{BASE}/")
