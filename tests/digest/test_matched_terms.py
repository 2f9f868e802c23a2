"""The "matched by" line counts every term a thread matched its watch group by, not only the one the
store recorded when the thread first matched (monitor.digest.matched_terms), read from a real store
(the ``db_url`` backends) seeded like test_figures.py.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker
from test_figures import END, NEGATIVE_BELOW, PERIOD, SEEN, SOURCE
from test_figures import sessions as sessions  # the fixture: a store on each backend

from monitor.config.files import WatchGroupConfig
from monitor.digest.figures import week_figures
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.models import Post, Thread, WatchGroupRow, WatchMatch

BRAND = WatchGroupConfig.model_validate(
    {
        "name": "星耀品牌",
        "include": ["星耀", "星耀Pro14", "星耀X", "星耀手表", "星耀耳机", "星耀平板", "星耀音箱"],
        "aliases": ["XingYao"],
        "exclude": ["星耀段位"],
    }
)
WEEK = END - timedelta(days=3)


def _watched(session: Session, external_id: str, title: str, posts: list[str], recorded: str) -> None:
    """A thread matched to the brand by ``recorded``, its posts (floors 1, 2 ...) in the week."""
    source = repo.ensure_source(session, SOURCE)
    board = repo.ensure_board(session, source, "2", "投诉维权")
    summary = ThreadSummary(
        external_id, title, "楼主", None, len(posts), 0, False, f"http://127.0.0.1:1/{external_id}"
    )
    thread, _ = repo.upsert_thread(session, source, board, summary, SEEN)
    records = [
        PostRecord(f"{external_id}-{floor}", floor, "网友", None, WEEK, text)
        for floor, text in enumerate(posts, 1)
    ]
    for row in repo.save_posts(session, thread, records, SEEN):
        row.sentiment = 0.1
    group = session.query(WatchGroupRow).filter_by(name=BRAND.name).one_or_none()
    if group is None:
        group = WatchGroupRow(name=BRAND.name)
        session.add(group)
        session.flush()
    session.add(WatchMatch(watch_group_id=group.id, thread_id=thread.id, term=recorded, matched_at=SEEN))


def _terms(sessions: sessionmaker[Session], groups: list[WatchGroupConfig]) -> tuple[tuple[str, int], ...]:
    with sessions() as session:
        figures = week_figures(session, PERIOD, negative_below=NEGATIVE_BELOW, watch_groups=groups)
    return next(group.terms for group in figures.groups if group.watch_group == BRAND.name)


def test_every_term_a_thread_matched_counts_not_only_the_recorded_one(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        # recorded by its title's 星耀Pro14; the replies name 星耀X and the alias, and 星耀 twice:
        # once inside 星耀段位 (excluded) and once inside 星耀Pro14 (not on its own) -- neither counts
        replies = ["开机黑屏", "我的星耀X也是", "XingYao 客服不理", "星耀段位"]
        _watched(session, "50", "星耀Pro14 黑屏", replies, "星耀Pro14")
        _watched(session, "51", "星耀 售后太慢", ["星耀X 也一样"], "星耀")
    assert _terms(sessions, [BRAND]) == (("星耀X", 2), ("XingYao", 1), ("星耀", 1), ("星耀Pro14", 1))
    # without the configured groups (or for a group no longer configured): the recorded terms only
    assert _terms(sessions, []) == (("星耀", 1), ("星耀Pro14", 1))


def test_one_thread_naming_every_term_adds_at_most_a_few(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        names = " ".join(["星耀手表", "星耀耳机", "星耀平板", "星耀音箱", "星耀X", "XingYao", "星耀 再说"])
        _watched(session, "52", "星耀Pro14 全家桶", [names], "星耀Pro14")
    terms = _terms(sessions, [BRAND])
    assert len(terms) == 5  # matched_terms.TERMS_PER_THREAD
    # the recorded term, then the first others in the group's order (include terms, then aliases):
    # 星耀平板, 星耀音箱 and the alias are left out (the line itself lists them by threads, then name)
    assert [term for term, _ in terms] == ["星耀", "星耀Pro14", "星耀X", "星耀手表", "星耀耳机"]


def test_a_post_after_the_week_does_not_add_a_term(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _watched(session, "53", "星耀Pro14 黑屏", ["开机黑屏", "星耀X 也是"], "星耀Pro14")
        thread = session.query(Thread).filter_by(external_id="53").one()
        later = session.query(Post).filter_by(thread_id=thread.id, floor=2).one()
        later.posted_at = END + timedelta(hours=1)  # next week's reply
    assert _terms(sessions, [BRAND]) == (("星耀Pro14", 1),)
