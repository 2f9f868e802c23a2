"""A week's digest figures read from the store, on SQLite and PostgreSQL (fixture: db_url).

The seeded week is Monday 2026-11-30 to Sunday 2026-12-06 on the Asia/Shanghai clock, i.e.
[2026-11-29 16:00, 2026-12-06 16:00) UTC; every expected value below is counted by hand from
``_seed``'s table of posts and alerts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.config.files import SourceConfig
from monitor.detect.severity import Severity
from monitor.digest.figures import build_digest, week_figures
from monitor.digest.model import (
    AlertReview,
    CategoryCount,
    DaySentiment,
    DigestPeriod,
    GroupVolume,
    TopThread,
    WeekFigures,
)
from monitor.digest.said import Said
from monitor.sources.base import PostRecord, ThreadSummary
from monitor.store import repo
from monitor.store.db import ensure_schema, make_engine, session_factory
from monitor.store.models import (
    Alert,
    AlertEvent,
    AlertThread,
    Board,
    ChecklistItem,
    SourceRow,
    Thread,
    WatchGroupRow,
    WatchMatch,
)

ZONE = "Asia/Shanghai"
START = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # Monday 2026-11-30 00:00 in Shanghai
END = datetime(2026, 12, 6, 16, 0, tzinfo=UTC)  # Monday 2026-12-07 00:00 in Shanghai
PERIOD = DigestPeriod(START, END, ZONE)
SEEN = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # the digest is made Monday 09:00 Shanghai
NEGATIVE_BELOW = 0.4
PEOPLE = {"zhang": "张经理"}
SECOND = timedelta(seconds=1)
SOURCE = SourceConfig.model_validate(
    {
        "key": "bbs",
        "name": "BBS 论坛",
        "engine": "discuz",
        "base_url": "http://127.0.0.1:1/",
        "boards": ["2", "7"],
    }
)
TRAVEL, SERVICE, RIVAL = "途乐旅行", "途乐客服", "竞品"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    ensure_schema(engine, auto_migrate=True)
    yield session_factory(engine)
    engine.dispose()


def _thread(
    session: Session,
    source: SourceRow,
    board: Board,
    external_id: str,
    replies: int,
    category: str | None,
    posts: list[tuple[datetime, float | None]],
    first_floor: int = 1,
) -> Thread:
    """A thread whose posts are floors 1, 2, ... (from ``first_floor``) at the given times, with the
    given sentiment."""
    summary = ThreadSummary(
        thread_id=external_id,
        title=f"帖子 {external_id}",
        author="楼主",
        author_id=None,
        replies=replies,
        views=0,
        sticky=False,
        url=f"http://127.0.0.1:1/thread-{external_id}",
    )
    thread, _ = repo.upsert_thread(session, source, board, summary, SEEN)
    thread.category = category
    records = [
        PostRecord(f"{external_id}-{floor}", floor, f"user{floor}", None, at, f"第{floor}楼")
        for floor, (at, _) in enumerate(posts, first_floor)
    ]
    for row, (_, sentiment) in zip(repo.save_posts(session, thread, records, SEEN), posts, strict=True):
        row.sentiment = sentiment
    session.flush()
    return thread


def _alert(
    session: Session,
    thread: Thread,
    severity: Severity,
    opened: datetime,
    *,
    spokesperson: str = "zhang",
    acknowledged: datetime | None = None,
    contacted: datetime | None = None,
    resolved: datetime | None = None,
) -> Alert:
    alert = Alert(
        thread_id=thread.id,
        watch_group=TRAVEL,
        severity=severity.value,
        status="resolved" if resolved else "acknowledged" if acknowledged else "open",
        spokesperson=spokesperson,
        playbook="default",
        opened_at=opened,
        updated_at=opened,
        respond_by=opened + severity.first_contact,
        acknowledged_at=acknowledged,
        contacted_at=contacted,
        resolved_at=resolved,
    )
    session.add(alert)
    session.flush()
    return alert


def _seed(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Threads t1..t5 watched, u unwatched; alerts a1..a5. Returns their ids by name."""
    with sessions.begin() as session:
        source = repo.ensure_source(session, SOURCE)
        complaints = repo.ensure_board(session, source, "2", "投诉维权")
        nameless = repo.ensure_board(session, source, "7", "")
        # t1 in two watch groups; opens on the period's first instant; its 5th post is on the end (outside).
        t1 = _thread(
            session,
            source,
            complaints,
            "1",
            10,
            "service",
            [
                (START, 0.1),  # Shanghai 11-30 00:00
                (_utc("2026-11-30 15:59"), 0.2),  # Shanghai 11-30 23:59
                (_utc("2026-11-30 16:00"), 0.9),  # Shanghai 12-01 00:00
                (END - SECOND, None),  # Shanghai 12-06 23:59:59, unscored
                (END, 0.1),  # next week
            ],
        )
        # t2 opened a second before the period (last week); one post exactly at the threshold (not negative).
        t2 = _thread(
            session,
            source,
            nameless,
            "2",
            40,
            None,
            [
                (START - SECOND, 0.9),
                (_utc("2026-12-02 04:00"), 0.3),
                (_utc("2026-12-02 05:00"), NEGATIVE_BELOW),
                (_utc("2026-12-03 01:00"), None),
                (_utc("2026-12-03 02:00"), 0.8),
            ],
        )
        t3 = _thread(
            session,
            source,
            complaints,
            "3",
            5,
            "product",
            [
                (_utc("2026-12-04 03:00"), 0.05),
                (_utc("2026-12-04 04:00"), 0.05),
                (_utc("2026-12-04 05:00"), 0.6),
            ],
        )
        # t4: same posts and replies as t3 (a tie broken by id); opened last week; nothing scored this week.
        t4 = _thread(
            session,
            source,
            complaints,
            "4",
            5,
            "service",
            [
                (_utc("2026-11-25 08:00"), 0.1),
                (_utc("2026-12-03 06:00"), None),
                (_utc("2026-12-03 07:00"), None),
                (_utc("2026-12-03 08:00"), None),
            ],
        )
        t5 = _thread(
            session,
            source,
            complaints,
            "5",
            1,
            "dealer",
            [(_utc("2026-11-26 08:00"), 0.2), (_utc("2026-11-26 09:00"), 0.7)],
        )
        # u: busier than any, all negative, on a day nothing watched was said — but nobody watches it.
        u = _thread(
            session,
            source,
            complaints,
            "9",
            99,
            "policy",
            [(_utc("2026-12-05 02:00") + n * SECOND, 0.1) for n in range(10)],
        )
        groups = {name: WatchGroupRow(name=name) for name in (TRAVEL, SERVICE, RIVAL)}
        session.add_all(groups.values())
        session.flush()
        for thread, name in [
            (t1, TRAVEL),
            (t1, SERVICE),
            (t2, TRAVEL),
            (t3, SERVICE),
            (t4, SERVICE),
            (t5, RIVAL),
        ]:
            session.add(
                WatchMatch(watch_group_id=groups[name].id, thread_id=thread.id, term="途乐", matched_at=SEEN)
            )
        a1 = _alert(
            session,
            t2,
            Severity.VERY_URGENT,
            _utc("2026-12-01 02:00"),
            acknowledged=_utc("2026-12-01 02:18"),
            contacted=_utc("2026-12-01 05:00"),
        )
        a2 = _alert(
            session,
            t3,
            Severity.URGENT,
            _utc("2026-11-27 00:00"),
            spokesperson="li",  # no longer configured: shown by key
            acknowledged=_utc("2026-11-27 00:42"),
            contacted=_utc("2026-11-27 10:00"),  # 10 h: late for urgent (8 h)
            resolved=_utc("2026-11-30 00:00"),
        )
        a3 = _alert(session, t4, Severity.GENERAL, _utc("2026-11-20 00:00"), resolved=START - 60 * SECOND)
        a4 = _alert(session, t5, Severity.URGENT, END - SECOND)
        a5 = _alert(session, u, Severity.GENERAL, END)
        session.add_all(
            [
                AlertThread(alert_id=a1.id, thread_id=t2.id, role="origin", linked_at=a1.opened_at),
                AlertThread(alert_id=a1.id, thread_id=t1.id, role="spread", linked_at=a1.opened_at),
                AlertThread(alert_id=a4.id, thread_id=t3.id, role="spread", linked_at=a4.opened_at),
            ]
        )
        session.add_all(
            ChecklistItem(
                alert_id=a1.id,
                position=n,
                title=f"step {n}",
                severity="very_urgent",
                done_at=_utc("2026-12-01 03:00") if n == 1 else None,
            )
            for n in (1, 2, 3)
        )
        session.add_all(  # progress notes: two in the week, one the day before it (not counted)
            AlertEvent(alert_id=a1.id, at=at, kind="note", actor="zhang", detail="已致电客户")
            for at in (_utc("2026-12-01 08:00"), _utc("2026-12-02 08:00"), START - SECOND)
        )
        threads = {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5, "u": u}
        alerts = {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "a5": a5}
        ids = {name: row.id for name, row in threads.items()}
        return ids | {name: row.id for name, row in alerts.items()}


