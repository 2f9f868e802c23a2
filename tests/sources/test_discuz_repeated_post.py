"""A thread page that repeats a post block (the same ``<div id="post_N">`` twice, as a broken
template or a proxy gluing chunks together serves it) is read as if the block were there once.

Real captured pages (tests/fixtures/discuz/{utf8,gbk}/viewthread_*.html) with one block
doubled; what is read must match the page as captured and the database ground truth.
"""

from __future__ import annotations

import re

import pytest

PAGES = [
    f"{charset}/viewthread_tid{tid}_p{page}.html"
    for charset in ("utf8", "gbk")
    for tid, page in ((2, 1), (2, 2), (2, 4), (4, 1), (27, 1), (30, 1))
]
_POST_START = re.compile(r'<div id="post_(\d+)"')


def _doubled(html: str, index: int) -> tuple[str, str]:
    """``html`` with the ``index``-th post block written twice in a row, and that post's id."""
    starts = list(_POST_START.finditer(html))
    assert len(starts) > index + 1, "a block followed by another"
    begin, end = starts[index].start(), starts[index + 1].start()
    return html[:end] + html[begin:end] + html[end:], starts[index].group(1)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("which", ["first", "last but one"])
def test_repeated_post_block_is_read_once(discuz, path: str, which: str) -> None:
    html, now = discuz.page(path)
    source = discuz.source(path)
    tid = re.search(r"tid(\d+)", path)
    assert tid is not None
    url = source.thread_url(tid.group(1))
    expected = source.parse_thread(html, url, now)
    if len(expected.posts) < 2:
        pytest.skip("one post on the page: no block is followed by another")
    index = 0 if which == "first" else len(expected.posts) - 2
    doubled, pid = _doubled(html, index)
    assert doubled.count(f'id="authorposton{pid}"') == 2

    page = source.parse_thread(doubled, url, now)

    assert page == expected
    folder = path.split("/")[0]
    truth = discuz.thread(folder, expected.thread_id)
    if "posts" in truth:  # ground truth keeps posts for some threads only
        by_pid = {str(p["pid"]): p for p in truth["posts"]}
        assert [(p.post_id, p.floor, p.author, p.posted_at) for p in page.posts] == [
            (
                p.post_id,
                by_pid[p.post_id]["floor"],
                by_pid[p.post_id]["author"],
                discuz.utc(by_pid[p.post_id]["dateline"]),
            )
            for p in page.posts
        ]
