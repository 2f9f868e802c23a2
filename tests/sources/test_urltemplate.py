"""URL templates: filled in, and read back out of URLs (phpBB's start offsets, rewritten paths)."""

from __future__ import annotations

import pytest

from monitor.sources import urltemplate

BASE = "https://bbs.example.org/forum/"


def test_fill() -> None:
    assert urltemplate.fill(
        "viewtopic.php?t={thread}&start={start}", BASE, per_page=10, page=3, thread="5"
    ) == (BASE + "viewtopic.php?t=5&start=20")
    assert (
        urltemplate.fill("forum-{board}-{page}.html", BASE, per_page=20, page=2, board="7")
        == BASE + "forum-7-2.html"
    )
    assert urltemplate.fill("/abs/{thread}", BASE, per_page=1, thread="x") == "https://bbs.example.org/abs/x"


@pytest.mark.parametrize(
    ("template", "url", "values"),
    [
        ("viewtopic.php?t={thread}&start={start}", BASE + "viewtopic.php?t=5", {"thread": "5"}),
        (
            "viewtopic.php?t={thread}&start={start}",
            BASE + "viewtopic.php?t=5&start=20#p7",
            {"thread": "5", "start": "20", "page": "3"},
        ),
        ("viewtopic.php?t={thread}&start={start}", BASE + "viewtopic.php?f=1&t=5", {}),
        ("forum-{board}-{page}.html", BASE + "forum-2-3.html", {"board": "2", "page": "3"}),
        ("t/{thread}.rss", BASE + "t/123.rss", {"thread": "123"}),
        ("t/{thread}.rss", "https://other.example/t/123.rss", {}),
    ],
)
def test_extract(template: str, url: str, values: dict[str, str]) -> None:
    assert urltemplate.extract(template, BASE, url, per_page=10) == values


def test_unknown_placeholder() -> None:
    with pytest.raises(ValueError, match="unknown placeholder"):
        urltemplate.check("viewtopic.php?topic={topic}")