def _figures(sessions: sessionmaker[Session], period: DigestPeriod = PERIOD, top: int = 10) -> WeekFigures:
    with sessions() as session:
        return week_figures(session, period, negative_below=NEGATIVE_BELOW, people=PEOPLE, top=top)


def test_groups_count_a_thread_in_each_of_its_watch_groups(sessions: sessionmaker[Session]) -> None:
    _seed(sessions)
    assert _figures(sessions).groups == (
        # t1 (4 posts: 3 scored, 2 negative; new) + t3 (3: 3, 2; new) + t4 (3: 0, 0; opened last week)
        GroupVolume(SERVICE, threads=3, new_threads=2, posts=10, scored=6, negative=4, terms=(("途乐", 3),)),
        # t1 + t2 (4 posts: 3 scored, 1 negative; its opening post a second before the period, 0.9:
        # not a complaint)
        GroupVolume(
            TRAVEL,
            threads=2,
            new_threads=1,
            posts=8,
            scored=6,
            negative=3,
            not_complaints=1,
            terms=(("途乐", 2),),
        ),
        # 竞品 (t5) had posts last week only: left out
    )


def test_a_group_says_which_of_its_threads_are_not_complaints_and_what_matched_them(
    sessions: sessionmaker[Session],
) -> None:
    """星耀品牌 (term 星耀) also caught 王者荣耀's "星耀段位" and "星耀夜空" photos (verifier's week): the
    group's row counts its threads that do not read as complaints, and the terms that matched them."""
    ids = _seed(sessions)
    with sessions.begin() as session:
        source = session.get(SourceRow, session.get(Thread, ids["t1"]).source_id)
        board = session.get(Board, session.get(Thread, ids["t1"]).board_id)
        week = _utc("2026-12-02 01:00")
        brand = WatchGroupRow(name="星耀品牌")
        session.add(brand)
        session.flush()
        for external_id, opening, term in [
            ("40", 0.9, "星耀"),  # 星耀段位 上分心得
            ("41", 0.8, "星耀"),  # 星耀夜空 摄影
            ("42", 0.1, "星耀Pro14"),  # 星耀Pro14 黑屏: a complaint
            ("43", None, "星耀"),  # opening post not scored: its week's replies read mild
        ]:
            thread = _thread(session, source, board, external_id, 3, None, [(week, opening), (week, 0.7)])
            session.add(WatchMatch(watch_group_id=brand.id, thread_id=thread.id, term=term, matched_at=SEEN))
        # t1 is also the brand's (a thread two groups match counts in both), matched by 星耀 too
        session.add(WatchMatch(watch_group_id=brand.id, thread_id=ids["t1"], term="星耀", matched_at=SEEN))
    group = next(group for group in _figures(sessions).groups if group.watch_group == "星耀品牌")
    assert (group.threads, group.not_complaints, group.terms) == (5, 3, (("星耀", 4), ("星耀Pro14", 1)))
    # the other groups' threads are judged on their own: 途乐客服 still has no noise
    assert next(g for g in _figures(sessions).groups if g.watch_group == SERVICE).not_complaints == 0


