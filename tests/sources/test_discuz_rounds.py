"""Three later snapshots of the same forum (2, 5 and 9 hours after the base capture), both
charsets: tid 2 grows 35 -> 47 -> 67 -> 95 replies and tid 31 appears in round 2. Every
format captured in a round parses exactly against that round's ground truth.

Fixtures: tests/fixtures/discuz/{utf8,gbk}/round{1,2,3}/ — the board list pages, the thread
pages that can hold new posts (a page not in a round is unchanged since the last capture
that has it), the printable view, the mobile API's board and last thread page, and RSS.
"""

from __future__ import annotations

import re

import pytest

CHARSETS = ["utf8", "gbk"]
ROUNDS = [1, 2, 3]
GROWTH = {0: 35, 1: 47, 2: 67, 3: 95}
CASES = [(charset, n) for charset in CHARSETS for n in ROUNDS]
THREAD_PAGE = re.compile(r"^viewthread_tid(\d+)_p(\d+)\.html$")


def folder(charset: str, round_number: int) -> str:
    return charset if round_number == 0 else f"{charset}/round{round_number}"


def latest_thread_pages(discuz, charset: str, round_number: int) -> dict[tuple[str, int], str]:
    """(tid, page) -> the path of the newest capture of that page up to this round."""
    pages: dict[tuple[str, int], str] = {}
    for n in range(round_number + 1):
        for path in sorted((discuz.root / folder(charset, n)).glob("viewthread_tid*_p*.html")):
            found = THREAD_PAGE.match(path.name)
            assert found
            pages[(found.group(1), int(found.group(2)))] = f"{folder(charset, n)}/{path.name}"
    return pages


def assert_post(discuz, post, want) -> None:
    assert (post.post_id, post.floor, post.author, post.author_id) == (
        str(want["pid"]),
        want["floor"],
        want["author"],
        str(want["authorid"]),
    )
    assert post.posted_at == discuz.utc(want["dateline"])
    assert discuz.squash(post.text).startswith(discuz.squash(want["first20_plain"])), post.text
    assert bool(post.quoted) == want["has_quote"]


@pytest.mark.parametrize(("charset", "round_number"), CASES)
def test_every_post_of_the_round_reads_exactly(discuz, charset: str, round_number: int) -> None:
    """Reads the newest capture of each page of tids 2 and 31 up to <charset>/round<N>/."""
    here = folder(charset, round_number)
    source = discuz.source(here)
    pages = latest_thread_pages(discuz, charset, round_number)
    for tid in ("2", "31"):
        if round_number < 2 and tid == "31":
            continue
        truth = discuz.thread(here, tid)
        seen = []
        for page in range(1, truth["pages"] + 1):
            path = pages[(tid, page)]
            html, now = discuz.page(path)
            thread = source.parse_thread(html, source.thread_url(tid, page), now)
            assert (thread.thread_id, thread.title, thread.page) == (tid, truth["subject"], page)
            if path.startswith(here + "/"):  # captured in this round: the pager is this round's
                assert thread.page_count == truth["pages"]
            seen += thread.posts
        assert len(seen) == truth["replies"] + 1
        for post, want in zip(seen, truth["posts"], strict=True):
            assert_post(discuz, post, want)


@pytest.mark.parametrize(("charset", "round_number"), CASES)
def test_board_list_shows_growth_and_the_new_thread(discuz, charset: str, round_number: int) -> None:
    """Reads <charset>/round<N>/forumdisplay_fid2_p1.html and _p2.html."""
    here = folder(charset, round_number)
    source = discuz.source(here)
    rows = {}
    for page in (1, 2):
        html, now = discuz.page(f"{here}/forumdisplay_fid2_p{page}.html")
        board = source.parse_board(html, source.board_url("2", page), now)
        assert (board.board_id, board.page, board.page_count) == ("2", page, 2)
        rows.update({row.thread_id: row for row in board.threads})
    assert rows["2"].replies == GROWTH[round_number]
    assert ("31" in rows) == (round_number >= 2)
    assert len(rows) == 21 + (round_number >= 2)
    for tid in ("2", "31") if round_number >= 2 else ("2",):
        truth = discuz.thread(here, tid)
        row = rows[tid]
        assert (row.title, row.author, row.author_id) == (
            truth["subject"],
            truth["author"],
            str(truth["authorid"]),
        )
        assert (row.replies, row.sticky) == (truth["replies"], truth["sticky"])
        assert row.last_post_at == discuz.utc(truth["lastpost"]).replace(second=0)
    for tid, row in rows.items():  # the other threads did not change since the base capture
        if tid not in ("2", "31"):
            base = discuz.thread(charset, tid)
            assert (row.title, row.replies) == (base["subject"], base["replies"])


