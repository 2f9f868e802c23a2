"""Spread: the same story on other boards and forums — similarity, places, score, tier floor, reasons.

Texts: the demo scenario's story (monitor/demo/scenario.yaml) and hand-written retellings and
other complaints about the same company; figures are built in the test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.config.settings import DetectSettings
from monitor.demo.scenario import load_scenario
from monitor.detect.assess import ThreadFacts, assess
from monitor.detect.baseline import prior_baseline
from monitor.detect.detector import detect_thread
from monitor.detect.severity import Severity
from monitor.detect.spread import Spread, StoryThread, describe_spread, find_spread, spread_score
from monitor.detect.story import story_similarity
from monitor.detect.timeline import timeline_from_offsets

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
SETTINGS = DetectSettings()
WATCH = ("途乐旅行", "途乐")
STORY = (
    "途乐旅行收了我2万8团费，行程取消后三个月不退款！\n"
    "今年8月在途乐旅行报了日本关西8日游，两个人团费一共28000元，出发前一周通知行程取消，"
    "说45个工作日内全额退款。现在三个月过去了，客服一直说财务在走流程，门店也关门了。"
)
RETOLD = (
    "避雷！途乐旅行退款拖了三个月，投诉维权版已经几十个人了\n"
    "准备报旅行团的朋友注意了！途乐旅行最近大面积取消行程却不退款，投诉维权版那个帖子"
    "（途乐旅行收了我2万8团费，行程取消后三个月不退款！）几个小时就有几十个人跟帖。"
)
OTHER_COMPLAINT = (
    "途乐旅行的云南团导游强制购物，不买就甩脸色\n"
    "上个月跟途乐旅行去了云南六日游，导游每天带我们进玉石店和茶叶店，不消费就不让上车，"
    "还说我们小气。投诉给客服，客服说会核实，到现在没有下文。"
)
PRAISE = "云南七日游攻略：途乐的导游很专业\n跟途乐的小团去了大理丽江，导游讲解很棒，住宿干净，推荐。"


def _told(key: str) -> str:
    thread = load_scenario().thread(key)
    return f"{thread.subject}\n{thread.posts[0].text}"


def test_the_demo_story_matches_its_cross_post_and_not_the_other_complaints() -> None:
    """The demo's long story shares many character pairs with any complaint; triples tell them apart."""
    story = _told("story")
    assert story_similarity(story, _told("spread"), WATCH) >= SETTINGS.story_similarity
    others = [t.key for t in load_scenario().threads if t.key not in ("story", "spread")]
    assert len(others) > 20
    closest = max(story_similarity(story, _told(key), WATCH) for key in others)
    assert closest < SETTINGS.story_similarity / 1.5


def _thread(
    tid: int, text: str, forum: str = "演示论坛", board: str = "投诉维权", **extra: object
) -> StoryThread:
    title = text.split("\n", 1)[0]
    return StoryThread(thread_id=tid, forum=forum, board=board, title=title, text=text, **extra)  # type: ignore[arg-type]


def test_a_copy_and_a_retelling_are_the_story_another_complaint_is_not() -> None:
    copy = STORY.replace("！", "!!")  # reposted with small edits (转帖)
    assert story_similarity(STORY, copy, WATCH) > 0.9
    retold = story_similarity(STORY, RETOLD, WATCH)
    other = story_similarity(STORY, OTHER_COMPLAINT, WATCH)
    praise = story_similarity(STORY, PRAISE, WATCH)
    assert retold >= SETTINGS.story_similarity > max(other, praise)
    assert retold > 2 * max(other, praise)  # a clear margin, not a coin toss at the threshold


def test_watch_terms_alone_do_not_make_two_threads_the_same_story() -> None:
    a = "途乐旅行 途乐旅行 途乐旅行"
    b = "途乐旅行！途乐旅行？"
    assert story_similarity(a, b) == 1.0
    assert story_similarity(a, b, WATCH) == 0.0


def test_find_spread_counts_other_boards_and_forums_not_reposts_on_the_same_board() -> None:
    own = _thread(1, STORY, first_post_at=NOW)
    candidates = [
        own,  # the thread itself is never its own copy
        _thread(2, RETOLD, board="旅游天地", replies=6, first_post_at=NOW + timedelta(hours=2, minutes=30)),
        _thread(
            3, STORY, forum="驴友社区", board="出行避雷", replies=2, first_post_at=NOW + timedelta(hours=4)
        ),
        _thread(4, STORY, replies=0, first_post_at=NOW + timedelta(minutes=40)),  # the author posts again
        _thread(5, OTHER_COMPLAINT, board="旅游天地", replies=30),
        _thread(6, PRAISE, forum="驴友社区", board="游记", replies=12),
    ]
    spread = find_spread(own, candidates, WATCH, SETTINGS.story_similarity)
    assert [c.thread.thread_id for c in spread.copies] == [3, 4, 2]  # most similar first
    assert spread.other_boards == ("旅游天地",)
    assert spread.other_forums == ("驴友社区",)
    assert (spread.places, spread.reposts) == (2, 1)
    assert describe_spread(spread) == (
        "same story also posted on the 旅游天地 board (6 replies, 2.5 h later); "
        "驴友社区's 出行避雷 board (2 replies, 4.0 h later); posted 1 more time on this board"
    )


def test_nowhere_else_means_no_reason_and_no_score() -> None:
    own = _thread(1, STORY)
    spread = find_spread(own, [own, _thread(5, OTHER_COMPLAINT, board="旅游天地")], WATCH, 0.1)
    assert spread.copies == () and spread.places == 0
    assert describe_spread(spread) is None
    assert spread_score(spread, SETTINGS) == 0.0 == spread_score(None, SETTINGS)