def test_days_follow_shanghai_midnight_and_count_each_watched_post_once(
    sessions: sessionmaker[Session],
) -> None:
    _seed(sessions)
    assert _figures(sessions).days == (
        DaySentiment(date(2026, 11, 30), posts=2, scored=2, negative=2),  # t1 at 16:00 and 15:59 UTC
        DaySentiment(date(2026, 12, 1), posts=1, scored=1, negative=0),  # t1 at 16:00 UTC the day before
        DaySentiment(date(2026, 12, 2), posts=2, scored=2, negative=1),  # t2: 0.3, and 0.4 is not below 0.4
        DaySentiment(date(2026, 12, 3), posts=5, scored=1, negative=0),  # t2 (one unscored) + t4 unscored
        DaySentiment(date(2026, 12, 4), posts=3, scored=3, negative=2),  # t3
        DaySentiment(date(2026, 12, 5), posts=0, scored=0, negative=0),  # only the unwatched thread spoke
        DaySentiment(date(2026, 12, 6), posts=1, scored=0, negative=0),  # t1 a second before the end
    )


def test_top_threads_busiest_first_with_their_newest_alert(sessions: sessionmaker[Session]) -> None:
    ids = _seed(sessions)
    figures = _figures(sessions)
    assert figures.top_threads == (
        # t1 and t2 both have 4 posts: t2 has more replies (and the higher id).
        TopThread(
            ids["t2"],
            "帖子 2",
            "http://127.0.0.1:1/thread-2",
            "BBS 论坛",
            "7",  # the board has no name: its id
            (TRAVEL,),
            posts=4,
            replies=40,
            negative_share=1 / 3,
            category=None,
            alert_id=ids["a1"],
            alert_severity="very_urgent",
            alert_timing="open",
            complaint=False,  # its opening post (last week) reads 0.9
        ),
        # t1's alert is a1, joined as a spread copy.
        TopThread(
            ids["t1"],
            "帖子 1",
            "http://127.0.0.1:1/thread-1",
            "BBS 论坛",
            "投诉维权",
            (SERVICE, TRAVEL),
            posts=4,
            replies=10,
            negative_share=2 / 3,
            category="service",
            alert_id=ids["a1"],
            alert_severity="very_urgent",
            alert_timing="open",
        ),
        # t3 and t4: 3 posts and 5 replies each, by id. t3 has a2 of its own, but joined a4 later.
        TopThread(
            ids["t3"],
            "帖子 3",
            "http://127.0.0.1:1/thread-3",
            "BBS 论坛",
            "投诉维权",
            (SERVICE,),
            posts=3,
            replies=5,
            negative_share=2 / 3,
            category="product",
            alert_id=ids["a4"],
            alert_severity="urgent",
            alert_timing="open",
        ),
        # t4's alert was resolved before the period: still its alert, said to be.
        TopThread(
            ids["t4"],
            "帖子 4",
            "http://127.0.0.1:1/thread-4",
            "BBS 论坛",
            "投诉维权",
            (SERVICE,),
            posts=3,
            replies=5,
            negative_share=None,
            category="service",
            alert_id=ids["a3"],
            alert_severity="general",
            alert_timing="resolved_before",
        ),
    )
    assert [t.thread_id for t in _figures(sessions, top=3).top_threads] == [ids["t2"], ids["t1"], ids["t3"]]
    assert _figures(sessions, top=0).top_threads == ()