@pytest.mark.parametrize(("charset", "round_number"), CASES)
def test_printable_view_of_the_round(discuz, charset: str, round_number: int) -> None:
    """Reads <charset>/round<N>/printable_tid2.html: every post, dates to the minute."""
    here = folder(charset, round_number)
    source = discuz.source(here)
    html, now = discuz.page(f"{here}/printable_tid2.html")
    thread = source.parse_printable(html, source.printable_url("2"), now)
    truth = discuz.thread(here, "2")
    assert thread.replies == truth["replies"] == GROWTH[round_number]
    for post, want in zip(thread.posts, truth["posts"], strict=True):
        assert (post.floor, post.author) == (want["floor"], want["author"])
        assert post.posted_at == discuz.utc(want["dateline"]).replace(second=0)
        assert discuz.squash(post.text).startswith(discuz.squash(want["first20_plain"]))
        assert bool(post.quoted) == want["has_quote"]


@pytest.mark.parametrize(("charset", "round_number"), CASES)
def test_api_of_the_round(discuz, charset: str, round_number: int) -> None:
    """Reads <charset>/round<N>/mobileapi_forumdisplay_fid2.json and mobileapi_viewthread_tid2_last.json."""
    here = folder(charset, round_number)
    source = discuz.source(here)
    truth = discuz.thread(here, "2")
    html, now = discuz.page(f"{here}/mobileapi_forumdisplay_fid2.json")
    rows = {r.thread_id: r for r in source.parse_api_board(html, source.api_board_url("2"), now).threads}
    assert rows["2"].replies == GROWTH[round_number]
    assert rows["2"].last_post_at == discuz.utc(truth["lastpost"])
    assert ("31" in rows) == (round_number >= 2)
    html, now = discuz.page(f"{here}/mobileapi_viewthread_tid2_last.json")
    last = truth["pages"]
    thread = source.parse_api_thread(html, source.api_thread_url("2", last), now)
    assert (thread.page, thread.page_count, thread.replies) == (last, last, truth["replies"])
    expected = [p for p in truth["posts"] if p["page"] == last]
    assert len(thread.posts) == len(expected)
    for post, want in zip(thread.posts, expected, strict=True):
        assert_post(discuz, post, want)


@pytest.mark.parametrize(("charset", "round_number"), CASES)
def test_rss_of_the_round(discuz, charset: str, round_number: int) -> None:
    """Reads <charset>/round<N>/rss_fid2_firsthit.xml (cold cache) and rss_fid2.xml."""
    here = folder(charset, round_number)
    source = discuz.source(here)
    html, now = discuz.page(f"{here}/rss_fid2_firsthit.xml")
    cold = source.parse_rss(html, source.rss_url("2"), now)
    assert cold.provisional and cold.threads == []
    html, now = discuz.page(f"{here}/rss_fid2.xml")
    warm = source.parse_rss(html, source.rss_url("2"), now)
    assert not warm.provisional and len(warm.threads) == 20
    tids = [row.thread_id for row in warm.threads]
    assert ("31" in tids) == (round_number >= 2)
    if round_number >= 2:
        truth = discuz.thread(here, "31")
        row = warm.threads[tids.index("31")]
        assert (row.title, row.author, row.created_at) == (
            truth["subject"],
            truth["author"],
            discuz.utc(truth["dateline"]),
        )