def test_many_places_are_capped_in_the_score_and_shortened_in_the_reason() -> None:
    copies = [_thread(10 + i, STORY, forum=f"论坛{i}", board="综合", replies=i) for i in range(5)]
    spread = find_spread(_thread(1, STORY), copies, WATCH, SETTINGS.story_similarity)
    assert spread.places == 5
    assert spread_score(spread, SETTINGS) == SETTINGS.spread_score_cap < 5 * SETTINGS.spread_score
    reason = describe_spread(spread)
    assert reason is not None and reason.endswith("; and 2 more")
    assert reason.startswith("same story also posted on 论坛4's 综合 board (4 replies); 论坛3's")
    assert "论坛1's 综合 board (1 reply)" not in reason  # named places: the three biggest
    one = find_spread(_thread(1, STORY), copies[1:2], WATCH, SETTINGS.story_similarity)
    assert describe_spread(one) == "same story also posted on 论坛1's 综合 board (1 reply)"


def test_spread_raises_the_score_and_names_the_places() -> None:
    timeline = timeline_from_offsets([60.0 * m for m in range(0, 40, 4)], 3600.0)
    baseline = prior_baseline(SETTINGS)
    alone = detect_thread(timeline, baseline, SETTINGS)
    spread = find_spread(
        _thread(1, STORY), [_thread(2, RETOLD, board="旅游天地", replies=3)], WATCH, SETTINGS.story_similarity
    )
    told = detect_thread(timeline, baseline, SETTINGS, spread=spread)
    assert told.score.spread == SETTINGS.spread_score
    assert told.score.value == alone.score.value + SETTINGS.spread_score
    assert "same story also posted on the 旅游天地 board (3 replies)" in told.reasons
    assert not any("same story" in r for r in alone.reasons)


def _facts(spread: Spread | None) -> ThreadFacts:
    return ThreadFacts(
        replies=20,
        replies_in_window=8,
        window_minutes=60.0,
        posts_scored=21,
        negative_share=0.7,
        distinct_authors=12,
        me_too_authors=0,
        spread=spread,
    )


def test_another_forum_makes_the_alert_at_least_urgent_unless_turned_off() -> None:
    own = _thread(1, STORY)
    elsewhere = find_spread(own, [_thread(3, STORY, forum="驴友社区", board="出行避雷")], WATCH, 0.1)
    same_forum = find_spread(own, [_thread(2, RETOLD, board="旅游天地")], WATCH, 0.1)
    assert assess(_facts(None), SETTINGS).severity == Severity.GENERAL
    assert assess(_facts(same_forum), SETTINGS).severity == Severity.GENERAL  # another board: score only
    urgent = assess(_facts(elsewhere), SETTINGS)
    assert urgent.severity == Severity.URGENT
    assert "spread to other forums (驴友社区): at least 紧迫 urgent" in urgent.figures
    off = SETTINGS.model_copy(update={"urgent_spread_forums": 0})
    assert assess(_facts(elsewhere), off).severity == Severity.GENERAL
    two = SETTINGS.model_copy(update={"urgent_spread_forums": 2})
    assert assess(_facts(elsewhere), two).severity == Severity.GENERAL


def test_the_floor_also_applies_with_a_timeline() -> None:
    own = _thread(1, STORY)
    elsewhere = find_spread(own, [_thread(3, STORY, forum="驴友社区", board="出行避雷")], WATCH, 0.1)
    facts = _facts(elsewhere)
    timeline = timeline_from_offsets([600.0, 1200.0, 1800.0], 3600.0)
    quiet = assess(ThreadFacts(**{**facts.__dict__, "timeline": timeline}), SETTINGS)
    assert quiet.severity == Severity.URGENT
    assert any(f.startswith("same story also posted on 驴友社区's 出行避雷 board") for f in quiet.figures)
    assert not quiet.escalating  # 3 replies in an hour: spread alone does not open an alert


def test_spread_with_each_boards_boilerplate_matches_the_pairwise_comparison() -> None:
    """find_spread leaves each pair's boilerplate out once per board, not per pair: the similarities
    must be those of comparing each pair's texts without both boards' boilerplate."""
    import random

    from monitor.detect.story import containment, story_shingles, without

    rng = random.Random(7)
    pool = STORY + RETOLD + OTHER_COMPLAINT + PRAISE
    template = "【投诉对象】【事情经过】【诉求】"
    texts = [
        ("".join(rng.choices(pool, k=rng.randint(2, 80))) + (template if n % 2 else ""), n % 3)
        for n in range(60)
    ] + [(STORY + template, 0), (RETOLD, 1), ("", 2), ("途乐", 2)]
    boilerplate = {
        0: frozenset(story_shingles(template)),
        1: frozenset(),
        2: frozenset(story_shingles(PRAISE)),
    }
    threads = [_thread(n, text, board=f"版{board}", board_id=board) for n, (text, board) in enumerate(texts)]
    for own in threads[::7] + threads[-4:]:
        spread = find_spread(own, threads, WATCH, 0.0, lambda t: boilerplate[t.board_id or 0])
        found = {c.thread.thread_id: c.similarity for c in spread.copies}
        for other in threads:
            if other.thread_id == own.thread_id:
                continue
            drop = boilerplate[own.board_id or 0] | boilerplate[other.board_id or 0]
            expected = containment(
                without(story_shingles(own.text, WATCH), drop),
                without(story_shingles(other.text, WATCH), drop),
            )
            assert found[other.thread_id] == expected, (own.thread_id, other.thread_id)