def test_alerts_open_at_some_time_in_the_period(sessions: sessionmaker[Session]) -> None:
    ids = _seed(sessions)
    alerts = _figures(sessions).alerts
    # a3 was resolved a minute before the period; a5 opened on its end: both left out. The open ones
    # first, the very urgent a1 before the newer, urgent a4; the resolved a2 last.
    assert [a.alert_id for a in alerts] == [ids["a1"], ids["a4"], ids["a2"]]
    a1, a4, a2 = alerts
    assert a1 == AlertReview(
        alert_id=ids["a1"],
        title="帖子 2",
        url="http://127.0.0.1:1/thread-2",
        watch_group=TRAVEL,
        severity="very_urgent",
        status="acknowledged",
        spokesperson="张经理",
        opened_at=_utc("2026-12-01 02:00"),
        respond_by=_utc("2026-12-01 06:00"),
        acknowledged_at=_utc("2026-12-01 02:18"),
        contacted_at=_utc("2026-12-01 05:00"),
        resolved_at=None,
        checklist_done=1,
        checklist_total=3,
        opened_in_period=True,
        notes=2,
    )
    # opened last week, resolved during this one; its spokesperson is no longer configured
    assert (a2.opened_in_period, a2.spokesperson, a2.status, a2.resolved_at) == (
        False,
        "li",
        "resolved",
        _utc("2026-11-30 00:00"),
    )
    assert (a2.checklist_done, a2.checklist_total, a2.notes) == (0, 0, 0)
    assert (a4.opened_in_period, a4.title, a4.status, a4.acknowledged_at) == (True, "帖子 5", "open", None)


