"""forum_address: the forum root (and board) from the URLs people paste into `monitor sources add`."""

from __future__ import annotations

import pytest

from monitor.sources.discuz_address import ForumAddress, forum_address


@pytest.mark.parametrize(
    ("url", "root", "board"),
    [
        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/", None),
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081/", None),
        ("  https://bbs.example.com/forum.php  ", "https://bbs.example.com/", None),
        ("http://127.0.0.1:8081/forum.php?mod=forumdisplay&fid=2", "http://127.0.0.1:8081/", "2"),
        ("http://127.0.0.1:8081/forum.php?mod=forumdisplay&fid=2&page=3#top", "http://127.0.0.1:8081/", "2"),
        ("http://127.0.0.1:8081/forum-2-1.html", "http://127.0.0.1:8081/", "2"),
        (
            "http://127.0.0.1:8081/forum.php?mod=viewthread&tid=7&extra=page%3D1",
            "http://127.0.0.1:8081/",
            None,
        ),
        ("http://127.0.0.1:8081/thread-7-1-1.html", "http://127.0.0.1:8081/", None),
        ("http://127.0.0.1:8081/forum.php?gid=1", "http://127.0.0.1:8081/", None),  # a category, not a board
        ("https://example.com/bbs/forum.php?mod=forumdisplay&fid=36", "https://example.com/bbs/", "36"),
        ("https://example.com/bbs/forum-36-2.html", "https://example.com/bbs/", "36"),
        ("https://example.com/bbs/index.php", "https://example.com/bbs/", None),
        ("https://example.com/bbs", "https://example.com/bbs/", None),
        ("https://example.com/bbs/archiver/?fid-36.html&page=2", "https://example.com/bbs/", "36"),
        ("https://example.com/bbs/archiver/", "https://example.com/bbs/", None),
        (
            "https://example.com/api/mobile/index.php?version=4&module=forumdisplay&fid=5",
            "https://example.com/",
            "5",
        ),
        ("HTTP://Example.com/Forum.PHP", "http://Example.com/", None),
    ],
)
def test_the_forum_root_and_board_of_a_url(url: str, root: str, board: str | None) -> None:
    assert forum_address(url) == ForumAddress(root, board)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "127.0.0.1:8081",
            "missing an 'http://' or 'https://' at the start (did you mean http://127.0.0.1:8081/ ?)",
        ),
        (
            "bbs.example.com/forum.php?mod=forumdisplay&fid=2",
            "missing an 'http://' or 'https://' at the start (did you mean http://bbs.example.com/ ?)",
        ),
        ("not a url", "missing an 'http://' or 'https://' at the start"),
        ("ftp://bbs.example.com/", "ftp:// is not a web address: use http:// or https://"),
        ("http:///forum.php", "no host name"),
    ],
)
def test_what_is_wrong_with_a_url(url: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        forum_address(url)
    assert str(raised.value) == message