def test_categories_of_watched_threads_with_posts(sessions: sessionmaker[Session]) -> None:
    _seed(sessions)
    # t1, t4 service; t3 product. t2 (unclassified) opened with a post that reads 0.9: no complaint.
    # t5 (dealer) was quiet, u (policy) is not watched.
    figures = _figures(sessions)
    assert figures.categories == (CategoryCount("service", 2), CategoryCount("product", 1))
    assert figures.not_complaints == 1


def test_categories_count_only_threads_that_read_as_complaints(sessions: sessionmaker[Session]) -> None:
    """The demo's travel guide (0 % negative) and a question were counted as policy complaints."""
    ids = _seed(sessions)
    with sessions.begin() as session:
        source = session.get(SourceRow, session.get(Thread, ids["t1"]).source_id)
        board = session.get(Board, session.get(Thread, ids["t1"]).board_id)
        this_week = _utc("2026-12-02 01:00")
        guide = _thread(session, source, board, "20", 5, "policy", [(this_week, 0.8), (this_week, 0.9)])
        question = _thread(  # its opening post exactly at the threshold: not negative
            session, source, board, "21", 3, "policy", [(this_week, NEGATIVE_BELOW), (this_week, 0.1)]
        )
        # opened a month ago with a complaint; this week's replies are mild: still a complaint
        old = _thread(
            session, source, board, "22", 9, "policy", [(_utc("2026-11-01 01:00"), 0.2), (this_week, 0.7)]
        )
        # the opening post not scored, or never stored: most of the week's scored posts decide
        unscored = _thread(
            session, source, board, "23", 2, "dealer", [(this_week, None), (this_week, 0.1), (this_week, 0.2)]
        )
        no_opening = _thread(
            session, source, board, "24", 30, "dealer", [(this_week, 0.1), (this_week, 0.9)], first_floor=7
        )
        group = session.scalar(select(WatchGroupRow).where(WatchGroupRow.name == TRAVEL))
        session.add_all(
            WatchMatch(watch_group_id=group.id, thread_id=thread.id, term="途乐", matched_at=SEEN)
            for thread in (guide, question, old, unscored, no_opening)
        )
        complaints = {
            guide.id: False,
            question.id: False,
            old.id: True,
            unscored.id: True,
            no_opening.id: False,
        }
    figures = _figures(sessions, top=20)
    assert figures.categories == (
        CategoryCount("service", 2),  # t1, t4
        CategoryCount("dealer", 1),  # unscored (no_opening: 1 negative of 2 is not most)
        CategoryCount("policy", 1),  # old (not the guide, not the question)
        CategoryCount("product", 1),  # t3
    )
    assert figures.not_complaints == 4  # t2, the guide, the question, no_opening
    shown = {t.thread_id: t.complaint for t in figures.top_threads}
    assert {thread_id: shown[thread_id] for thread_id in complaints} == complaints
    with sessions() as session:
        digest = build_digest(session, PERIOD, SEEN, negative_below=NEGATIVE_BELOW)
    assert digest.changes[-1] == Said(  # not "policy 3": the guide and the question are not counted
        "增长最多的投诉类别：政策 1 个主题帖（上周没有）；产品 1 个主题帖（上周没有）",
        "Complaint categories that grew most: "
        "policy 1 thread (none last week), product 1 thread (none last week)",
    )


def test_top_threads_say_when_an_alert_was_not_open_this_week(sessions: sessionmaker[Session]) -> None:
    """The demo's top thread showed "alert #1 [非常紧迫]" while no alert was open that week."""
    ids = _seed(sessions)
    with sessions.begin() as session:
        t1, t4 = session.get(Thread, ids["t1"]), session.get(Thread, ids["t4"])
        later = _alert(session, t4, Severity.VERY_URGENT, END)  # opened on the period's end: after it
        _alert(session, t1, Severity.VERY_URGENT, END + timedelta(days=1))  # t1 keeps a1, open in it
        later_id = later.id
    figures = _figures(sessions)
    alerts = {t.thread_id: (t.alert_id, t.alert_severity, t.alert_timing) for t in figures.top_threads}
    assert alerts[ids["t4"]] == (later_id, "very_urgent", "opened_after")
    assert alerts[ids["t1"]] == (ids["a1"], "very_urgent", "open")
    listed = {a.alert_id for a in figures.alerts}
    # a top thread's alert is called open exactly when the alerts section lists it
    assert all((t.alert_timing == "open") == (t.alert_id in listed) for t in figures.top_threads)


def test_previous_week_gets_what_fell_before_the_start(sessions: sessionmaker[Session]) -> None:
    ids = _seed(sessions)
    previous = _figures(sessions, PERIOD.previous())
    assert previous.groups == (
        GroupVolume(RIVAL, threads=1, new_threads=1, posts=2, scored=2, negative=1, terms=(("途乐", 1),)),
        GroupVolume(SERVICE, threads=1, new_threads=1, posts=1, scored=1, negative=1, terms=(("途乐", 1),)),
        GroupVolume(  # t2's opening post reads 0.9: not a complaint
            TRAVEL,
            threads=1,
            new_threads=1,
            posts=1,
            scored=1,
            negative=0,
            not_complaints=1,
            terms=(("途乐", 1),),
        ),
    )
    assert previous.days[-1] == DaySentiment(date(2026, 11, 29), posts=1, scored=1, negative=0)  # t2 opening
    assert (previous.posts, previous.negative_share) == (4, 0.5)
    # a3 was open all that week (resolved a minute before this one); a2 opened in it.
    assert [(a.alert_id, a.opened_in_period) for a in previous.alerts] == [
        (ids["a2"], True),
        (ids["a3"], False),
    ]


def test_build_digest_compares_with_the_week_before(sessions: sessionmaker[Session]) -> None:
    _seed(sessions)
    with sessions() as session:
        digest = build_digest(session, PERIOD, SEEN, negative_below=NEGATIVE_BELOW, people=PEOPLE)
    assert (digest.week.period, digest.previous.period, digest.generated_at) == (
        PERIOD,
        PERIOD.previous(),
        SEEN,
    )
    assert tuple(line.en for line in digest.changes) == (
        "Posts on watched threads: 14, 3.5× the 4 of last week",
        "Negative share 56 %, up 6 points from 50 %",  # 5 of 9 scored, against 2 of 4
        "2 alerts opened (1 last week); 1 very urgent, 1 urgent",
        f"{SERVICE}: 10 posts, 10× the 1 of last week",
        f"{TRAVEL}: 8 posts, 8× the 1 of last week",
        f"{RIVAL}: no posts (2 last week)",
        "Median time to acknowledge 18 min (42 min last week)",
        # a4's first contact is overdue at SEEN, a2's was late: one each week, so no line
        "Complaint categories that grew most: "
        "product 1 thread (none last week), service 2 threads (1 last week)",
    )
    assert tuple(line.zh for line in digest.changes) == (  # the same figures, in Chinese
        "监测帖共 14 条帖子，是上周 4 条的 3.5 倍",
        "负面占比 56 %，比上周 50 % 上升 6 个百分点",
        "新开 2 个告警（上周 1 个），其中非常紧迫 1 个、紧迫 1 个",
        f"{SERVICE}：10 条帖子，是上周 1 条的 10 倍",
        f"{TRAVEL}：8 条帖子，是上周 1 条的 8 倍",
        f"{RIVAL}：没有帖子（上周 2 条）",
        "确认用时中位数 18 分钟（上周 42 分钟）",
        "增长最多的投诉类别：产品 1 个主题帖（上周没有）；服务 2 个主题帖（上周 1 个）",
    )


def test_an_empty_store_gives_seven_quiet_days(sessions: sessionmaker[Session]) -> None:
    figures = _figures(sessions)
    assert [d.day for d in figures.days] == [date(2026, 11, 30) + timedelta(days=n) for n in range(7)]
    assert {(d.posts, d.scored, d.negative) for d in figures.days} == {(0, 0, 0)}
    assert (figures.groups, figures.top_threads, figures.alerts, figures.categories) == ((), (), (), ())


def test_a_period_not_on_local_midnights_keeps_its_edges(sessions: sessionmaker[Session]) -> None:
    _seed(sessions)
    # 2026-11-30 12:00 .. 2026-12-01 12:00 Shanghai: t1's 23:59 post, then its 00:00 post on the next day.
    period = DigestPeriod(_utc("2026-11-30 04:00"), _utc("2026-12-01 04:00"), ZONE)
    assert _figures(sessions, period).days == (
        DaySentiment(date(2026, 11, 30), posts=1, scored=1, negative=1),
        DaySentiment(date(2026, 12, 1), posts=1, scored=1, negative=0),
    )


@pytest.mark.parametrize(
    ("period", "negative_below", "top", "message"),
    [
        (DigestPeriod(END, START, ZONE), 0.4, 10, "must end after it starts"),
        (DigestPeriod(START, START, ZONE), 0.4, 10, "must end after it starts"),
        (DigestPeriod(START.replace(tzinfo=None), END, ZONE), 0.4, 10, "timezone-aware"),
        (DigestPeriod(START, END, "Mars/Olympus"), 0.4, 10, "unknown time zone 'Mars/Olympus': No time zone"),
        (DigestPeriod(START, END, "../etc"), 0.4, 10, "unknown time zone '../etc'"),
        (PERIOD, 1.5, 10, "negative_below must be a sentiment score between 0 and 1, got 1.5"),
        (PERIOD, float("nan"), 10, "negative_below"),
        (PERIOD, 0.4, -1, "top must be 0 or more, got -1"),
    ],
)
def test_bad_input_is_a_clear_error(
    period: DigestPeriod, negative_below: float, top: int, message: str
) -> None:
    with Session() as session, pytest.raises(ValueError, match=re.escape(message)):
        week_figures(session, period, negative_below=negative_below, top=top)


def test_build_digest_wants_an_aware_now() -> None:
    with Session() as session, pytest.raises(ValueError, match="now must be timezone-aware"):
        build_digest(session, PERIOD, SEEN.replace(tzinfo=None), negative_below=0.4)
